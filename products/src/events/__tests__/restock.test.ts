/**
 * Units back on sale exactly once (issue 15), through a real nats-server, the test database and
 * the service's real listeners: a cancelled shipment restocks every line, a received return only
 * when the seller restocks it, each once however often its event arrives (duplicates under other
 * event ids, redeliveries), and a restock that overtakes the sale it undoes (return.received
 * before order.completed: separate consumers) waits for it. What buyers see is the product's
 * `available` in GET /api/products/:id.
 */
import mongoose from 'mongoose';
import request from 'supertest';
import { createLogger, DeadLetterHeaders, makeEvent, Subjects, type Event, type Listener, type Subject } from '@jetmart/common';
import { eventually, signinCookie, useTestBus, useTestDatabase } from '@jetmart/common/testing';
import { productsListeners } from '../listeners';
import { syncIndexes, testApp } from '../../__tests__/helpers';

useTestDatabase({ prefix: 'products_restock' });
const { app, models } = testApp();
beforeAll(() => syncIndexes(models));
const logger = createLogger('products-restock-test', { level: 'silent' });
const oid = () => new mongoose.Types.ObjectId().toHexString();

let listeners: Listener<Subject>[] = [];
const jet = useTestBus({
  name: 'products-restock-test',
  logger,
  freshStreams: ['ORDERS', 'SHIPMENTS', 'RETURNS', 'DEADLETTER'],
  beforeDrain: () => Promise.all(listeners.map((l) => l.stop())),
});
beforeEach(async () => {
  listeners = productsListeners(jet.bus, { models }, { backoffMs: 50, maxBackoffMs: 300 });
  for (const l of listeners) await l.start();
});

const seller = oid();
const buyer = oid();

async function newProduct(quantity: number): Promise<string> {
  const res = await request(app)
    .post('/api/products')
    .set('Cookie', signinCookie({ id: seller }))
    .send({ title: 'Lamp', price: 15, quantity });
  expect(res.status).toBe(201);
  return res.body.id as string;
}
const available = async (productId: string): Promise<number> => (await request(app).get(`/api/products/${productId}`)).body.available;

const listenerOf = (subject: Subject) => listeners.find((l) => l.subject === subject)!;
/** Every message of the subject's durable handled (acked or dead-lettered), none waiting. */
async function drained(subject: Subject): Promise<void> {
  const l = listenerOf(subject);
  await eventually(async () => {
    const c = await jet.bus.jsm.consumers.info(l.streamName, l.durableName);
    return c.num_pending + c.num_ack_pending === 0 || undefined;
  }, 15_000);
}
const publish = (e: Event) => jet.bus.publish(e);

const orderCreated = (orderId: string, lines: { productId: string; quantity: number }[]) =>
  makeEvent(Subjects.OrderCreated, {
    id: orderId,
    userId: buyer,
    status: 'created',
    expiresAt: new Date(Date.now() + 60_000).toISOString(),
    items: lines.map((l) => ({ ...l, sellerId: seller, title: 'Lamp', priceMinor: 1500 })),
    totalMinor: lines.reduce((s, l) => s + l.quantity * 1500, 0),
    version: 0,
  });
const orderCompleted = (orderId: string, lines: { productId: string; quantity: number }[]) =>
  makeEvent(Subjects.OrderCompleted, { id: orderId, userId: buyer, items: lines.map((l) => ({ ...l, sellerId: seller })), version: 1 });
const shipmentCancelled = (shipmentId: string, orderId: string, lines: { productId: string; quantity: number }[], eventId?: string) =>
  makeEvent(
    Subjects.ShipmentCancelled,
    {
      id: shipmentId,
      orderId,
      sellerId: seller,
      buyerId: buyer,
      items: lines.map((l) => ({ ...l, priceMinor: 1500 })),
      amountMinor: lines.reduce((s, l) => s + l.quantity * 1500, 0),
      cancelledAt: new Date().toISOString(),
      version: 1,
    },
    eventId,
  );
const returnReceived = (returnId: string, orderId: string, lines: { productId: string; quantity: number }[], restock: boolean) =>
  makeEvent(Subjects.ReturnReceived, {
    id: returnId,
    orderId,
    shipmentId: oid(),
    sellerId: seller,
    buyerId: buyer,
    items: lines.map((l) => ({ ...l, priceMinor: 1500 })),
    amountMinor: lines.reduce((s, l) => s + l.quantity * 1500, 0),
    restock,
    version: 2,
  });

/** An order of `lines` created and paid, handled by products: its units sold. */
async function sold(orderId: string, lines: { productId: string; quantity: number }[]) {
  await publish(orderCreated(orderId, lines));
  await drained(Subjects.OrderCreated);
  await publish(orderCompleted(orderId, lines));
  await drained(Subjects.OrderCompleted);
}

describe('units back on sale exactly once', () => {
  it('shipment.cancelled restocks every line once: duplicates under new event ids and a republished event change nothing more', async () => {
    const [lamp, bulb] = [await newProduct(10), await newProduct(6)];
    const orderId = oid();
    const lines = [
      { productId: lamp, quantity: 3 },
      { productId: bulb, quantity: 2 },
    ];
    await sold(orderId, lines);
    expect([await available(lamp), await available(bulb)]).toEqual([7, 4]);

    const shipmentId = oid();
    const first = shipmentCancelled(shipmentId, orderId, lines);
    await publish(first);
    await publish(shipmentCancelled(shipmentId, orderId, lines)); // the same cancellation, another event id
    await publish(first); // a republish (dropped by the stream's duplicate window, or handled again)
    await drained(Subjects.ShipmentCancelled);
    expect([await available(lamp), await available(bulb)]).toEqual([10, 6]);
    expect(await models.UnitLedger.countDocuments({ state: 'restocked' })).toBe(2);
  });

  it('return.received restocks only its lines and only with restock: true, once', async () => {
    const lamp = await newProduct(10);
    const orderId = oid();
    await sold(orderId, [{ productId: lamp, quantity: 4 }]);
    expect(await available(lamp)).toBe(6);

    // The seller keeps a damaged item off sale: nothing comes back.
    await publish(returnReceived(oid(), orderId, [{ productId: lamp, quantity: 1 }], false));
    await drained(Subjects.ReturnReceived);
    expect(await available(lamp)).toBe(6);

    const returnId = oid();
    for (let i = 0; i < 3; i++) await publish(returnReceived(returnId, orderId, [{ productId: lamp, quantity: 2 }], true));
    await drained(Subjects.ReturnReceived);
    expect(await available(lamp)).toBe(8);
    expect(await models.UnitLedger.find({ state: 'restocked' }).lean()).toMatchObject([
      { _id: `${orderId}:${lamp}:restock:${returnId}`, quantity: 2, sourceId: returnId },
    ]);
  });

  it('return.received before its order.completed waits, then restocks once the sale is recorded', async () => {
    const lamp = await newProduct(10);
    const orderId = oid();
    const line = [{ productId: lamp, quantity: 3 }];
    await publish(orderCreated(orderId, line));
    await drained(Subjects.OrderCreated);
    expect(await available(lamp)).toBe(7);

    await publish(returnReceived(oid(), orderId, [{ productId: lamp, quantity: 1 }], true));
    // Delivered, refused as not applicable yet (retried), not dead-lettered and nothing restocked.
    const l = listenerOf(Subjects.ReturnReceived);
    await eventually(async () => (await jet.bus.jsm.consumers.info(l.streamName, l.durableName)).num_redelivered > 0 || undefined, 10_000);
    expect(await models.UnitLedger.countDocuments({ state: 'restocked' })).toBe(0);
    expect(await available(lamp)).toBe(7);

    await publish(orderCompleted(orderId, line));
    await drained(Subjects.OrderCompleted);
    await drained(Subjects.ReturnReceived);
    expect(await available(lamp)).toBe(8);
    expect((await jet.bus.jsm.streams.info('DEADLETTER')).state.messages).toBe(0);
  });

  it('more units back than were sold is dead-lettered with a clear reason, and availability does not rise', async () => {
    const lamp = await newProduct(10);
    const orderId = oid();
    await sold(orderId, [{ productId: lamp, quantity: 2 }]);
    await publish(shipmentCancelled(oid(), orderId, [{ productId: lamp, quantity: 5 }]));
    // Dead-lettered after its retries: the durable can read as drained while a retry waits out its
    // back-off, so wait for the dead letter itself.
    const dead = await eventually(
      () =>
        jet.bus.jsm.streams.getMessage('DEADLETTER', {
          last_by_subj: `deadletter.${listenerOf(Subjects.ShipmentCancelled).durableName}`,
        }),
      20_000,
    );
    await drained(Subjects.ShipmentCancelled);
    expect(await available(lamp)).toBe(8);
    expect(dead.header.get(DeadLetterHeaders.error)).toMatch(/cannot restock 5 of .* 0 of the 2 sold are back on sale already/);
  });
});
