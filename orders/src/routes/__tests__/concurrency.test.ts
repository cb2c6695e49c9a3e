import mongoose, { type Connection } from 'mongoose';
import request from 'supertest';
import { installDatabasePlugins } from '@jetmart/common';
import { signinCookie, useTestDatabase } from '@jetmart/common/testing';
import { newId, seedProduct, syncIndexes, testAddress, testApp } from '../../__tests__/helpers';

// Two instances of the orders service sharing one database, each with its own connection pool.
const db = useTestDatabase({ clearEachTest: false });
const first = testApp(db.connection);
let secondConn: Connection;
let second: ReturnType<typeof testApp>;

beforeAll(async () => {
  await syncIndexes(first.models);
  secondConn = mongoose.createConnection(db.url());
  installDatabasePlugins(secondConn);
  await secondConn.asPromise();
  second = testApp(secondConn);
});
afterAll(() => secondConn?.close());

const orderOnce = (i: number, productId: string, user: { id: string }) =>
  request(i % 2 ? first.app : second.app)
    .post('/api/orders')
    .set('Cookie', signinCookie(user))
    .send({ items: [{ productId, quantity: 1 }], shippingAddress: testAddress() });

/**
 * One buyer's order as a client places it: a 503 ("the record is busy, try again": a document lock
 * not obtained within its wait, which 50 buyers of one product on a loaded 2-core machine can
 * cause) is tried again, once the crowd has passed. Every answer in the end is 201 or 409.
 */
async function orderFrom(i: number, productId: string, user = { id: newId() }) {
  let res = await orderOnce(i, productId, user);
  for (let attempt = 0; res.status === 503 && attempt < 5; attempt++) {
    await new Promise((r) => setTimeout(r, 2_000 + Math.random() * 3_000));
    res = await orderOnce(i, productId, user);
  }
  return res;
}

it('50 concurrent single-unit orders for 5 units on two instances: exactly 5 succeed; after 2 cancels exactly 2 more', async () => {
  const product = await seedProduct(first.models, { quantity: 5 });
  const users = Array.from({ length: 50 }, () => ({ id: newId() }));
  const results = await Promise.all(users.map((u, i) => orderFrom(i, product.id, u)));
  const statuses = results.map((r) => r.status);
  expect(statuses.filter((s) => s === 201)).toHaveLength(5);
  expect(statuses.filter((s) => s !== 201 && s !== 409)).toEqual([]);
  expect(statuses.filter((s) => s === 409)).toHaveLength(45);

  const replica = (await first.models.ProductReplica.findById(product.id).lean())!;
  expect(replica.available).toBe(0);
  const winners = results.map((r, i) => ({ r, user: users[i] })).filter(({ r }) => r.status === 201);
  expect(replica.holds.map((h) => h.orderId).sort()).toEqual(winners.map(({ r }) => r.body.id).sort());

  for (const [i, { r, user }] of winners.slice(0, 2).entries()) {
    await request(i ? first.app : second.app)
      .delete(`/api/orders/${r.body.id}`)
      .set('Cookie', signinCookie(user))
      .expect(200);
  }
  expect((await first.models.ProductReplica.findById(product.id).lean())!.available).toBe(2);

  const more = await Promise.all(Array.from({ length: 20 }, (_, i) => orderFrom(i, product.id)));
  expect(more.filter((r) => r.status === 201)).toHaveLength(2);
  expect(more.filter((r) => r.status === 409)).toHaveLength(18);
  const after = (await first.models.ProductReplica.findById(product.id).lean())!;
  expect(after.available).toBe(0);
  expect(after.holds).toHaveLength(5);
  // No order is left pending (each either holds its unit or failed having released everything).
  expect(await first.models.Order.countDocuments({ status: 'pending' })).toBe(0);
  expect(await first.models.Order.countDocuments({ status: 'created' })).toBe(5);
}, 120_000);
