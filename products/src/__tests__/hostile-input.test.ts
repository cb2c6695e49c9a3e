/**
 * Hostile input at every products route (SPEC invariant 6): random and malformed JSON, wrong
 * types, NoSQL operators, unicode edge cases, very long strings, huge bodies, hostile ids, query
 * strings and session cookies. Every answer is < 500 and, when it is an error, a 4xx in the
 * documented shape {errors:[{message, field?}]}; inputs that are invalid by construction get a 4xx
 * and change nothing. Seeded, so a failure reproduces.
 */
import fc from 'fast-check';
import request from 'supertest';
import { signinCookie, useTestDatabase } from '@jetmart/common/testing';
import { syncIndexes, testApp } from './helpers';

useTestDatabase({ clearEachTest: false, prefix: 'products_hostile' });
const { app, models } = testApp();
const seller = { id: '64b0000000000000000000aa' };
let productId = '';

beforeAll(async () => {
  await syncIndexes(models);
  const res = await request(app).post('/api/products').set('Cookie', signinCookie(seller)).send({ title: 'Lamp', price: 10, quantity: 5 });
  expect(res.status).toBe(201);
  productId = res.body.id;
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

const valid = { title: 'Lamp', price: 10, quantity: 5, description: '' };
const fields = Object.keys(valid) as (keyof typeof valid)[];
/** A body with at least one field of a wrong type: must be a 400 (and nothing stored). */
const invalidBody = fc
  .tuple(fc.constantFrom(...fields), wrongType, fc.dictionary(fc.constantFrom(...fields, '$set', 'userId', 'version', 'outbox', '_id'), anyValue))
  .map(([bad, value, rest]) => ({ ...valid, ...rest, [bad]: value }));
/** A body of random fields and values: any answer but 5xx. */
const randomBody = fc.dictionary(fc.constantFrom(...fields, '$set', 'userId', 'version', 'outbox', '_id', 'available'), anyValue);

describe('products: hostile input never answers 5xx', () => {
  it('POST /api/products: wrong types and operators → 400, nothing stored', async () => {
    const before = await models.Product.countDocuments();
    await fc.assert(
      fc.asyncProperty(invalidBody, async (body) => {
        const res = await request(app).post('/api/products').set('Cookie', signinCookie(seller)).send(body);
        expect([400, 413]).toContain(res.status); // 413 when a long string pushes it over the limit
        expectErrorShape(res);
      }),
      params(101),
    );
    expect(await models.Product.countDocuments()).toBe(before);
  });

  it('POST /api/products: random fields, unicode and long strings → 201 with what was sent, or 4xx', async () => {
    await fc.assert(
      fc.asyncProperty(randomBody, fc.record({ title: weirdString, description: weirdString }), async (body, strings) => {
        const sent = { ...valid, ...body, ...strings };
        const res = await request(app).post('/api/products').set('Cookie', signinCookie(seller)).send(sent);
        expectSane(res);
        if (res.status === 201) {
          // Stored as sent: the owner is the caller (never a body field), strings round-trip exactly.
          expect(res.body.userId).toBe(seller.id);
          expect(res.body.version).toBe(0);
          const stored = (await models.Product.findById(res.body.id).lean())!;
          expect(stored.title).toBe(res.body.title);
          expect(stored.description).toBe(strings.description);
        }
      }),
      params(102),
    );
  });

  it('PUT /api/products/:id: hostile ids and bodies → never 5xx; wrong types → 400', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(hostileId.map(enc), rawSegment, fc.constant(productId)), fc.oneof(invalidBody, randomBody), async (id, body) => {
        const res = await request(app).put(`/api/products/${id}`).set('Cookie', signinCookie(seller)).send(body);
        expectSane(res);
      }),
      params(103),
    );
    const stored = (await models.Product.findById(productId).lean())!;
    expect(typeof stored.title).toBe('string');
    expect(typeof stored.quantity).toBe('number');
    expect(typeof stored.priceMinor).toBe('number');
  });

  it('GET /api/products/:id and GET /api/products?…: hostile ids and query strings → 200/400/404', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(hostileId.map(enc), rawSegment), async (id) => {
        const res = await request(app).get(`/api/products/${id}`);
        expectSane(res);
        expect([200, 400, 404]).toContain(res.status);
      }),
      params(104),
    );
    const key = fc.constantFrom('q', 'limit', 'cursor', 'q[$gt]', 'limit[]', 'cursor[$ne]', '__proto__', 'q[]');
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(key, weirdString.filter((s) => s.length < 3000)), { maxLength: 4 }), async (pairs) => {
        const qs = pairs.map(([k, v]) => `${enc(k)}=${enc(v)}`).join('&');
        const res = await request(app).get(`/api/products?${qs}`);
        expectSane(res);
        if (res.status === 200) expect(Array.isArray(res.body.items)).toBe(true);
      }),
      params(105),
    );
  });

  it('malformed JSON, non-objects and wrong content types → 400/415, never 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(rawBody, fc.constantFrom('application/json', 'text/plain', 'application/x-www-form-urlencoded', 'application/json; charset=latin1'), async (raw, type) => {
        const res = await request(app).post('/api/products').set('Cookie', signinCookie(seller)).set('Content-Type', type).send(raw);
        expectErrorShape(res);
      }),
      params(106),
    );
  });

  it('hostile session cookies are treated as signed out (401), never 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(hostileCookie, async (cookie) => {
        const res = await request(app).post('/api/products').set('Cookie', cookie).send(valid);
        expect(res.status).toBe(401);
        expectErrorShape(res);
      }),
      params(107),
    );
  });

  it('a body over the limit → 413 in the error shape', async () => {
    const res = await request(app)
      .post('/api/products')
      .set('Cookie', signinCookie(seller))
      .send({ ...valid, description: 'x'.repeat(200 * 1024) });
    expect(res.status).toBe(413);
    expectErrorShape(res);
  });
});
