/**
 * Hostile input at every orders route (SPEC invariant 6): random and malformed JSON, wrong types
 (the shipping address's fields included),
 * NoSQL operators, unicode edge cases, very long strings, huge bodies, hostile ids, headers and
 * session cookies. Every answer is < 500 and, when it is an error, a 4xx in the documented shape
 * {errors:[{message, field?}]}. Seeded, so a failure reproduces. The arbitraries and
 * assertions shared by every service are in @jetmart/common/testing (hostile.ts).
 */
import fc from 'fast-check';
import request from 'supertest';
import {
  anyValue,
  expectErrorShape,
  expectNever5xx,
  hostileAddress,
  hostileCookie,
  hostileId,
  percentEncode,
  rawBody,
  rawSegment,
  signinCookie,
  useTestDatabase,
  weirdNumber,
  weirdString,
  wrongType,
} from '@jetmart/common/testing';
import { newId, seedProduct, syncIndexes, testAddress, testApp } from './helpers';

const { connection } = useTestDatabase({ clearEachTest: false, prefix: 'orders_hostile' });
const { app, models } = testApp(connection);
const buyer = { id: newId() };
let productId = '';
let orderId = '';

beforeAll(async () => {
  await syncIndexes(models);
  productId = (await seedProduct(models, { quantity: 1000 })).id;
  const res = await request(app)
    .post('/api/orders')
    .set('Cookie', signinCookie(buyer))
    .send({ items: [{ productId, quantity: 1 }], shippingAddress: valid });
  expect(res.status).toBe(201);
  orderId = res.body.id;
});

const RUNS = Number(process.env.HOSTILE_RUNS ?? 200);
const params = (seed: number) => ({ numRuns: RUNS, seed });

const valid = testAddress();
const addressFields = Object.keys(valid) as (keyof typeof valid)[];
const extraKey = fc.constantFrom(...addressFields, '$set', '$where', '_id', 'userId', 'status', '__proto__');
/** An address with at least one field of a wrong type (or an operator), maybe with extra keys: always a 400. */
const invalidAddress = fc
  .tuple(fc.constantFrom(...addressFields), wrongType, fc.dictionary(extraKey, anyValue, { maxKeys: 3 }))
  .map(([bad, value, rest]) => ({ ...valid, ...rest, [bad]: value }));
/** Random fields and values, unicode and long strings: a valid address is kept exactly as sent, anything else is a 4xx. */
const randomAddress = hostileAddress(valid, extraKey);

const line = fc.record(
  { productId: fc.oneof(fc.constant('P'), weirdString, wrongType), quantity: fc.oneof(weirdNumber, wrongType, weirdString) },
  { requiredKeys: [] },
);
/** Order bodies where something is of a wrong type: always 400 (or 413), nothing held. */
const invalidBody = fc.oneof(
  fc.record({ items: wrongType, shippingAddress: fc.constant(valid) }),
  fc.record({
    items: fc.array(fc.record({ productId: wrongType, quantity: fc.constant(1) }), { minLength: 1, maxLength: 3 }),
    shippingAddress: fc.constant(valid),
  }),
  fc.record({
    items: fc.array(fc.record({ productId: fc.constant('x'), quantity: fc.oneof(wrongType, weirdString) }), { minLength: 1, maxLength: 3 }),
    shippingAddress: fc.constant(valid),
  }),
  fc.dictionary(fc.constantFrom('$where', 'userId', 'status', 'total'), anyValue, { minKeys: 1 }),
  fc.record({
    items: fc.constant([{ productId: 'P', quantity: 1 }]),
    shippingAddress: fc.oneof(wrongType, weirdString, weirdNumber, invalidAddress),
  }),
);
/** The body with the real product's id where a line names product `P`. */
const withProduct = (body: Record<string, unknown>) =>
  Array.isArray(body.items)
    ? {
        ...body,
        items: body.items.map((l: unknown) =>
          l && typeof l === 'object' && (l as { productId?: unknown }).productId === 'P' ? { ...l, productId } : l,
        ),
      }
    : body;
const randomBody = fc.record(
  { items: fc.oneof(fc.array(line, { maxLength: 60 }), anyValue), shippingAddress: fc.oneof(fc.constant(valid), randomAddress, anyValue) },
  { requiredKeys: [] },
);

describe('orders: hostile input never answers 5xx', () => {
  it('POST /api/orders: wrong types and operators → 400, nothing held', async () => {
    const before = await models.Order.countDocuments();
    await fc.assert(
      fc.asyncProperty(invalidBody, async (body) => {
        const res = await request(app).post('/api/orders').set('Cookie', signinCookie(buyer)).send(withProduct(body));
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
        const res = await request(app).post('/api/orders').set('Cookie', signinCookie(buyer)).send(withProduct(body));
        expectNever5xx(res);
      }),
      params(202),
    );
    const replica = (await models.ProductReplica.findById(productId).lean())!;
    expect(replica.available).toBeGreaterThanOrEqual(0);
    expect(replica.available + replica.holds.reduce((s, h) => s + h.quantity, 0) + replica.sold).toBe(replica.quantity);
  });

  it('POST /api/orders: random addresses (unicode, long strings, extra keys) → 201 keeping exactly the address fields as sent, or 4xx', async () => {
    const { id: stock } = await seedProduct(models, { quantity: 100_000 });
    let placed = 0;
    await fc.assert(
      fc.asyncProperty(randomAddress, async (shippingAddress) => {
        const res = await request(app)
          .post('/api/orders')
          .set('Cookie', signinCookie(buyer))
          .send({ items: [{ productId: stock, quantity: 1 }], shippingAddress });
        expectNever5xx(res);
        if (res.status !== 201) return;
        placed++;
        const sent = shippingAddress as Record<string, unknown>;
        const kept = Object.fromEntries(addressFields.filter((k) => sent[k] !== undefined).map((k) => [k, sent[k]]));
        expect(res.body.shippingAddress).toEqual(kept);
        const stored = (await models.Order.findById(res.body.id).lean())!;
        expect(stored.shippingAddress).toEqual(kept);
        expect(stored.outbox[0].event.data).toMatchObject({ shippingAddress: kept });
      }),
      params(206),
    );
    // The property saw both sides: some hostile-looking text is a valid address and is kept as sent.
    expect(placed).toBeGreaterThan(0);
  });

  it('GET and DELETE /api/orders/:id with hostile ids → 404/400, never 5xx; the real order untouched by others', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          hostileId.map(percentEncode).filter((id) => id.length > 0),
          rawSegment,
          fc.constant(orderId),
        ),
        fc.constantFrom('get', 'delete'),
        async (id, method) => {
          const other = signinCookie({ id: newId() });
          const res = await request(app)[method as 'get' | 'delete'](`/api/orders/${id}`).set('Cookie', other);
          expectNever5xx(res);
          expect([400, 404]).toContain(res.status);
        },
      ),
      params(203),
    );
    expect((await models.Order.findById(orderId).lean())!.status).toBe('created');
  });

  it('malformed JSON, non-objects and wrong content types → 4xx in the error shape', async () => {
    await fc.assert(
      fc.asyncProperty(
        rawBody,
        fc.constantFrom('application/json', 'text/plain', 'application/json; charset=latin1'),
        async (raw, type) => {
          const res = await request(app).post('/api/orders').set('Cookie', signinCookie(buyer)).set('Content-Type', type).send(raw);
          expectErrorShape(res);
        },
      ),
      params(204),
    );
  });

  it('hostile session cookies → 401 at every route', async () => {
    await fc.assert(
      fc.asyncProperty(hostileCookie, fc.constantFrom('list', 'get', 'post', 'delete'), async (cookie, route) => {
        const r =
          route === 'list'
            ? request(app).get('/api/orders')
            : route === 'get'
              ? request(app).get(`/api/orders/${orderId}`)
              : route === 'delete'
                ? request(app).delete(`/api/orders/${orderId}`)
                : request(app)
                    .post('/api/orders')
                    .send({ items: [{ productId, quantity: 1 }], shippingAddress: valid });
        const res = await r.set('Cookie', cookie);
        expect(res.status).toBe(401);
        expectErrorShape(res);
      }),
      params(205),
    );
  });

  it('a body over the limit → 413', async () => {
    const res = await request(app)
      .post('/api/orders')
      .set('Cookie', signinCookie(buyer))
      .send({ items: [{ productId, quantity: 1 }], shippingAddress: { ...valid, line2: 'x'.repeat(200 * 1024) } });
    expect(res.status).toBe(413);
    expectErrorShape(res);
  });
});
