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
import { newId as oid, placed, seedProduct, syncIndexes, testApp } from '../../__tests__/helpers';

const { connection } = useTestDatabase({ clearEachTest: false, prefix: 'orders_hostile_events' });
const { models } = testApp(connection);
let product: Awaited<ReturnType<typeof seedProduct>>;
let payOrder = '';
let expireOrder = '';

beforeAll(async () => {
  await syncIndexes(models);
  // Existing state a wrongly applied event would change: a product replica and two created orders.
  product = await seedProduct(models, { quantity: 10 });
  payOrder = (await placed(models, oid(), [{ productId: product.id, quantity: 2 }])).id;
  expireOrder = (await placed(models, oid(), [{ productId: product.id, quantity: 1 }], 1)).id;
}, 60_000);
const hostile = useHostileEvents({ name: 'orders-hostile', listeners: (bus, opts) => ordersListeners(bus, { models }, opts), snapshot: () => snapshotModels(models) });
const { attack } = hostile;

// ---- valid events
const productEvent = (subject: typeof Subjects.ProductCreated | typeof Subjects.ProductUpdated, id: string, version: number) =>
  makeEvent(subject, { id, title: `Lamp v${version}`, priceMinor: 1999, quantity: 12, userId: product.userId, version });
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
  makeEvent(Subjects.OrderCancelled, { id: payOrder, userId: oid(), reason: 'buyer', items: [{ productId: product.id, quantity: 2 }], version: 1 }),
];
const goodFor = (subject: Subject) => all().find((e) => e.subject === subject)!;
const others = (subject: Subject) => all().filter((e) => e.subject !== subject);
const productIds: string[][] = [['id'], ['data', 'id'], ['data', 'userId']];
const order = (id: string) => models.Order.findById(id).lean();
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
    await attack(Subjects.ExpirationComplete, goodFor(Subjects.ExpirationComplete), others(Subjects.ExpirationComplete), [['id'], ['data', 'orderId']]);
    expect(await order(expireOrder)).toMatchObject({ status: 'created' });
    await hostile.bus.publish(makeEvent(Subjects.ExpirationComplete, { orderId: expireOrder, version: 0 }));
    await settled(expireOrder, 'cancelled');
  }, 90_000);

  it('payment.created', async () => {
    await attack(Subjects.PaymentCreated, goodFor(Subjects.PaymentCreated), others(Subjects.PaymentCreated), [['id'], ['data', 'id'], ['data', 'orderId'], ['data', 'userId']]);
    expect(await order(payOrder)).toMatchObject({ status: 'created' });
    await hostile.bus.publish(goodFor(Subjects.PaymentCreated));
    await settled(payOrder, 'complete');
  }, 90_000);
});
