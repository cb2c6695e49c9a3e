/**
 * Malformed events on every subject products consumes (SPEC invariant 6), through a real
 * nats-server and the service's real listeners: non-JSON bytes, random JSON, missing fields,
 * wrong types, NoSQL operator objects, huge strings, bad numbers, a wrong subject in the envelope.
 * Every one must end in DEADLETTER (`deadletter.<durable>`), nothing may change in the database,
 * and a valid event afterwards is still applied. Seeded (HOSTILE_EVENTS_SEED, HOSTILE_EVENTS_RUNS).
 * Payloads, publishing and the checks are `useHostileEvents` (@jetmart/common/testing).
 */
import mongoose from 'mongoose';
import { makeEvent, Subjects, type Event, type Subject } from '@jetmart/common';
import { eventually, snapshotModels, useHostileEvents, useTestDatabase } from '@jetmart/common/testing';
import { productsModels, recordHeld, recordSold } from '../../models';
import { productsListeners } from '../listeners';

const { connection } = useTestDatabase({ clearEachTest: false, prefix: 'products_hostile_events' });
const models = productsModels(connection);
const oid = () => new mongoose.Types.ObjectId().toHexString();
const productId = oid();
const heldOrder = oid();
// Sold orders a wrongly applied restock would put back on sale (one per restocking subject).
const soldForCancel = oid();
const soldForReturn = oid();
// A seller a user.deleted would unlist: one product of theirs on sale.
const leavingSeller = oid();
let listedId = '';

beforeAll(async () => {
  await Promise.all(Object.values(models).map((m) => m.syncIndexes()));
  // Existing state a wrongly applied event would change: an order holding 2 units.
  await recordHeld(models.UnitLedger, heldOrder, [{ productId, quantity: 2 }]);
  for (const orderId of [soldForCancel, soldForReturn]) {
    await recordHeld(models.UnitLedger, orderId, [{ productId, quantity: 2 }]);
    await recordSold(models.UnitLedger, orderId, [{ productId, quantity: 2 }]);
  }
  // Created without product.created queued: there is no relay here to publish it.
  listedId = (await models.Product.create({ title: 'Desk', priceMinor: 9900, quantity: 3, userId: leavingSeller })).id as string;
}, 60_000);
const hostile = useHostileEvents({
  name: 'products-hostile',
  listeners: (bus, opts) => productsListeners(bus, { models }, opts),
  snapshot: () => snapshotModels(models),
});
const { attack } = hostile;

// ---- valid events
const orderCreated = (orderId: string) =>
  makeEvent(Subjects.OrderCreated, {
    id: orderId,
    userId: oid(),
    status: 'created',
    expiresAt: new Date(Date.now() + 60_000).toISOString(),
    items: [{ productId, quantity: 1, title: 'Lamp', priceMinor: 1500 }],
    totalMinor: 1500,
    version: 0,
  });
const orderEnd = <S extends typeof Subjects.OrderCancelled | typeof Subjects.OrderCompleted>(subject: S, orderId: string) =>
  subject === Subjects.OrderCancelled
    ? makeEvent(Subjects.OrderCancelled, { id: orderId, userId: oid(), reason: 'buyer', items: [{ productId, quantity: 2 }], version: 1 })
    : makeEvent(Subjects.OrderCompleted, { id: orderId, userId: oid(), items: [{ productId, quantity: 2 }], version: 1 });
const shipmentCancelled = (orderId: string) =>
  makeEvent(Subjects.ShipmentCancelled, {
    id: oid(),
    orderId,
    sellerId: oid(),
    buyerId: oid(),
    items: [{ productId, quantity: 1, priceMinor: 1500 }],
    amountMinor: 1500,
    cancelledAt: new Date().toISOString(),
    version: 1,
  });
const returnReceived = (orderId: string) =>
  makeEvent(Subjects.ReturnReceived, {
    id: oid(),
    orderId,
    shipmentId: oid(),
    sellerId: oid(),
    buyerId: oid(),
    items: [{ productId, quantity: 1, priceMinor: 1500 }],
    amountMinor: 1500,
    restock: true,
    version: 2,
  });
const otherSubjects = (subject: Subject): Event[] =>
  [
    shipmentCancelled(soldForCancel),
    returnReceived(soldForReturn),
    orderCreated(heldOrder),
    orderEnd(Subjects.OrderCancelled, heldOrder),
    orderEnd(Subjects.OrderCompleted, heldOrder),
    makeEvent(Subjects.PaymentCreated, { id: oid(), orderId: heldOrder, userId: oid(), amountMinor: 3000, version: 0 }),
    makeEvent(Subjects.ExpirationComplete, { orderId: heldOrder, version: 0 }),
  ].filter((e) => e.subject !== subject);
const entry = (orderId: string) => models.UnitLedger.findById(`${orderId}:${productId}`).lean();
const restocked = (sourceId: string) => models.UnitLedger.findOne({ sourceId, state: 'restocked' }).lean();
const refIds = [
  ['id'],
  ['data', 'id'],
  ['data', 'orderId'],
  ['data', 'sellerId'],
  ['data', 'buyerId'],
  ['data', 'items', '0', 'productId'],
];

describe('products: hostile events are dead-lettered, change nothing, and the service keeps consuming', () => {
  it('order.created', async () => {
    await attack(Subjects.OrderCreated, orderCreated(oid()), otherSubjects(Subjects.OrderCreated), [
      ['id'],
      ['data', 'id'],
      ['data', 'userId'],
      ['data', 'items', '0', 'productId'],
    ]);
    const orderId = oid();
    await hostile.bus.publish(orderCreated(orderId));
    expect(await eventually(() => entry(orderId))).toMatchObject({ state: 'held', quantity: 1 });
  }, 90_000);

  it('order.cancelled', async () => {
    await attack(Subjects.OrderCancelled, orderEnd(Subjects.OrderCancelled, heldOrder), otherSubjects(Subjects.OrderCancelled), [
      ['id'],
      ['data', 'id'],
      ['data', 'userId'],
      ['data', 'items', '0', 'productId'],
    ]);
    expect(await entry(heldOrder)).toMatchObject({ state: 'held' });
    await hostile.bus.publish(orderEnd(Subjects.OrderCancelled, heldOrder));
    await eventually(async () => (await entry(heldOrder))?.state === 'released');
  }, 90_000);

  it('order.completed', async () => {
    const orderId = oid();
    await recordHeld(models.UnitLedger, orderId, [{ productId, quantity: 2 }]);
    await attack(Subjects.OrderCompleted, orderEnd(Subjects.OrderCompleted, orderId), otherSubjects(Subjects.OrderCompleted), [
      ['id'],
      ['data', 'id'],
      ['data', 'userId'],
      ['data', 'items', '0', 'productId'],
    ]);
    expect(await entry(orderId)).toMatchObject({ state: 'held' });
    await hostile.bus.publish(orderEnd(Subjects.OrderCompleted, orderId));
    await eventually(async () => (await entry(orderId))?.state === 'sold');
  }, 90_000);

  it('shipment.cancelled', async () => {
    await attack(Subjects.ShipmentCancelled, shipmentCancelled(soldForCancel), otherSubjects(Subjects.ShipmentCancelled), refIds);
    expect(await models.UnitLedger.countDocuments({ state: 'restocked' })).toBe(0);
    const valid = shipmentCancelled(soldForCancel);
    await hostile.bus.publish(valid);
    expect(await eventually(() => restocked(valid.data.id))).toMatchObject({ orderId: soldForCancel, quantity: 1 });
  }, 90_000);

  it('return.received', async () => {
    await attack(Subjects.ReturnReceived, returnReceived(soldForReturn), otherSubjects(Subjects.ReturnReceived), [
      ...refIds,
      ['data', 'shipmentId'],
    ]);
    expect(await models.UnitLedger.countDocuments({ orderId: soldForReturn, state: 'restocked' })).toBe(0);
    const valid = returnReceived(soldForReturn);
    await hostile.bus.publish(valid);
    expect(await eventually(() => restocked(valid.data.id))).toMatchObject({ orderId: soldForReturn, quantity: 1 });
  }, 90_000);

  it('user.deleted', async () => {
    const good = makeEvent(Subjects.UserDeleted, { id: leavingSeller, version: 2 });
    await attack(Subjects.UserDeleted, good, otherSubjects(Subjects.UserDeleted), [['id'], ['data', 'id']]);
    expect(await models.Product.findById(listedId).lean()).toMatchObject({ quantity: 3, version: 0 });
    await hostile.bus.publish(good);
    await eventually(async () => (await models.Product.findById(listedId).lean())?.quantity === 0);
    expect(await models.Product.findById(listedId).lean()).toMatchObject({ version: 1, unlistedAt: expect.any(Date) });
  }, 90_000);
});
