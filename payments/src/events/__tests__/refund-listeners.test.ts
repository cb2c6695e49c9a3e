/**
 * shipment.cancelled and return.received through a real nats-server and the service's real
 * listeners and outbox relay: each refunds its source once (one Refund, one payment.refunded on
 * the PAYMENTS stream) however often the event arrives and however many consumers race for it;
 * processor failures are retried with back-off, and dead-lettered after the last attempt, from
 * where a replay completes the refund.
 */
import mongoose from 'mongoose';
import {
  createLogger,
  DeadLetterHeaders,
  EventBus,
  makeEvent,
  OutboxRelay,
  Subjects,
  type Event,
  type EventData,
  type Listener,
  type Subject,
} from '@jetmart/common';
import { eventually, readStream, useTestBus, useTestDatabase } from '@jetmart/common/testing';
import { GatewayUnavailableError, type PaymentGateway } from '../../gateway/payment-gateway';
import { SandboxGateway } from '../../gateway/sandbox-gateway';
import { paymentsModels } from '../../models';
import { paymentsListeners } from '../listeners';

const { connection } = useTestDatabase({ prefix: 'payments_refund_listeners' });
const models = paymentsModels(connection);
const { Payment, Refund } = models;
const logger = createLogger('payments-test', { level: 'silent' });
const oid = () => new mongoose.Types.ObjectId().toHexString();

let sandbox: SandboxGateway;
let down = 0;
let alwaysDown = false;
let refundKeys: string[];
/** The sandbox behind a switch: the next `down` refunds (or all while `alwaysDown`) find the processor unreachable. */
const gateway: PaymentGateway = {
  name: 'switchable',
  charge: (req) => sandbox.charge(req),
  transfer: (req) => sandbox.transfer(req),
  async refund(req) {
    refundKeys.push(req.idempotencyKey);
    if (alwaysDown || down > 0) {
      down--;
      throw new GatewayUnavailableError('processor unreachable');
    }
    return sandbox.refund(req);
  },
};

let running: Array<{ stop(): Promise<void> }> = [];
let extraBuses: EventBus[] = [];
const jet = useTestBus({
  name: 'payments-refunds-test',
  logger,
  freshStreams: ['SHIPMENTS', 'RETURNS', 'PAYMENTS', 'DEADLETTER'],
  beforeDrain: async () => {
    for (const r of running) await r.stop();
    for (const b of extraBuses) await b.drain();
    running = [];
    extraBuses = [];
  },
});

async function startListeners(bus: EventBus, opts = {}): Promise<Listener<Subject>[]> {
  const listeners = paymentsListeners(bus, { models, gateway }, { backoffMs: 50, maxBackoffMs: 200, ...opts });
  for (const l of listeners) await l.start();
  running.push(...listeners);
  return listeners;
}

beforeEach(async () => {
  sandbox = new SandboxGateway();
  down = 0;
  alwaysDown = false;
  refundKeys = [];
  const relay = new OutboxRelay(jet.bus, [models.Payment, models.Refund], { logger, intervalMs: 100 });
  relay.start();
  running.push(relay);
});

async function paid(amountMinor = 6000) {
  const orderId = oid();
  const charge = await sandbox.charge({
    amountMinor,
    currency: 'usd',
    token: 'tok_visa',
    idempotencyKey: orderId,
    description: '',
    metadata: {},
  });
  return Payment.create({
    orderId,
    userId: oid(),
    amountMinor,
    currency: 'usd',
    status: 'succeeded',
    attempt: 1,
    chargeId: charge.outcome === 'succeeded' ? charge.chargeId : undefined,
  });
}

const lines = [
  { productId: 'p1', quantity: 1, priceMinor: 1000 },
  { productId: 'p2', quantity: 2, priceMinor: 500 },
];
const shipmentCancelled = (p: { orderId: string; userId: string }, amountMinor = 2000): Event<typeof Subjects.ShipmentCancelled> =>
  makeEvent(Subjects.ShipmentCancelled, {
    id: oid(),
    orderId: p.orderId,
    sellerId: oid(),
    buyerId: p.userId,
    items: lines,
    amountMinor,
    cancelledAt: new Date().toISOString(),
    version: 1,
  });
const returnReceived = (p: { orderId: string; userId: string }, amountMinor = 2000): Event<typeof Subjects.ReturnReceived> =>
  makeEvent(Subjects.ReturnReceived, {
    id: oid(),
    orderId: p.orderId,
    shipmentId: oid(),
    sellerId: oid(),
    buyerId: p.userId,
    items: lines,
    amountMinor,
    restock: true,
    version: 2,
  });

/** The payment.refunded events on the PAYMENTS stream. */
const refundedEvents = async () =>
  (await readStream(jet.bus, 'PAYMENTS', { subject: Subjects.PaymentRefunded })).map(
    (m) => m.json<Event<typeof Subjects.PaymentRefunded>>().data,
  );

/** Waits until the listener of `subject` has nothing pending or unacknowledged. */
async function drained(subject: Subject) {
  const durable = `payments-${subject.replace(/\./g, '-')}`;
  const stream = subject.startsWith('shipment.') ? 'SHIPMENTS' : 'RETURNS';
  await eventually(async () => {
    const info = await jet.bus.jsm.consumers.info(stream, durable);
    return info.num_pending + info.num_ack_pending === 0;
  }, 30_000);
}

/** Waits for the refund's record and for its payment.refunded to have been published. */
async function refunded(id: string): Promise<EventData<typeof Subjects.PaymentRefunded>> {
  await eventually(() => Refund.findById(id), 30_000);
  return eventually(async () => (await refundedEvents()).find((e) => e.id === id), 30_000);
}

describe('shipment.cancelled and return.received refund once', () => {
  it('a cancelled shipment is refunded: Refund record, refundedMinor, one payment.refunded', async () => {
    await startListeners(jet.bus);
    const p = await paid(6000);
    const event = shipmentCancelled(p);
    await jet.bus.publish(event);
    const published = await refunded(`shipment-cancelled-${event.data.id}`);
    expect(published).toEqual({
      id: `shipment-cancelled-${event.data.id}`,
      paymentId: p.id,
      orderId: p.orderId,
      userId: p.userId,
      reason: 'shipment-cancelled',
      sourceId: event.data.id,
      amountMinor: 2000,
      items: lines,
      version: 0,
    });
    expect(await Payment.findById(p.id).lean()).toMatchObject({ status: 'succeeded', refundedMinor: 2000 });
    expect(sandbox.refunds).toEqual([expect.objectContaining({ chargeId: p.chargeId, amountMinor: 2000 })]);
    expect(refundKeys).toEqual([`jetmart-refund-shipment-cancelled-${event.data.id}`]);
  });

  it('a received return is refunded: Refund record, refundedMinor, one payment.refunded', async () => {
    await startListeners(jet.bus);
    const p = await paid(6000);
    const event = returnReceived(p, 1500);
    await jet.bus.publish(event);
    const published = await refunded(`return-${event.data.id}`);
    expect(published).toMatchObject({ reason: 'return', sourceId: event.data.id, amountMinor: 1500, items: lines, version: 0 });
    expect((await Payment.findById(p.id).lean())!.refundedMinor).toBe(1500);
    expect(await Refund.findById(`return-${event.data.id}`).lean()).toMatchObject({ orderId: p.orderId, amountMinor: 1500 });
  });

  it('repeated and redelivered events refund once: one Refund, refundedMinor right, one payment.refunded', async () => {
    await startListeners(jet.bus);
    const p = await paid(6000);
    const shipment = shipmentCancelled(p, 2000);
    const ret = returnReceived(p, 3000);
    // The same event again (dropped by JetStream's duplicate window) and as new messages (a producer's repeat).
    for (const e of [shipment, ret] as Event[]) {
      await jet.bus.publish(e);
      await jet.bus.publish(e);
      await jet.bus.publish({ ...e, id: `${e.id}-again` });
      await jet.bus.publish({ ...e, id: `${e.id}-third` });
    }
    await refunded(`shipment-cancelled-${shipment.data.id}`);
    await refunded(`return-${ret.data.id}`);
    await drained(Subjects.ShipmentCancelled);
    await drained(Subjects.ReturnReceived);
    expect(await Refund.countDocuments({ orderId: p.orderId })).toBe(2);
    expect((await Payment.findById(p.id).lean())!.refundedMinor).toBe(5000);
    expect(sandbox.refunds.map((r) => r.amountMinor).sort()).toEqual([2000, 3000]);
    const events = (await refundedEvents()).filter((e) => e.orderId === p.orderId);
    expect(events.map((e) => e.id).sort()).toEqual([`return-${ret.data.id}`, `shipment-cancelled-${shipment.data.id}`]);
  });

  it('the same refund raced by two consumers of the durable (two replicas, four at a time each) happens once', async () => {
    const second = await EventBus.connect({ servers: jet.nats.url, name: 'payments-replica-2', logger });
    extraBuses.push(second);
    await startListeners(jet.bus);
    await startListeners(second);
    const p = await paid(6000);
    const event = returnReceived(p, 2500);
    for (let i = 0; i < 8; i++) await jet.bus.publish({ ...event, id: `${event.id}-${i}` });
    await refunded(`return-${event.data.id}`);
    await drained(Subjects.ReturnReceived);
    expect(await Refund.countDocuments({ orderId: p.orderId })).toBe(1);
    expect(await Payment.findById(p.id).lean()).toMatchObject({ refundedMinor: 2500, refundKeys: [`return-${event.data.id}`] });
    expect(sandbox.refunds).toHaveLength(1);
    expect((await refundedEvents()).filter((e) => e.orderId === p.orderId)).toHaveLength(1);
  });

  it('10 different refunds racing for a charge that covers 3 of them: exactly 3 refunded, never more than the charge', async () => {
    await startListeners(jet.bus, { maxDeliveries: 2 });
    const p = await paid(3000);
    const events = Array.from({ length: 10 }, (_, i) => (i % 2 ? returnReceived(p, 1000) : shipmentCancelled(p, 1000)));
    await Promise.all(events.map((e) => jet.bus.publish(e as Event)));
    await drained(Subjects.ShipmentCancelled);
    await drained(Subjects.ReturnReceived);
    const stored = await Payment.findById(p.id).lean();
    expect(stored!.refundedMinor).toBe(3000);
    expect(stored!.refundKeys).toHaveLength(3);
    expect(await Refund.countDocuments({ orderId: p.orderId })).toBe(3);
    expect(sandbox.refunds.reduce((s, r) => s + r.amountMinor, 0)).toBe(3000);
    // The 7 that did not fit are dead-lettered for someone to look at, not dropped.
    const dead = [
      ...(await readStream(jet.bus, 'DEADLETTER', { subject: 'deadletter.payments-shipment-cancelled' })),
      ...(await readStream(jet.bus, 'DEADLETTER', { subject: 'deadletter.payments-return-received' })),
    ];
    expect(dead).toHaveLength(7);
    expect(dead.every((m) => /exceeds what is left/.test(m.header.get(DeadLetterHeaders.error)))).toBe(true);
  });

  it('processor failures are retried with back-off with the same key, then the refund succeeds once', async () => {
    await startListeners(jet.bus);
    const p = await paid(6000);
    down = 3;
    const event = shipmentCancelled(p, 1200);
    await jet.bus.publish(event);
    await refunded(`shipment-cancelled-${event.data.id}`);
    expect(refundKeys).toEqual(Array(4).fill(`jetmart-refund-shipment-cancelled-${event.data.id}`));
    expect(sandbox.refunds).toHaveLength(1);
    expect((await Payment.findById(p.id).lean())!.refundedMinor).toBe(1200);
    expect(await readStream(jet.bus, 'DEADLETTER')).toHaveLength(0);
  });

  it('a processor down for every attempt dead-letters the event (refund reserved, not recorded); its replay refunds once', async () => {
    await startListeners(jet.bus, { maxDeliveries: 3 });
    const p = await paid(6000);
    alwaysDown = true;
    const event = returnReceived(p, 1800);
    await jet.bus.publish(event);
    const [dead] = await eventually(async () => {
      const msgs = await readStream(jet.bus, 'DEADLETTER', { subject: 'deadletter.payments-return-received' });
      return msgs.length ? msgs : undefined;
    }, 30_000);
    expect(dead.header.get(DeadLetterHeaders.error)).toMatch(/processor unreachable/);
    expect(refundKeys).toHaveLength(3);
    expect(await Payment.findById(p.id).lean()).toMatchObject({ refundedMinor: 1800, refundKeys: [`return-${event.data.id}`] });
    expect(await Refund.countDocuments()).toBe(0);

    // The processor is back; /ops replays the dead letter (its bytes, to the original subject, a new message id).
    alwaysDown = false;
    await jet.bus.js.publish(Subjects.ReturnReceived, dead.data, { msgID: `replay-${dead.seq}` });
    await refunded(`return-${event.data.id}`);
    expect(sandbox.refunds).toHaveLength(1);
    expect((await Payment.findById(p.id).lean())!.refundedMinor).toBe(1800);
    expect(new Set(refundKeys)).toEqual(new Set([`jetmart-refund-return-${event.data.id}`]));
  });

  it('waits (RetryLater) for an order whose charge is not recorded yet, then refunds it', async () => {
    await startListeners(jet.bus);
    const orderId = oid();
    const userId = oid();
    const event = shipmentCancelled({ orderId, userId }, 900);
    await jet.bus.publish(event);
    await new Promise((r) => setTimeout(r, 500));
    expect(await Refund.countDocuments()).toBe(0);
    const charge = await sandbox.charge({
      amountMinor: 900,
      currency: 'usd',
      token: 'tok_visa',
      idempotencyKey: orderId,
      description: '',
      metadata: {},
    });
    await Payment.create({
      orderId,
      userId,
      amountMinor: 900,
      currency: 'usd',
      status: 'succeeded',
      attempt: 1,
      chargeId: charge.outcome === 'succeeded' ? charge.chargeId : undefined,
    });
    await refunded(`shipment-cancelled-${event.data.id}`);
    expect(await readStream(jet.bus, 'DEADLETTER')).toHaveLength(0);
  });
});
