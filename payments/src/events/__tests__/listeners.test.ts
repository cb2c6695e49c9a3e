import mongoose from 'mongoose';
import { createLogger, EventBus, makeEvent, Subjects, type EventData, type Listener, type Subject } from '@jetmart/common';
import { eventually, useTestBus, useTestDatabase } from '@jetmart/common/testing';
import { chargePendingPayment } from '../../charging';
import { SandboxGateway } from '../../gateway/sandbox-gateway';
import { paymentsModels } from '../../models';
import { paymentsListeners } from '../listeners';

const { connection } = useTestDatabase({ prefix: 'payments_listeners' });
const models = paymentsModels(connection);
const { Order, Payment, Refund } = models;
const logger = createLogger('payments-test', { level: 'silent' });

let bus: EventBus;
let gateway: SandboxGateway;
let listeners: Listener<Subject>[];

const jet = useTestBus({
  name: 'payments-test',
  logger,
  freshStreams: ['ORDERS'],
  beforeDrain: () => Promise.all(listeners.map((l) => l.stop())),
});
beforeEach(async () => {
  bus = jet.bus;
  gateway = new SandboxGateway();
  listeners = paymentsListeners(bus, { models, gateway }, { backoffMs: 50 });
  for (const l of listeners) await l.start();
});

const newOrder = (): EventData<typeof Subjects.OrderCreated> => ({
  id: new mongoose.Types.ObjectId().toHexString(),
  userId: new mongoose.Types.ObjectId().toHexString(),
  status: 'created',
  expiresAt: new Date(Date.now() + 60_000).toISOString(),
  items: [{ productId: 'p1', quantity: 2, title: 'Lamp', priceMinor: 1500 }],
  totalMinor: 3000,
  version: 0,
});
const publish = <S extends Subject>(subject: S, data: EventData<S>) => bus.publish(makeEvent(subject, data));
const cancelled = (o: EventData<typeof Subjects.OrderCreated>, version = 1) => ({
  id: o.id,
  userId: o.userId,
  reason: 'expired' as const,
  items: [{ productId: 'p1', quantity: 2 }],
  version,
});

describe('order replica', () => {
  it('is created from order.created with the total and expiry', async () => {
    const o = newOrder();
    await publish(Subjects.OrderCreated, o);
    const replica = await eventually(() => Order.findById(o.id).lean());
    expect(replica).toMatchObject({ userId: o.userId, status: 'created', totalMinor: 3000, version: 0 });
    expect(replica.expiresAt.toISOString()).toBe(o.expiresAt);
  });

  it('applies a cancellation that arrives before its order.created once the order exists', async () => {
    const o = newOrder();
    await publish(Subjects.OrderCancelled, cancelled(o));
    await new Promise((r) => setTimeout(r, 300));
    expect(await Order.findById(o.id)).toBeNull();
    await publish(Subjects.OrderCreated, o);
    await eventually(async () => (await Order.findById(o.id).lean())?.status === 'cancelled', 15_000);
    expect((await Order.findById(o.id).lean())!.version).toBe(1);
  });

  it('marks the order complete on order.completed and ignores a duplicate', async () => {
    const o = newOrder();
    await publish(Subjects.OrderCreated, o);
    await eventually(() => Order.findById(o.id));
    const completed = { id: o.id, userId: o.userId, items: [{ productId: 'p1', quantity: 2 }], version: 1 };
    await publish(Subjects.OrderCompleted, completed);
    await publish(Subjects.OrderCompleted, completed);
    await eventually(async () => (await Order.findById(o.id).lean())?.status === 'complete');
    expect((await Order.findById(o.id).lean())!.version).toBe(1);
  });
});

describe('cancellation after a charge went through (expiry won the race at orders)', () => {
  async function paidOrder() {
    const o = newOrder();
    await publish(Subjects.OrderCreated, o);
    await eventually(() => Order.findById(o.id));
    return o;
  }

  it('refunds the succeeded payment once, even if the event is delivered twice', async () => {
    const o = await paidOrder();
    const payment = await Payment.create({
      orderId: o.id,
      userId: o.userId,
      amountMinor: 3000,
      currency: 'usd',
      status: 'pending',
      attempt: 1,
      token: 'tok_visa',
    });
    await chargePendingPayment({ models, gateway }, payment);
    const event = makeEvent(Subjects.OrderCancelled, cancelled(o));
    await bus.publish(event);
    await bus.publish({ ...event, id: `${event.id}-redelivered` });
    // The refund is recorded as `order-cancelled-<order>` (the whole charge, no lines).
    const refund = await eventually(() => Refund.findById(`order-cancelled-${o.id}`).lean());
    await new Promise((r) => setTimeout(r, 300));
    expect(gateway.refunds).toEqual([expect.objectContaining({ chargeId: gateway.charges[0].id, amountMinor: 3000 })]);
    expect(refund).toMatchObject({ processorRefundId: gateway.refunds[0].id, amountMinor: 3000, reason: 'order-cancelled', items: [] });
    expect(await Payment.findById(payment.id).lean()).toMatchObject({
      status: 'refunded',
      refundedMinor: 3000,
      refundKeys: [`order-cancelled-${o.id}`],
    });
    expect(await Refund.countDocuments({ orderId: o.id })).toBe(1);
  });

  it('waits for a charge still in flight and refunds it when it succeeds', async () => {
    const o = await paidOrder();
    const payment = await Payment.create({
      orderId: o.id,
      userId: o.userId,
      amountMinor: 3000,
      currency: 'usd',
      status: 'pending',
      attempt: 1,
      token: 'tok_visa',
    });
    await publish(Subjects.OrderCancelled, cancelled(o));
    await eventually(async () => (await Order.findById(o.id).lean())?.status === 'cancelled');
    await new Promise((r) => setTimeout(r, 300));
    expect(gateway.refunds).toHaveLength(0);
    await chargePendingPayment({ models, gateway }, payment);
    await eventually(() => Refund.findById(`order-cancelled-${o.id}`), 20_000);
    expect((await Payment.findById(payment.id).lean())!.status).toBe('refunded');
    expect(gateway.refunds).toHaveLength(1);
  });

  it('leaves a declined payment alone', async () => {
    const o = await paidOrder();
    const payment = await Payment.create({
      orderId: o.id,
      userId: o.userId,
      amountMinor: 3000,
      currency: 'usd',
      status: 'pending',
      attempt: 1,
      token: 'tok_chargeDeclined',
    });
    await chargePendingPayment({ models, gateway }, payment);
    await publish(Subjects.OrderCancelled, cancelled(o));
    await eventually(async () => (await Order.findById(o.id).lean())?.status === 'cancelled');
    await new Promise((r) => setTimeout(r, 300));
    expect((await Payment.findById(payment.id).lean())!.status).toBe('failed');
    expect(gateway.refunds).toHaveLength(0);
  });
});
