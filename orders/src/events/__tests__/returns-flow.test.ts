/**
 * A return's whole life through a real nats-server: orders' real listeners and outbox relay (its
 * Order and Return outboxes), and this test standing in for shipping, payments and expiration
 * (it publishes the events they would, and reads what orders publishes). Paid → delivered →
 * requested → approved → received (restocked by orders' own return.received) → refunded
 * (payment.refunded) → return.refunded; a cancelled part restocks and refunds too; the closed
 * window refuses a request.
 */
import request from 'supertest';
import {
  createLogger,
  EventBus,
  makeEvent,
  OutboxRelay,
  parseEvent,
  Streams,
  Subjects,
  type EventData,
  type Listener,
  type Subject,
} from '@jetmart/common';
import { eventually, readStream, signinCookie, startNats, useTestDatabase, type NatsTestServer } from '@jetmart/common/testing';
import { ordersListeners } from '../listeners';
import { newId, placed, seedProduct, syncIndexes, testApp } from '../../__tests__/helpers';

const { connection } = useTestDatabase({ clearEachTest: false, prefix: 'orders_returns_flow' });
const { app, models } = testApp(connection);
let nats: NatsTestServer;
let bus: EventBus;
let others: EventBus;
let relay: OutboxRelay;
let listeners: Listener<Subject>[] = [];
const fast = { backoffMs: 50, maxBackoffMs: 200, ackWaitMs: 5_000 };

beforeAll(async () => {
  await syncIndexes(models);
  nats = await startNats();
  const logger = createLogger('orders', { level: 'silent' });
  bus = await EventBus.connect({ servers: nats.url, name: 'orders', logger });
  await bus.ensureStreams();
  relay = new OutboxRelay(bus, [models.Order, models.Return], { logger, intervalMs: 100 });
  relay.start();
  listeners = ordersListeners(bus, { models }, fast) as Listener<Subject>[];
  for (const l of listeners) await l.start();
  // Stands in for shipping, payments and expiration.
  others = await EventBus.connect({ servers: nats.url, name: 'other-services', logger });
}, 60_000);
afterAll(async () => {
  for (const l of listeners) await l.stop();
  await relay?.stop();
  await bus?.drain();
  await others?.drain();
  await nats?.destroy();
});

const buyer = { id: newId() };
const asBuyer = signinCookie(buyer);
const published = async <S extends Subject>(stream: string, subject: S, id: string) =>
  eventually(async () => {
    const msgs = await readStream(others, stream, { subject });
    const events = msgs.map((m) => parseEvent(JSON.parse(new TextDecoder().decode(m.data)), subject));
    return events.find((e) => (e.data as { id: string }).id === id) ?? null;
  });

/** A paid order of one seller's product, its shipment delivered (all through events). */
async function deliveredOrder(quantity: number) {
  const sellerId = newId();
  const product = await seedProduct(models, { userId: sellerId, quantity: 10, priceMinor: 2500 });
  const order = await placed(models, buyer.id, [{ productId: product.id, quantity }]);
  await others.publish(
    makeEvent(Subjects.PaymentCreated, { id: newId(), orderId: order.id, userId: buyer.id, amountMinor: 2500 * quantity, version: 0 }),
  );
  await eventually(
    async () =>
      (await models.Order.findById(order.id).lean())?.holdAction === null &&
      (await models.Order.findById(order.id).lean())?.status === 'complete',
  );
  const ref = { id: newId(), orderId: order.id as string, sellerId, buyerId: buyer.id };
  const at = new Date().toISOString();
  // Shuffled on purpose: the replica waits for the versions before.
  await others.publish(
    makeEvent(Subjects.ShipmentDelivered, {
      ...ref,
      deliveredAt: at,
      by: 'auto',
      returnableUntil: new Date(Date.now() + 86_400_000).toISOString(),
      version: 2,
    }),
  );
  await others.publish(
    makeEvent(Subjects.ShipmentShipped, { ...ref, carrier: 'UPS', trackingNumber: '1Z', shippedAt: at, autoDeliverAt: at, version: 1 }),
  );
  await others.publish(makeEvent(Subjects.ShipmentCreated, { ...ref, items: [{ productId: product.id, quantity }], version: 0 }));
  await eventually(async () => (await models.ShipmentReplica.findById(ref.id).lean())?.status === 'delivered');
  return { order, product, shipment: ref, asSeller: signinCookie({ id: sellerId }) };
}

it('requested → approved → received (restocked once) → refunded by payment.refunded, each event published once', async () => {
  const { order, product, shipment, asSeller } = await deliveredOrder(3);
  expect(await models.ProductReplica.findById(product.id).lean()).toMatchObject({ available: 7, sold: 3 });

  const asked = await request(app)
    .post(`/api/orders/${order.id}/returns`)
    .set('Cookie', asBuyer)
    .send({ items: [{ productId: product.id, quantity: 2 }], reason: 'not_as_described' })
    .expect(201);
  const id = asked.body.id as string;
  expect((await published(Streams.returns.name, Subjects.ReturnRequested, id)).data).toMatchObject({ shipmentId: shipment.id, version: 0 });
  await request(app).post(`/api/returns/${id}/approve`).set('Cookie', asSeller).expect(200);
  await request(app).post(`/api/returns/${id}/receive`).set('Cookie', asSeller).send({ restock: true }).expect(200);
  const received = (await published(Streams.returns.name, Subjects.ReturnReceived, id)).data as EventData<typeof Subjects.ReturnReceived>;
  expect(received).toMatchObject({ amountMinor: 5000, restock: true, version: 2 });

  // orders' own return.received put the two units back on sale.
  await eventually(async () => (await models.ProductReplica.findById(product.id).lean())?.available === 9);

  // payments refunds it (twice: a redelivery)
  const refund = makeEvent(Subjects.PaymentRefunded, {
    id: `return-${id}`,
    paymentId: newId(),
    orderId: order.id as string,
    userId: buyer.id,
    reason: 'return',
    sourceId: id,
    amountMinor: received.amountMinor,
    items: received.items,
    version: 0,
  });
  await others.publish(refund);
  await others.publish(makeEvent(Subjects.PaymentRefunded, refund.data));
  const refunded = (await published(Streams.returns.name, Subjects.ReturnRefunded, id)).data;
  expect(refunded).toMatchObject({ refundId: `return-${id}`, amountMinor: 5000, version: 3 });

  const shown = await request(app).get(`/api/returns/${id}`).set('Cookie', asBuyer).expect(200);
  expect(shown.body).toMatchObject({ status: 'refunded', restock: true, amount: 50, version: 3 });
  const ord = await request(app).get(`/api/orders/${order.id}`).set('Cookie', asBuyer).expect(200);
  expect(ord.body).toMatchObject({ status: 'complete', fulfillment: 'delivered', payment: 'partially_refunded', refunded: 50 });
  // Each step's event went out once (the outbox relay and JetStream's dedup by event id).
  for (const subject of [Subjects.ReturnRequested, Subjects.ReturnApproved, Subjects.ReturnReceived, Subjects.ReturnRefunded]) {
    const msgs = await readStream(others, Streams.returns.name, { subject });
    expect(msgs.filter((m) => new TextDecoder().decode(m.data).includes(id))).toHaveLength(1);
  }
  expect(await models.ProductReplica.findById(product.id).lean()).toMatchObject({ available: 9, sold: 1, restocks: [id] });
  expect(await models.RefundReplica.countDocuments({ orderId: order.id })).toBe(1);
});

it('the return window closed by the timer refuses a request', async () => {
  const { order, product, shipment } = await deliveredOrder(1);
  await others.publish(
    makeEvent(Subjects.ReturnWindowClosed, { shipmentId: shipment.id, orderId: order.id, sellerId: shipment.sellerId, version: 2 }),
  );
  await eventually(async () => (await models.ShipmentReplica.findById(shipment.id).lean())?.returnWindowClosed === true);
  await request(app)
    .post(`/api/orders/${order.id}/returns`)
    .set('Cookie', asBuyer)
    .send({ items: [{ productId: product.id, quantity: 1 }], reason: 'changed_mind' })
    .expect(409, /return window closed/);
});

it('a cancelled part: units back on sale once, the order cancelled in fulfilment and refunded in payment', async () => {
  const sellerId = newId();
  const product = await seedProduct(models, { userId: sellerId, quantity: 4, priceMinor: 1000 });
  const order = await placed(models, buyer.id, [{ productId: product.id, quantity: 2 }]);
  await others.publish(
    makeEvent(Subjects.PaymentCreated, { id: newId(), orderId: order.id, userId: buyer.id, amountMinor: 2000, version: 0 }),
  );
  const ref = { id: newId(), orderId: order.id as string, sellerId, buyerId: buyer.id };
  const cancelled = makeEvent(Subjects.ShipmentCancelled, {
    ...ref,
    items: [{ productId: product.id, quantity: 2, priceMinor: 1000 }],
    amountMinor: 2000,
    cancelledAt: new Date().toISOString(),
    version: 1,
  });
  await others.publish(cancelled);
  await others.publish(makeEvent(Subjects.ShipmentCreated, { ...ref, items: [{ productId: product.id, quantity: 2 }], version: 0 }));
  await others.publish(makeEvent(Subjects.ShipmentCancelled, cancelled.data)); // a redelivery under another id
  await others.publish(
    makeEvent(Subjects.PaymentRefunded, {
      id: `shipment-cancelled-${ref.id}`,
      paymentId: newId(),
      orderId: order.id as string,
      userId: buyer.id,
      reason: 'shipment-cancelled',
      sourceId: ref.id,
      amountMinor: 2000,
      items: cancelled.data.items,
      version: 0,
    }),
  );
  const ord = await eventually(async () => {
    const body = (await request(app).get(`/api/orders/${order.id}`).set('Cookie', asBuyer).expect(200)).body;
    return body.fulfillment === 'cancelled' && body.payment === 'refunded' ? body : null;
  });
  expect(ord).toMatchObject({ status: 'complete', refunded: 20 });
  await eventually(async () => {
    const p = await models.ProductReplica.findById(product.id).lean();
    return p?.available === 4 && p.holds.length === 0 ? p : null;
  });
  expect(await models.ProductReplica.findById(product.id).lean()).toMatchObject({ available: 4, sold: 0, restocks: [ref.id] });
});
