/**
 * Hostile input at every orders route (SPEC invariant 6): random and malformed JSON, wrong types,
 * NoSQL operators, unicode edge cases, very long strings, huge bodies, hostile ids, headers and
 * session cookies. Every answer is < 500 and, when it is an error, a 4xx in the documented shape
 * {errors:[{message, field?}]}. Seeded, so a failure reproduces. The arbitraries and
 * assertions shared by every service are in @jetmart/common/testing (hostile.ts).
 */
import fc from 'fast-check';
import request from 'supertest';
import { anyValue, expectErrorShape, expectNever5xx, hostileCookie, hostileId, percentEncode, rawBody, rawSegment, signinCookie, useTestDatabase, weirdNumber, weirdString, wrongType } from '@jetmart/common/testing';
import { newId, seedProduct, syncIndexes, testApp } from './helpers';

const { connection } = useTestDatabase({ clearEachTest: false, prefix: 'orders_hostile' });
const { app, models } = testApp(connection);
const buyer = { id: newId() };
let productId = '';
let orderId = '';

beforeAll(async () => {
  await syncIndexes(models);
  productId = (await seedProduct(models, { quantity: 1000 })).id;
  const res = await request(app).post('/api/orders').set('Cookie', signinCookie(buyer)).send({ items: [{ productId, quantity: 1 }] });
  expect(res.status).toBe(201);
  orderId = res.body.id;
});

const RUNS = Number(process.env.HOSTILE_RUNS ?? 200);
const params = (seed: number) => ({ numRuns: RUNS, seed });

const line = fc.record({ productId: fc.oneof(fc.constant('P'), weirdString, wrongType), quantity: fc.oneof(weirdNumber, wrongType, weirdString) }, { requiredKeys: [] });
/** Order bodies where something is of a wrong type: always 400 (or 413), nothing held. */
const invalidBody = fc.oneof(
  fc.record({ items: wrongType }),
  fc.record({ items: fc.array(fc.record({ productId: wrongType, quantity: fc.constant(1) }), { minLength: 1, maxLength: 3 }) }),
  fc.record({ items: fc.array(fc.record({ productId: fc.constant('x'), quantity: fc.oneof(wrongType, weirdString) }), { minLength: 1, maxLength: 3 }) }),
  fc.dictionary(fc.constantFrom('$where', 'userId', 'status', 'total'), anyValue, { minKeys: 1 }),
);
const randomBody = fc.record({ items: fc.oneof(fc.array(line, { maxLength: 60 }), anyValue) }, { requiredKeys: [] });

describe('orders: hostile input never answers 5xx', () => {
  it('POST /api/orders: wrong types and operators → 400, nothing held', async () => {
    const before = await models.Order.countDocuments();
    await fc.assert(
      fc.asyncProperty(invalidBody, async (body) => {
        const res = await request(app).post('/api/orders').set('Cookie', signinCookie(buyer)).send(body);
        expect([400, 413]).toContain(res.status);
        expectErrorShape(res);
      }),
      params(201),
    );
    expect(await models.Order.countDocuments()).toBe(before);
    expect((await models.ProductReplica.findById(productId).lean())!.available).toBe(999);
  });

  it('POST /api/orders: random lines (real product id included) → never 5xx; units never below zero', async () => {
    await fc.assert(
      fc.asyncProperty(randomBody, async (body) => {
        const items = Array.isArray(body.items) ? body.items.map((l) => (l && typeof l === 'object' && l.productId === 'P' ? { ...l, productId } : l)) : body.items;
        const res = await request(app).post('/api/orders').set('Cookie', signinCookie(buyer)).send({ ...body, items });
        expectNever5xx(res);
      }),
      params(202),
    );
    const replica = (await models.ProductReplica.findById(productId).lean())!;
    expect(replica.available).toBeGreaterThanOrEqual(0);
    expect(replica.available + replica.holds.reduce((s, h) => s + h.quantity, 0) + replica.sold).toBe(replica.quantity);
  });

  it('GET and DELETE /api/orders/:id with hostile ids → 404/400, never 5xx; the real order untouched by others', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(hostileId.map(percentEncode).filter((id) => id.length > 0), rawSegment, fc.constant(orderId)), fc.constantFrom('get', 'delete'), async (id, method) => {
        const other = signinCookie({ id: newId() });
        const res = await request(app)[method as 'get' | 'delete'](`/api/orders/${id}`).set('Cookie', other);
        expectNever5xx(res);
        expect([400, 404]).toContain(res.status);
      }),
      params(203),
    );
    expect((await models.Order.findById(orderId).lean())!.status).toBe('created');
  });

  it('malformed JSON, non-objects and wrong content types → 4xx in the error shape', async () => {
    await fc.assert(
      fc.asyncProperty(rawBody, fc.constantFrom('application/json', 'text/plain', 'application/json; charset=latin1'), async (raw, type) => {
        const res = await request(app).post('/api/orders').set('Cookie', signinCookie(buyer)).set('Content-Type', type).send(raw);
        expectErrorShape(res);
      }),
      params(204),
    );
  });

  it('hostile session cookies → 401 at every route', async () => {
    await fc.assert(
      fc.asyncProperty(hostileCookie, fc.constantFrom('list', 'get', 'post', 'delete'), async (cookie, route) => {
        const r =
          route === 'list' ? request(app).get('/api/orders') :
          route === 'get' ? request(app).get(`/api/orders/${orderId}`) :
          route === 'delete' ? request(app).delete(`/api/orders/${orderId}`) :
          request(app).post('/api/orders').send({ items: [{ productId, quantity: 1 }] });
        const res = await r.set('Cookie', cookie);
        expect(res.status).toBe(401);
        expectErrorShape(res);
      }),
      params(205),
    );
  });

  it('a body over the limit → 413', async () => {
    const res = await request(app).post('/api/orders').set('Cookie', signinCookie(buyer)).send({ items: [{ productId: 'x'.repeat(200 * 1024), quantity: 1 }] });
    expect(res.status).toBe(413);
    expectErrorShape(res);
  });
});
