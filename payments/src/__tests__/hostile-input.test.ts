/**
 * Hostile input at every payments route (SPEC invariant 6): random and malformed JSON, wrong types,
 * NoSQL operators, unicode edge cases, very long strings, huge bodies, hostile ids, headers and
 * session cookies. Every answer is < 500 and, when it is an error, a 4xx in the documented shape
 * {errors:[{message, field?}]}. Seeded, so a failure reproduces. The same arbitraries as
 * products/src/__tests__/hostile-input.test.ts.
 */
import fc from 'fast-check';
import request from 'supertest';
import { signinCookie, useTestDatabase } from '@jetmart/common/testing';
import { SandboxGateway } from '../gateway/sandbox-gateway';
import { Payment } from '../models/payment';
import { seedOrder, testApp } from '../testing/fixtures';

useTestDatabase({ clearEachTest: false, prefix: 'payments_hostile' });
const gateway = new SandboxGateway();
const app = testApp(gateway);
let order: Awaited<ReturnType<typeof seedOrder>>;
beforeAll(async () => {
  await Payment.syncIndexes();
  order = await seedOrder();
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

const invalidBody = fc.oneof(
  fc.record({ orderId: wrongType, token: fc.constant('tok_visa') }),
  fc.record({ orderId: fc.constant('x'), token: wrongType }),
  fc.record({ orderId: wrongType, token: wrongType }),
);
// Only values an HTTP client can send at all (Node refuses control characters and non-latin1 in headers).
const hostileKey = fc
  .oneof(fc.string({ unit: 'binary', maxLength: 300 }), fc.constantFrom('', ' ', 'a'.repeat(256), 'clé', '{"$gt":""}', 'a b'))
  .filter((k) => /^[\t\x20-\x7e\x80-\xff]*$/.test(k));

describe('payments: hostile input never answers 5xx and never charges', () => {
  it('POST /api/payments: wrong types and operators → 400, nothing charged', async () => {
    await fc.assert(
      fc.asyncProperty(invalidBody, async (body) => {
        const res = await request(app).post('/api/payments').set('Cookie', signinCookie({ id: order.userId })).send(body);
        expect([400, 413]).toContain(res.status);
        expectErrorShape(res);
      }),
      params(301),
    );
    expect(gateway.charges).toHaveLength(0);
    expect(await Payment.countDocuments()).toBe(0);
  });

  it('POST /api/payments: hostile order ids, tokens and Idempotency-Keys → never 5xx; another user never charges the order', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(weirdString, fc.constant(order._id)), fc.oneof(weirdString, fc.constant('tok_chargeDeclined')), fc.option(hostileKey), async (orderId, token, key) => {
        let r = request(app).post('/api/payments').set('Cookie', signinCookie());
        if (key !== null) r = r.set('Idempotency-Key', key);
        const res = await r.send({ orderId, token });
        expectSane(res);
        expect(res.status).not.toBe(201);
      }),
      params(302),
    );
    expect(gateway.charges).toHaveLength(0);
  });

  it('malformed JSON, non-objects and wrong content types → 4xx in the error shape', async () => {
    await fc.assert(
      fc.asyncProperty(rawBody, fc.constantFrom('application/json', 'text/plain', 'application/json; charset=latin1'), async (raw, type) => {
        const res = await request(app).post('/api/payments').set('Cookie', signinCookie({ id: order.userId })).set('Content-Type', type).send(raw);
        expectErrorShape(res);
      }),
      params(303),
    );
  });

  it('hostile session cookies → 401', async () => {
    await fc.assert(
      fc.asyncProperty(hostileCookie, async (cookie) => {
        const res = await request(app).post('/api/payments').set('Cookie', cookie).send({ orderId: order._id, token: 'tok_visa' });
        expect(res.status).toBe(401);
        expectErrorShape(res);
      }),
      params(304),
    );
    expect(gateway.charges).toHaveLength(0);
  });

  it('a body over the limit → 413', async () => {
    const res = await request(app).post('/api/payments').set('Cookie', signinCookie({ id: order.userId })).send({ orderId: order._id, token: 'x'.repeat(200 * 1024) });
    expect(res.status).toBe(413);
    expectErrorShape(res);
  });
});
