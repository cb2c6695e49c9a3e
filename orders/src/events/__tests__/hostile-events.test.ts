/**
 * Malformed events on every subject orders consumes (SPEC invariant 6), through a real
 * nats-server and the service's real listeners: non-JSON bytes, random JSON, missing fields,
 * wrong types, NoSQL operator objects, huge strings, bad numbers, a wrong subject in the envelope.
 * Every one must end in DEADLETTER (`deadletter.<durable>`), nothing may change in the database,
 * and a valid event afterwards is still applied. Seeded (HOSTILE_EVENTS_SEED, HOSTILE_EVENTS_RUNS).
 * Payloads, publishing and the checks are `useHostileEvents` (@jetmart/common/testing).
 */
import { makeEvent, Subjects, type Event, type Subject } from '@jetmart/common';
import { eventually, snapshotModels, useHostileEvents, useTestDatabase } from '@jetmart/common/testing';
import { ordersListeners } from '../listeners';
import { applyShipmentCreated, applyShipmentStep } from '../../models';
import { newId as oid, placed, seedProduct, syncIndexes, testApp } from '../../__tests__/helpers';

const { connection } = useTestDatabase({ clearEachTest: false, prefix: 'orders_hostile_events' });
const { models } = testApp(connection);
let product: Awaited<ReturnType<typeof seedProduct>>;
let payOrder = '';
let expireOrder = '';
/** Shipment replicas a wrongly applied shipment event would move: one pending (v0), one shipped (v1). */
const pendingShipment = { id: oid(), orderId: oid(), sellerId: oid(), buyerId: oid() };
const shippedShipment = { id: oid(), orderId: oid(), sellerId: oid(), buyerId: oid() };
/** A pending shipment a shipment.cancelled would cancel (and restock), a delivered one a window-closed would close. */
const toCancel = { id: oid(), orderId: oid(), sellerId: oid(), buyerId: oid() };
const deliveredShipment = { id: oid(), orderId: oid(), sellerId: oid(), buyerId: oid() };
/** Products a shipment.cancelled or a return.received would put units back on sale of. */
let restockable: Awaited<ReturnType<typeof seedProduct>>;
let returnable: Awaited<ReturnType<typeof seedProduct>>;
/** A created order whose payment attempts payment.started / payment.failed would note. */
let attemptOrder = '';
const refundOrder = oid();
/** A buyer a user.deleted would forget, with an unpaid order (cancelled and anonymised then). */
const forgottenBuyer = oid();
let forgottenOrder = '';

beforeAll(async () => {
  await syncIndexes(models);
  // Existing state a wrongly applied event would change: a product replica and two created orders.
  product = await seedProduct(models, { quantity: 10 });
  payOrder = (await placed(models, oid(), [{ productId: product.id, quantity: 2 }])).id;
  expireOrder = (await placed(models, oid(), [{ productId: product.id, quantity: 1 }], 1)).id;
  for (const s of [pendingShipment, shippedShipment]) await applyShipmentCreated(models.ShipmentReplica, shipmentCreated(s));
  await applyShipmentStep(models.ShipmentReplica, shipmentShipped(shippedShipment), 'shipped');
  restockable = await seedProduct(models, { quantity: 10 });
  returnable = await seedProduct(models, { quantity: 10 });
  await applyShipmentCreated(models.ShipmentReplica, { ...toCancel, items: [{ productId: restockable.id, quantity: 1 }], version: 0 });
  await applyShipmentCreated(models.ShipmentReplica, shipmentCreated(deliveredShipment));
  await applyShipmentStep(models.ShipmentReplica, shipmentShipped(deliveredShipment), 'shipped');
  await applyShipmentStep(models.ShipmentReplica, shipmentDelivered(deliveredShipment), 'delivered');
  attemptOrder = (await placed(models, oid(), [{ productId: product.id, quantity: 1 }])).id;
  forgottenOrder = (await placed(models, forgottenBuyer, [{ productId: product.id, quantity: 1 }])).id;
}, 60_000);
const hostile = useHostileEvents({
  name: 'orders-hostile',
  listeners: (bus, opts) => ordersListeners(bus, { models }, opts),
  snapshot: () => snapshotModels(models),
});
const { attack } = hostile;

// ---- valid events
type ShipmentRef = typeof pendingShipment;
function shipmentCreated(ref: ShipmentRef) {
  return { ...ref, items: [{ productId: oid(), quantity: 1 }], version: 0 };
}
function shipmentShipped(ref: ShipmentRef) {
  const now = Date.now();
  return {
    ...ref,
    carrier: 'DHL',
    trackingNumber: 'JD014600003828',
    shippedAt: new Date(now).toISOString(),
    autoDeliverAt: new Date(now + 14 * 86_400_000).toISOString(),
    version: 1,
  };
}
const shipmentDelivered = (ref: ShipmentRef) => ({ ...ref, deliveredAt: new Date().toISOString(), by: 'buyer' as const, version: 2 });
const shipmentCancelled = () => ({
  ...toCancel,
  items: [{ productId: restockable.id, quantity: 1, priceMinor: 1999 }],
  amountMinor: 1999,
  cancelledAt: new Date().toISOString(),
  version: 1,
});
const returnReceived = () => ({
  id: oid(),
  orderId: oid(),
  shipmentId: oid(),
  sellerId: returnable.userId,
  buyerId: oid(),
  items: [{ productId: returnable.id, quantity: 2, priceMinor: 1999 }],
  amountMinor: 3998,
  restock: true,
  version: 2,
});
const paymentRefunded = () => ({
  id: `order-cancelled-${refundOrder}`,
  paymentId: oid(),
  orderId: refundOrder,
  userId: oid(),
  reason: 'order-cancelled' as const,
  sourceId: refundOrder,
  amountMinor: 1999,
  items: [{ productId: product.id, quantity: 1, priceMinor: 1999 }],
  version: 0,
});
const productEvent = (subject: typeof Subjects.ProductCreated | typeof Subjects.ProductUpdated, id: string, version: number) =>
  makeEvent(subject, { id, title: `Lamp v${version}`, priceMinor: 1999, quantity: 12, userId: product.userId, version });
/** A paid order's lines: order.completed records them in the sales read model. */
const soldOrder = oid();
const orderCompleted = (id = soldOrder) => ({
  id,
  userId: oid(),
  items: [{ productId: product.id, quantity: 1, sellerId: product.userId, title: 'Lamp', priceMinor: 1999 }],
  version: 1,
});
const all = (): Event[] => [
  productEvent(Subjects.ProductCreated, oid(), 0),
  productEvent(Subjects.ProductUpdated, product.id, 1),
  makeEvent(Subjects.ExpirationComplete, { orderId: expireOrder, version: 0 }),
  makeEvent(Subjects.PaymentCreated, { id: oid(), orderId: payOrder, userId: oid(), amountMinor: 3998, version: 0 }),
  makeEvent(Subjects.OrderCreated, {
    id: oid(),
    userId: oid(),
    status: 'created',
    expiresAt: new Date(Date.now() + 60_000).toISOString(),
    items: [{ productId: product.id, quantity: 1, title: 'Lamp', priceMinor: 1999 }],
    totalMinor: 1999,
    version: 0,
  }),
  makeEvent(Subjects.OrderCancelled, {
    id: payOrder,
    userId: oid(),
    reason: 'buyer',
    items: [{ productId: product.id, quantity: 2 }],
    version: 1,
  }),
  makeEvent(Subjects.ShipmentCreated, shipmentCreated({ id: oid(), orderId: oid(), sellerId: oid(), buyerId: oid() })),
  makeEvent(Subjects.ShipmentShipped, shipmentShipped(pendingShipment)),
  makeEvent(Subjects.ShipmentDelivered, shipmentDelivered(shippedShipment)),
  makeEvent(Subjects.ShipmentCancelled, shipmentCancelled()),
  makeEvent(Subjects.ReturnWindowClosed, {
    shipmentId: deliveredShipment.id,
    orderId: deliveredShipment.orderId,
    sellerId: deliveredShipment.sellerId,
    version: 2,
  }),
  makeEvent(Subjects.PaymentStarted, { id: oid(), orderId: attemptOrder, userId: oid(), attempt: 1, version: 0 }),
  makeEvent(Subjects.PaymentFailed, { id: oid(), orderId: attemptOrder, userId: oid(), attempt: 1, reason: 'declined', version: 0 }),
  makeEvent(Subjects.PaymentRefunded, paymentRefunded()),
  makeEvent(Subjects.ReturnReceived, returnReceived()),
  makeEvent(Subjects.OrderCompleted, orderCompleted()),
];
const goodFor = (subject: Subject) => all().find((e) => e.subject === subject)!;
const others = (subject: Subject) => all().filter((e) => e.subject !== subject);
const productIds: string[][] = [['id'], ['data', 'id'], ['data', 'userId']];
const shipmentIds: string[][] = [['id'], ['data', 'id'], ['data', 'orderId'], ['data', 'sellerId'], ['data', 'buyerId']];
const order = (id: string) => models.Order.findById(id).lean();
const shipment = (id: string) => models.ShipmentReplica.findById(id).lean();
/**
 * Waits until a valid event's whole effect is stored: the status, and then its units released or
 * sold (holdAction cleared). Otherwise the listener's settle would still be running when the next
 * test takes its before-snapshot, and show up as a change made by that test's hostile events.
 */
const settled = (id: string, status: string) =>
  eventually(async () => {
    const o = await order(id);
    return o?.status === status && o.holdAction === null;
  });

describe('orders: hostile events are dead-lettered, change nothing, and the service keeps consuming', () => {
  it('product.created', async () => {
    await attack(Subjects.ProductCreated, goodFor(Subjects.ProductCreated), others(Subjects.ProductCreated), productIds);
    const id = oid();
    await hostile.bus.publish(productEvent(Subjects.ProductCreated, id, 0));
    expect(await eventually(() => models.ProductReplica.findById(id).lean())).toMatchObject({ version: 0, quantity: 12 });
  }, 90_000);

  it('product.updated', async () => {
    await attack(Subjects.ProductUpdated, goodFor(Subjects.ProductUpdated), others(Subjects.ProductUpdated), productIds);
    await hostile.bus.publish(productEvent(Subjects.ProductUpdated, product.id, 1));
    await eventually(async () => (await models.ProductReplica.findById(product.id).lean())?.version === 1);
  }, 90_000);

  it('expiration.complete', async () => {
    await attack(Subjects.ExpirationComplete, goodFor(Subjects.ExpirationComplete), others(Subjects.ExpirationComplete), [
      ['id'],
      ['data', 'orderId'],
    ]);
    expect(await order(expireOrder)).toMatchObject({ status: 'created' });
    await hostile.bus.publish(makeEvent(Subjects.ExpirationComplete, { orderId: expireOrder, version: 0 }));
    await settled(expireOrder, 'cancelled');
  }, 90_000);

  it('payment.created', async () => {
    await attack(Subjects.PaymentCreated, goodFor(Subjects.PaymentCreated), others(Subjects.PaymentCreated), [
      ['id'],
      ['data', 'id'],
      ['data', 'orderId'],
      ['data', 'userId'],
    ]);
    expect(await order(payOrder)).toMatchObject({ status: 'created' });
    await hostile.bus.publish(goodFor(Subjects.PaymentCreated));
    await settled(payOrder, 'complete');
  }, 90_000);

  it('shipment.created', async () => {
    await attack(Subjects.ShipmentCreated, goodFor(Subjects.ShipmentCreated), others(Subjects.ShipmentCreated), [
      ...shipmentIds,
      ['data', 'items', '0', 'productId'],
    ]);
    const fresh = { id: oid(), orderId: oid(), sellerId: oid(), buyerId: oid() };
    await hostile.bus.publish(makeEvent(Subjects.ShipmentCreated, shipmentCreated(fresh)));
    expect(await eventually(() => shipment(fresh.id))).toMatchObject({
      orderId: fresh.orderId,
      sellerId: fresh.sellerId,
      status: 'pending',
      version: 0,
    });
  }, 90_000);

  it('shipment.shipped', async () => {
    await attack(Subjects.ShipmentShipped, goodFor(Subjects.ShipmentShipped), others(Subjects.ShipmentShipped), shipmentIds);
    expect(await shipment(pendingShipment.id)).toMatchObject({ status: 'pending', version: 0 });
    await hostile.bus.publish(goodFor(Subjects.ShipmentShipped));
    await eventually(async () => (await shipment(pendingShipment.id))?.status === 'shipped');
    expect(await shipment(pendingShipment.id)).toMatchObject({ version: 1 });
  }, 90_000);

  it('shipment.delivered', async () => {
    await attack(Subjects.ShipmentDelivered, goodFor(Subjects.ShipmentDelivered), others(Subjects.ShipmentDelivered), shipmentIds);
    expect(await shipment(shippedShipment.id)).toMatchObject({ status: 'shipped', version: 1 });
    await hostile.bus.publish(goodFor(Subjects.ShipmentDelivered));
    await eventually(async () => (await shipment(shippedShipment.id))?.status === 'delivered');
    expect(await shipment(shippedShipment.id)).toMatchObject({ version: 2 });
  }, 90_000);

  it('shipment.cancelled', async () => {
    await attack(Subjects.ShipmentCancelled, goodFor(Subjects.ShipmentCancelled), others(Subjects.ShipmentCancelled), [
      ...shipmentIds,
      ['data', 'items', '0', 'productId'],
    ]);
    expect(await shipment(toCancel.id)).toMatchObject({ status: 'pending', version: 0 });
    await hostile.bus.publish(goodFor(Subjects.ShipmentCancelled));
    await eventually(async () => (await shipment(toCancel.id))?.status === 'cancelled');
    expect(await eventually(async () => (await models.ProductReplica.findById(restockable.id).lean())?.restocks.length === 1)).toBe(true);
  }, 90_000);

  it('expiration.return-window-closed', async () => {
    await attack(Subjects.ReturnWindowClosed, goodFor(Subjects.ReturnWindowClosed), others(Subjects.ReturnWindowClosed), [
      ['id'],
      ['data', 'shipmentId'],
      ['data', 'orderId'],
      ['data', 'sellerId'],
    ]);
    expect((await shipment(deliveredShipment.id))?.returnWindowClosed).toBeUndefined();
    await hostile.bus.publish(goodFor(Subjects.ReturnWindowClosed));
    await eventually(async () => (await shipment(deliveredShipment.id))?.returnWindowClosed === true);
  }, 90_000);

  it('payment.started', async () => {
    await attack(Subjects.PaymentStarted, goodFor(Subjects.PaymentStarted), others(Subjects.PaymentStarted), [
      ['id'],
      ['data', 'id'],
      ['data', 'orderId'],
      ['data', 'userId'],
    ]);
    await hostile.bus.publish(goodFor(Subjects.PaymentStarted));
    await eventually(async () => (await order(attemptOrder))?.paymentStartedAttempt === 1);
    expect(await order(attemptOrder)).toMatchObject({ status: 'created', version: 0 });
  }, 90_000);

  it('payment.failed', async () => {
    await attack(Subjects.PaymentFailed, goodFor(Subjects.PaymentFailed), others(Subjects.PaymentFailed), [
      ['id'],
      ['data', 'id'],
      ['data', 'orderId'],
      ['data', 'userId'],
    ]);
    await hostile.bus.publish(goodFor(Subjects.PaymentFailed));
    await eventually(async () => (await order(attemptOrder))?.paymentFailedAttempt === 1);
    expect(await order(attemptOrder)).toMatchObject({ status: 'created', version: 0 });
  }, 90_000);

  it('payment.refunded', async () => {
    await attack(Subjects.PaymentRefunded, goodFor(Subjects.PaymentRefunded), others(Subjects.PaymentRefunded), [
      ['id'],
      ['data', 'id'],
      ['data', 'paymentId'],
      ['data', 'orderId'],
      ['data', 'userId'],
      ['data', 'sourceId'],
      ['data', 'items', '0', 'productId'],
    ]);
    expect(await models.RefundReplica.countDocuments()).toBe(0);
    await hostile.bus.publish(goodFor(Subjects.PaymentRefunded));
    expect(await eventually(() => models.RefundReplica.findById(`order-cancelled-${refundOrder}`).lean())).toMatchObject({
      orderId: refundOrder,
      amountMinor: 1999,
    });
  }, 90_000);

  it('return.received', async () => {
    await attack(Subjects.ReturnReceived, goodFor(Subjects.ReturnReceived), others(Subjects.ReturnReceived), [
      ['id'],
      ['data', 'id'],
      ['data', 'orderId'],
      ['data', 'shipmentId'],
      ['data', 'sellerId'],
      ['data', 'buyerId'],
      ['data', 'items', '0', 'productId'],
    ]);
    expect(await models.ProductReplica.findById(returnable.id).lean()).toMatchObject({ available: 10, restocks: [] });
    await hostile.bus.publish(goodFor(Subjects.ReturnReceived));
    await eventually(async () => (await models.ProductReplica.findById(returnable.id).lean())?.available === 12);
  }, 90_000);

  it('order.completed', async () => {
    await attack(Subjects.OrderCompleted, goodFor(Subjects.OrderCompleted), others(Subjects.OrderCompleted), [
      ['id'],
      ['data', 'id'],
      ['data', 'userId'],
      ['data', 'items', '0', 'productId'],
      ['data', 'items', '0', 'sellerId'],
    ]);
    expect(await models.SaleLine.countDocuments()).toBe(0);
    await hostile.bus.publish(goodFor(Subjects.OrderCompleted));
    expect(await eventually(() => models.SaleLine.findById(`${soldOrder}:${product.id}`).lean())).toMatchObject({
      sellerId: product.userId,
      quantity: 1,
      revenueMinor: 1999,
      buyerCity: null,
    });
  }, 90_000);

  it('user.deleted', async () => {
    const good = makeEvent(Subjects.UserDeleted, { id: forgottenBuyer, version: 2 });
    await attack(Subjects.UserDeleted, good, all(), [['id'], ['data', 'id']]);
    expect(await order(forgottenOrder)).toMatchObject({ status: 'created', shippingAddress: { name: 'Ada Lovelace' } });
    await hostile.bus.publish(good);
    await settled(forgottenOrder, 'cancelled');
    await eventually(async () => (await order(forgottenOrder))?.shippingAddress?.name === 'deleted user');
  }, 90_000);
});
