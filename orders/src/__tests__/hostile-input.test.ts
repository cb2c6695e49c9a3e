/**
 * Hostile input at every orders route (SPEC invariant 6): random and malformed JSON, wrong types,
 * NoSQL operators, unicode edge cases, very long strings, huge bodies, hostile ids, headers and
 * session cookies. Every answer is < 500 and, when it is an error, a 4xx in the documented shape
 * {errors:[{message, field?}]}. Seeded, so a failure reproduces. The same arbitraries as
 * products/src/__tests__/hostile-input.test.ts.
 */
import fc from 'fast-check';
import request from 'supertest';
import { signinCookie, useTestDatabase } from '@jetmart/common/testing';
import { newId, seedProduct, syncIndexes, testApp } from './helpers';

useTestDatabase({ clearEachTest: false, prefix: 'orders_hostile' });
const { app, models } = testApp();
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

// ---- arbitraries (the same families in every service's hostile-input test)
const operator = fc.constantFrom<unknown>({ $gt: '' }, { $ne: null }, { $where: 'sleep(1000)' }, { $regex: '.*' }, { $in: [] }, { $exists: true });
const weirdString = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 50 }),
  fc.string({ unit: 'binary', maxLength: 50 }), // any code point, lone surrogates included
  fc.constantFrom('', ' ', '\u0000', '\u202e', '\ud800', '\udfff', '💥'.repeat(300), 'a\u0301'.repeat(150), '$gt', '{"$gt":""}', '__proto__', '../../etc/passwd', '%00'),
  fc.integer({ min: 199, max: 100_000 }).map((n) => 'x'.repeat(n)),
);
/** Values that are never valid for a typed field (string or number). */
const wrongType = fc.oneof(
  operator,
  fc.constant(null),
  fc.boolean(),
  fc.array(fc.jsonValue(), { maxLength: 5 }),
  fc.dictionary(fc.string({ maxLength: 5 }), fc.jsonValue(), { maxKeys: 3 }).filter((d) => Object.keys(d).length > 0),
  fc.constantFrom<unknown>({ __proto__: { admin: true } }, JSON.parse('{"__proto__": {"polluted": 1}}'), { constructor: { prototype: { x: 1 } } }),
);
const weirdNumber = fc.oneof(
  fc.double({ noNaN: true }),
  fc.constantFrom(-0, 1e308, -1e308, 2 ** 53 + 1, 0.001, 1e-9, 1_000_000.001),
  fc.integer(),
);
const anyValue = fc.oneof(wrongType, weirdString, weirdNumber, fc.jsonValue());
const hostileId = fc.oneof(weirdString.filter((s) => s.length < 2000), fc.constantFrom('000000000000000000000000', 'ffffffffffffffffffffffff', '64b0000000000000000000aa '));
const rawBody = fc.oneof(
  fc.string({ maxLength: 200 }),
  fc.constantFrom('{', '{"title":', '[1,2', 'null', 'true', '"str"', '123', '{"a":1}}', '\u0000', '{"title":"x",}', "{'title':'x'}", '['.repeat(5000) + ']'.repeat(5000)),
  fc.jsonValue().map((v) => JSON.stringify(v).slice(0, -1)), // truncated JSON
);
const hostileCookie = fc.oneof(
  fc.string({ maxLength: 100 }).map((s) => `session=${encodeURIComponent(s)}`),
  fc.jsonValue().map((v) => `session=${Buffer.from(JSON.stringify(v) ?? '').toString('base64')}`),
  fc.string({ maxLength: 100 }).map((s) => `session=${Buffer.from(JSON.stringify({ jwt: s })).toString('base64')}`),
  fc.constantFrom('session=', 'session=%', 'session=e30', `session=${'A'.repeat(8000)}`),
);

/** Percent-encodes every UTF-8 byte (lone surrogates included, which encodeURIComponent refuses). */
const enc = (s: string) => [...Buffer.from(s, 'utf8')].map((b) => `%${b.toString(16).padStart(2, '0')}`).join('');
/** Path segments that are not even valid percent-encoding or UTF-8. */
const rawSegment = fc.constantFrom('%', '%zz', '%C0%AF', '%FF%FE', '%E2%82', '..%2F..%2F', '%00', '%2e%2e');

function expectErrorShape(res: request.Response): void {
  expect(res.status).toBeGreaterThanOrEqual(400);
  expect(res.status).toBeLessThan(500);
  expect(Object.keys(res.body)).toEqual(['errors']);
  expect(res.body.errors.length).toBeGreaterThan(0);
  for (const e of res.body.errors) {
    expect(typeof e.message).toBe('string');
    expect(Object.keys(e).every((k) => k === 'message' || k === 'field')).toBe(true);
    if ('field' in e) expect(typeof e.field).toBe('string');
  }
}
/** Any answer: never a 5xx; an error answer in the documented shape. */
function expectSane(res: request.Response): void {
  expect(res.status).toBeLessThan(500);
  if (res.status >= 400) expectErrorShape(res);
}

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
        expectSane(res);
      }),
      params(202),
    );
    const replica = (await models.ProductReplica.findById(productId).lean())!;
    expect(replica.available).toBeGreaterThanOrEqual(0);
    expect(replica.available + replica.holds.reduce((s, h) => s + h.quantity, 0) + replica.sold).toBe(replica.quantity);
  });

  it('GET and DELETE /api/orders/:id with hostile ids → 404/400, never 5xx; the real order untouched by others', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(hostileId.map(enc).filter((id) => id.length > 0), rawSegment, fc.constant(orderId)), fc.constantFrom('get', 'delete'), async (id, method) => {
        const other = signinCookie({ id: newId() });
        const res = await request(app)[method as 'get' | 'delete'](`/api/orders/${id}`).set('Cookie', other);
        expectSane(res);
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
