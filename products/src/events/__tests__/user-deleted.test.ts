/**
 * user.deleted through a real nats-server and FerretDB (SPEC invariant 13): products' real
 * listeners and outbox relay; the test stands in for auth and orders. The deleted seller's
 * products are taken off sale (quantity = units already taken, so GET shows none available) and
 * product.updated tells orders' replica, once per product however often user.deleted arrives;
 * another seller's product is untouched. Products hold no email, name or address of anyone (a
 * product has its seller's id, title, description, price and quantity), so nothing else is erased.
 */
import mongoose from 'mongoose';
import request from 'supertest';
import { createLogger, makeEvent, OutboxRelay, parseEvent, Streams, Subjects, type Listener, type Subject } from '@jetmart/common';
import { eventually, readStream, signinCookie, useTestBus, useTestDatabase } from '@jetmart/common/testing';
import { productsListeners } from '../listeners';
import { syncIndexes, testApp } from '../../__tests__/helpers';

useTestDatabase({ prefix: 'products_user_deleted' });
const { app, models } = testApp();
beforeAll(() => syncIndexes(models));
const logger = createLogger('products-user-deleted-test', { level: 'silent' });
const oid = () => new mongoose.Types.ObjectId().toHexString();

let listeners: Listener<Subject>[] = [];
let relay: OutboxRelay | undefined;
const jet = useTestBus({
  name: 'products-user-deleted-test',
  logger,
  freshStreams: ['ORDERS', 'PRODUCTS', 'USERS'],
  beforeDrain: async () => {
    await relay?.stop();
    await Promise.all(listeners.map((l) => l.stop()));
  },
});
beforeEach(async () => {
  relay = new OutboxRelay(jet.bus, [models.Product], { logger, intervalMs: 100 });
  relay.start();
  listeners = productsListeners(jet.bus, { models }, { backoffMs: 50, maxBackoffMs: 300 });
  for (const l of listeners) await l.start();
});

async function newProduct(seller: string, quantity: number): Promise<string> {
  const res = await request(app)
    .post('/api/products')
    .set('Cookie', signinCookie({ id: seller }))
    .send({ title: 'Lamp', price: 15, quantity });
  expect(res.status).toBe(201);
  return res.body.id as string;
}
const shown = async (id: string) =>
  (await request(app).get(`/api/products/${id}`).expect(200)).body as { quantity: number; available: number; version: number };
const drained = async (subject: Subject) => {
  const l = listeners.find((x) => x.subject === subject)!;
  await eventually(async () => {
    const c = await jet.bus.jsm.consumers.info(l.streamName, l.durableName);
    return c.num_pending + c.num_ack_pending === 0 || undefined;
  });
};
const outboxEmpty = async () => (await models.Product.countDocuments({ 'outbox.0': { $exists: true } })) === 0;
const updates = async () =>
  (await readStream(jet.bus, Streams.products.name, { subject: Subjects.ProductUpdated })).map(
    (m) => parseEvent(JSON.parse(new TextDecoder().decode(m.data)), Subjects.ProductUpdated).data,
  );

describe('user.deleted', () => {
  it("takes the seller's products off sale (quantity = units taken), publishes product.updated once each; twice is once; another seller is untouched", async () => {
    const seller = oid();
    const other = oid();
    const held = await newProduct(seller, 5);
    const idle = await newProduct(seller, 3);
    const others = await newProduct(other, 4);
    // A live order holds 2 units of `held`.
    await jet.bus.publish(
      makeEvent(Subjects.OrderCreated, {
        id: oid(),
        userId: oid(),
        status: 'created',
        expiresAt: new Date(Date.now() + 60_000).toISOString(),
        items: [{ productId: held, quantity: 2, sellerId: seller, title: 'Lamp', priceMinor: 1500 }],
        totalMinor: 3000,
        version: 0,
      }),
    );
    await eventually(async () => (await shown(held)).available === 3);

    await jet.bus.publish(makeEvent(Subjects.UserDeleted, { id: seller, version: 3 }));
    await eventually(async () => (await shown(idle)).quantity === 0 && (await shown(held)).quantity === 2);
    await drained(Subjects.UserDeleted);
    await eventually(outboxEmpty);
    // A second delivery (a new message) changes nothing and publishes nothing.
    await jet.bus.publish(makeEvent(Subjects.UserDeleted, { id: seller, version: 3 }));
    await drained(Subjects.UserDeleted);
    await eventually(outboxEmpty);

    expect(await shown(held)).toMatchObject({ quantity: 2, available: 0, version: 1 });
    expect(await shown(idle)).toMatchObject({ quantity: 0, available: 0, version: 1 });
    expect(await shown(others)).toMatchObject({ quantity: 4, available: 4, version: 0 });
    for (const id of [held, idle]) expect((await models.Product.findById(id).lean())?.unlistedAt).toBeInstanceOf(Date);
    expect((await models.Product.findById(others).lean())?.unlistedAt).toBeUndefined();
    const published = (await updates()).map((d) => [d.id, d.quantity, d.version]);
    expect(published.sort()).toEqual(
      [
        [held, 2, 1],
        [idle, 0, 1],
      ].sort(),
    );
  }, 60_000);
});
