/**
 * Hostile input at every products route (SPEC invariant 6): random and malformed JSON, wrong
 * types, NoSQL operators, unicode edge cases, very long strings, huge bodies, hostile ids, query
 * strings and session cookies. Every answer is < 500 and, when it is an error, a 4xx in the
 * documented shape {errors:[{message, field?}]}; inputs that are invalid by construction get a 4xx
 * and change nothing. Seeded, so a failure reproduces. The arbitraries and
 * assertions shared by every service are in @jetmart/common/testing (hostile.ts).
 */
import fc from 'fast-check';
import request from 'supertest';
import {
  anyValue,
  expectErrorShape,
  expectNever5xx,
  hostileCookie,
  hostileId,
  percentEncode,
  rawBody,
  rawSegment,
  signinCookie,
  useTestDatabase,
  weirdString,
  wrongType,
} from '@jetmart/common/testing';
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

const valid = { title: 'Lamp', price: 10, quantity: 5, description: '' };
const fields = Object.keys(valid) as (keyof typeof valid)[];
/** A body with at least one field of a wrong type: must be a 400 (and nothing stored). */
const invalidBody = fc
  .tuple(
    fc.constantFrom(...fields),
    wrongType,
    fc.dictionary(fc.constantFrom(...fields, '$set', 'userId', 'version', 'outbox', '_id'), anyValue),
  )
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
        expectNever5xx(res);
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
      fc.asyncProperty(
        fc.oneof(hostileId.map(percentEncode), rawSegment, fc.constant(productId)),
        fc.oneof(invalidBody, randomBody),
        async (id, body) => {
          const res = await request(app).put(`/api/products/${id}`).set('Cookie', signinCookie(seller)).send(body);
          expectNever5xx(res);
        },
      ),
      params(103),
    );
    const stored = (await models.Product.findById(productId).lean())!;
    expect(typeof stored.title).toBe('string');
    expect(typeof stored.quantity).toBe('number');
    expect(typeof stored.priceMinor).toBe('number');
  });

  it('GET /api/products/:id and GET /api/products?…: hostile ids and query strings → 200/400/404', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(hostileId.map(percentEncode), rawSegment), async (id) => {
        const res = await request(app).get(`/api/products/${id}`);
        expectNever5xx(res);
        expect([200, 400, 404]).toContain(res.status);
      }),
      params(104),
    );
    const key = fc.constantFrom(
      'q',
      'limit',
      'cursor',
      'sellerId',
      'sellerId[$ne]',
      'q[$gt]',
      'limit[]',
      'cursor[$ne]',
      '__proto__',
      'q[]',
    );
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.tuple(
            key,
            weirdString.filter((s) => s.length < 3000),
          ),
          { maxLength: 4 },
        ),
        async (pairs) => {
          const qs = pairs.map(([k, v]) => `${percentEncode(k)}=${percentEncode(v)}`).join('&');
          const res = await request(app).get(`/api/products?${qs}`);
          expectNever5xx(res);
          if (res.status === 200) expect(Array.isArray(res.body.items)).toBe(true);
        },
      ),
      params(105),
    );
  });

  it('GET /api/products/mine: hostile query strings and cookies → 200/400/401, never 5xx', async () => {
    const key = fc.constantFrom('limit', 'cursor', 'lowStock', 'lowStock[]', 'cursor[$ne]', 'limit[$gt]', '__proto__', 'userId');
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.tuple(
            key,
            fc.oneof(
              weirdString.filter((s) => s.length < 3000),
              fc.constantFrom('true', 'false', '1', '-1'),
            ),
          ),
          { maxLength: 4 },
        ),
        fc.oneof(fc.constant(signinCookie(seller)), hostileCookie),
        async (pairs, cookie) => {
          const qs = pairs.map(([k, v]) => `${percentEncode(k)}=${percentEncode(v)}`).join('&');
          const res = await request(app).get(`/api/products/mine?${qs}`).set('Cookie', cookie);
          expectNever5xx(res);
          expect([200, 400, 401]).toContain(res.status);
          if (res.status === 200) for (const p of res.body.items) expect(p.userId).toBe(seller.id);
          else expectErrorShape(res);
        },
      ),
      params(108),
    );
  });

  it('POST /api/products/:id/unlist and /relist: hostile ids, bodies and cookies → never 5xx; only the owner changes anything', async () => {
    const stranger = { id: '64b0000000000000000000bb' };
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('unlist', 'relist'),
        fc.oneof(hostileId.map(percentEncode), rawSegment, fc.constant(productId)),
        fc.oneof(invalidBody, randomBody),
        fc.oneof(fc.constant(signinCookie(seller)), fc.constant(signinCookie(stranger)), hostileCookie),
        async (action, id, body, cookie) => {
          const before = (await models.Product.findById(productId).lean())!;
          const res = await request(app).post(`/api/products/${id}/${action}`).set('Cookie', cookie).send(body);
          expectNever5xx(res);
          if (res.status >= 400) {
            expectErrorShape(res);
            expect((await models.Product.findById(productId).lean())!.version).toBe(before.version);
          } else {
            expect(res.body.listed).toBe(action === 'relist');
          }
        },
      ),
      params(109),
    );
    const stored = (await models.Product.findById(productId).lean())!;
    expect(stored.userId).toBe(seller.id);
    expect(stored.unlistReason === undefined || stored.unlistReason === 'seller').toBe(true);
  });

  it('malformed JSON, non-objects and wrong content types → 400/415, never 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(
        rawBody,
        fc.constantFrom('application/json', 'text/plain', 'application/x-www-form-urlencoded', 'application/json; charset=latin1'),
        async (raw, type) => {
          const res = await request(app).post('/api/products').set('Cookie', signinCookie(seller)).set('Content-Type', type).send(raw);
          expectErrorShape(res);
        },
      ),
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
