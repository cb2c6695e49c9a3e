/**
 * Hostile input at every returns route (SPEC invariant 6): wrong types, NoSQL operators, unicode
 * and long strings, hostile ids and query strings, malformed JSON, hostile session cookies. Every
 * answer is < 500 and, when it is an error, a 4xx in the documented shape; units are never
 * reserved by a refused request and never go below zero. Seeded, so a failure reproduces.
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
  weirdNumber,
  weirdString,
  wrongType,
} from '@jetmart/common/testing';
import { returnableKey } from '../models';
import { newId, paidOrderWithShipment, syncIndexes, testApp } from './helpers';

const { connection } = useTestDatabase({ clearEachTest: false, prefix: 'orders_hostile_returns' });
const { app, models } = testApp(connection);
const buyer = { id: newId() };
let setup: Awaited<ReturnType<typeof paidOrderWithShipment>>;
let productId = '';
let asSeller = '';
/** A requested return and an approved one: steps from the wrong state must leave them as they are. */
let requestedId = '';
let approvedId = '';

beforeAll(async () => {
  await syncIndexes(models);
  setup = await paidOrderWithShipment(models, buyer.id, { lines: [{ quantity: 50 }] });
  productId = setup.products[0].id;
  asSeller = signinCookie({ id: setup.sellerId });
  const ask = () =>
    request(app)
      .post(`/api/orders/${setup.order.id}/returns`)
      .set('Cookie', signinCookie(buyer))
      .send({ items: [{ productId, quantity: 1 }], reason: 'damaged' })
      .expect(201);
  requestedId = (await ask()).body.id;
  approvedId = (await ask()).body.id;
  await request(app).post(`/api/returns/${approvedId}/approve`).set('Cookie', asSeller).expect(200);
}, 60_000);

const RUNS = Number(process.env.HOSTILE_RUNS ?? 200);
const params = (seed: number) => ({ numRuns: RUNS, seed });

const returnable = async () =>
  ((await models.ShipmentReplica.findById(setup.shipmentId).lean())!.returnable ?? {})[returnableKey(productId)];
/** Units bought = units still returnable + units in live returns (requested, approved, received, refunded). */
async function expectUnitsAccounted() {
  const live = await models.Return.find({ shipmentId: setup.shipmentId, status: { $nin: ['rejected', 'cancelled'] } }).lean();
  const inReturns = live.reduce((n, r) => n + r.items.reduce((m, l) => m + l.quantity, 0), 0);
  const left = await returnable();
  expect(left).toBeGreaterThanOrEqual(0);
  expect(left + inReturns).toBe(50);
}
const status = async (id: string) => (await models.Return.findById(id).lean())!.status;

const line = fc.record(
  { productId: fc.oneof(fc.constant('P'), weirdString, wrongType), quantity: fc.oneof(weirdNumber, wrongType, weirdString) },
  { requiredKeys: [] },
);
/** Bodies where something is of a wrong type: always 400 (or 413). */
const invalidBody = fc.oneof(
  fc.record({ items: wrongType, reason: fc.constant('damaged') }),
  fc.record({
    items: fc.array(fc.record({ productId: wrongType, quantity: fc.constant(1) }), { minLength: 1, maxLength: 3 }),
    reason: fc.constant('damaged'),
  }),
  fc.record({
    items: fc.array(fc.record({ productId: fc.constant('P'), quantity: fc.oneof(wrongType, weirdString) }), { minLength: 1, maxLength: 3 }),
    reason: fc.constant('damaged'),
  }),
  fc.record({ items: fc.constant([{ productId: 'P', quantity: 1 }]), reason: fc.oneof(wrongType, weirdNumber) }),
  fc.record({
    items: fc.constant([{ productId: 'P', quantity: 1 }]),
    reason: fc.constant('other'),
    note: fc.oneof(wrongType, weirdNumber),
  }),
  fc.dictionary(fc.constantFrom('$where', 'status', 'buyerId', 'sellerId'), anyValue, { minKeys: 1 }),
);
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
  {
    items: fc.oneof(fc.array(line, { maxLength: 60 }), anyValue),
    reason: fc.oneof(fc.constantFrom('damaged', 'other', 'changed_mind'), anyValue),
    note: fc.oneof(weirdString, anyValue),
  },
  { requiredKeys: [] },
);
const badId = fc.oneof(
  hostileId.map(percentEncode).filter((id) => id.length > 0),
  rawSegment,
);

describe('returns: hostile input never answers 5xx', () => {
  it('POST /api/orders/:id/returns: wrong types and operators → 400, nothing reserved', async () => {
    const before = await models.Return.countDocuments();
    const left = await returnable();
    await fc.assert(
      fc.asyncProperty(invalidBody, async (body) => {
        const res = await request(app)
          .post(`/api/orders/${setup.order.id}/returns`)
          .set('Cookie', signinCookie(buyer))
          .send(withProduct(body));
        expect([400, 413]).toContain(res.status);
        expectErrorShape(res);
      }),
      params(301),
    );
    expect(await models.Return.countDocuments()).toBe(before);
    expect(await returnable()).toBe(left);
  });

  it('POST /api/orders/:id/returns: random bodies (real product id included) → never 5xx; units accounted for', async () => {
    await fc.assert(
      fc.asyncProperty(randomBody, async (body) => {
        const res = await request(app)
          .post(`/api/orders/${setup.order.id}/returns`)
          .set('Cookie', signinCookie(buyer))
          .send(withProduct(body));
        expectNever5xx(res);
      }),
      params(302),
    );
    await expectUnitsAccounted();
  });

  it('hostile ids at every route with an id → 400/404, never 5xx; the real returns untouched', async () => {
    const routes = ['orderReturns', 'askReturn', 'get', 'approve', 'reject', 'receive', 'cancel'] as const;
    await fc.assert(
      fc.asyncProperty(badId, fc.constantFrom(...routes), async (id, route) => {
        const who = fc.sample(fc.constantFrom(signinCookie(buyer), asSeller), 1)[0];
        const res =
          route === 'orderReturns'
            ? await request(app).get(`/api/orders/${id}/returns`).set('Cookie', who)
            : route === 'askReturn'
              ? await request(app)
                  .post(`/api/orders/${id}/returns`)
                  .set('Cookie', who)
                  .send({ items: [{ productId, quantity: 1 }], reason: 'damaged' })
              : route === 'get'
                ? await request(app).get(`/api/returns/${id}`).set('Cookie', who)
                : await request(app).post(`/api/returns/${id}/${route}`).set('Cookie', who).send({ message: 'x', restock: true });
        expectNever5xx(res);
        expect([400, 404]).toContain(res.status);
        expectErrorShape(res);
      }),
      params(303),
    );
    expect(await status(requestedId)).toBe('requested');
    expect(await status(approvedId)).toBe('approved');
  });

  it('GET /api/returns with hostile query strings → 200 or 400, never 5xx', async () => {
    // Kept under Node's header limit (a longer URL is refused by the HTTP parser, before any route).
    const value = fc.oneof(
      weirdString.filter((v) => v.length < 500),
      fc.constantFrom('buyer', 'seller', 'requested', '[$ne]=x', ''),
      weirdNumber.map(String),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.dictionary(fc.constantFrom('role', 'status', 'role[$ne]', 'status[]', '$where'), value, { maxKeys: 3 }),
        async (query) => {
          const qs = Object.entries(query)
            .map(([k, v]) => `${percentEncode(k)}=${percentEncode(v)}`)
            .join('&');
          const res = await request(app).get(`/api/returns?${qs}`).set('Cookie', asSeller);
          expectNever5xx(res);
          expect([200, 400]).toContain(res.status);
          if (res.status === 200)
            for (const r of res.body as { sellerId: string; buyerId: string }[]) expect([r.sellerId, r.buyerId]).toContain(setup.sellerId);
          else expectErrorShape(res);
        },
      ),
      params(304),
    );
  });

  it('step bodies: random message / restock from the wrong state → 400 or 409, the returns unchanged', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({ message: anyValue, restock: anyValue }, { requiredKeys: [] }),
        fc.constantFrom('reject', 'receive'),
        async (body, step) => {
          // reject acts from requested (the approved one is the wrong state), receive from approved (the requested one).
          const id = step === 'reject' ? approvedId : requestedId;
          const res = await request(app).post(`/api/returns/${id}/${step}`).set('Cookie', asSeller).send(body);
          expect([400, 409]).toContain(res.status);
          expectErrorShape(res);
        },
      ),
      params(305),
    );
    expect(await status(requestedId)).toBe('requested');
    expect(await status(approvedId)).toBe('approved');
  });

  it('malformed JSON, non-objects and wrong content types → 4xx in the error shape', async () => {
    await fc.assert(
      fc.asyncProperty(
        rawBody,
        fc.constantFrom('returns', 'reject', 'receive'),
        fc.constantFrom('application/json', 'text/plain', 'application/json; charset=latin1'),
        async (raw, route, type) => {
          const url = route === 'returns' ? `/api/orders/${setup.order.id}/returns` : `/api/returns/${requestedId}/${route}`;
          const res = await request(app)
            .post(url)
            .set('Cookie', route === 'returns' ? signinCookie(buyer) : asSeller)
            .set('Content-Type', type)
            .send(raw);
          expectNever5xx(res);
          if (res.status >= 400) expectErrorShape(res);
        },
      ),
      params(306),
    );
    await expectUnitsAccounted();
  });

  it('hostile session cookies → 401 at every returns route', async () => {
    await fc.assert(
      fc.asyncProperty(
        hostileCookie,
        fc.constantFrom('orderReturns', 'askReturn', 'list', 'get', 'approve', 'reject', 'receive', 'cancel'),
        async (cookie, route) => {
          const r =
            route === 'orderReturns'
              ? request(app).get(`/api/orders/${setup.order.id}/returns`)
              : route === 'askReturn'
                ? request(app)
                    .post(`/api/orders/${setup.order.id}/returns`)
                    .send({ items: [{ productId, quantity: 1 }], reason: 'damaged' })
                : route === 'list'
                  ? request(app).get('/api/returns')
                  : route === 'get'
                    ? request(app).get(`/api/returns/${requestedId}`)
                    : request(app).post(`/api/returns/${requestedId}/${route}`).send({ message: 'x', restock: true });
          const res = await r.set('Cookie', cookie);
          expect(res.status).toBe(401);
          expectErrorShape(res);
        },
      ),
      params(307),
    );
    expect(await status(requestedId)).toBe('requested');
  });

  it('a body over the limit → 413', async () => {
    const res = await request(app)
      .post(`/api/orders/${setup.order.id}/returns`)
      .set('Cookie', signinCookie(buyer))
      .send({ items: [{ productId, quantity: 1 }], reason: 'other', note: 'x'.repeat(200 * 1024) });
    expect(res.status).toBe(413);
    expectErrorShape(res);
  });
});
