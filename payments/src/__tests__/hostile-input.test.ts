/**
 * Hostile input at every payments route (SPEC invariant 6): random and malformed JSON, wrong types,
 * NoSQL operators, unicode edge cases, very long strings, huge bodies, hostile ids, headers and
 * session cookies. Every answer is < 500 and, when it is an error, a 4xx in the documented shape
 * {errors:[{message, field?}]}. Seeded, so a failure reproduces. The arbitraries and
 * assertions shared by every service are in @jetmart/common/testing (hostile.ts).
 */
import fc from 'fast-check';
import request from 'supertest';
import {
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
import { SandboxGateway } from '../gateway/sandbox-gateway';
import { seedOrder, testApp, testModels } from './support/fixtures';

useTestDatabase({ clearEachTest: false, prefix: 'payments_hostile' });
const { Payment } = testModels();
const gateway = new SandboxGateway();
const app = testApp(gateway);
let order: Awaited<ReturnType<typeof seedOrder>>;
beforeAll(async () => {
  await Payment.syncIndexes();
  order = await seedOrder();
});

const RUNS = Number(process.env.HOSTILE_RUNS ?? 200);
const params = (seed: number) => ({ numRuns: RUNS, seed });

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
        const res = await request(app)
          .post('/api/payments')
          .set('Cookie', signinCookie({ id: order.userId }))
          .send(body);
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
      fc.asyncProperty(
        fc.oneof(weirdString, fc.constant(order._id)),
        fc.oneof(weirdString, fc.constant('tok_chargeDeclined')),
        fc.option(hostileKey),
        async (orderId, token, key) => {
          let r = request(app).post('/api/payments').set('Cookie', signinCookie());
          if (key !== null) r = r.set('Idempotency-Key', key);
          const res = await r.send({ orderId, token });
          expectNever5xx(res);
          expect(res.status).not.toBe(201);
        },
      ),
      params(302),
    );
    expect(gateway.charges).toHaveLength(0);
  });

  it('malformed JSON, non-objects and wrong content types → 4xx in the error shape', async () => {
    await fc.assert(
      fc.asyncProperty(
        rawBody,
        fc.constantFrom('application/json', 'text/plain', 'application/json; charset=latin1'),
        async (raw, type) => {
          const res = await request(app)
            .post('/api/payments')
            .set('Cookie', signinCookie({ id: order.userId }))
            .set('Content-Type', type)
            .send(raw);
          expectErrorShape(res);
        },
      ),
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
    const res = await request(app)
      .post('/api/payments')
      .set('Cookie', signinCookie({ id: order.userId }))
      .send({ orderId: order._id, token: 'x'.repeat(200 * 1024) });
    expect(res.status).toBe(413);
    expectErrorShape(res);
  });

  // Last: it pays the order, which the properties above must not see.
  it("GET /api/payments?…: hostile order ids, query keys and cookies → 200/400/401, never another buyer's payment", async () => {
    const paid = await request(app)
      .post('/api/payments')
      .set('Cookie', signinCookie({ id: order.userId }))
      .send({ orderId: order._id, token: 'tok_visa' });
    expect(paid.status).toBe(201);
    const key = fc.constantFrom('orderId', 'orderId[$ne]', 'orderId[$gt]', 'orderId[]', 'userId', 'status', '__proto__');
    const value = fc.oneof(hostileId.map(percentEncode), rawSegment, fc.constant(order._id));
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(key, value), { maxLength: 4 }), fc.boolean(), async (pairs, asBuyer) => {
        const qs = pairs.map(([k, v]) => `${percentEncode(k)}=${v}`).join('&');
        // Another user, or the buyer: only the buyer's own well-formed query may list the payment.
        const res = await request(app)
          .get(`/api/payments?${qs}`)
          .set('Cookie', signinCookie(asBuyer ? { id: order.userId } : {}));
        expectNever5xx(res);
        expect([200, 400]).toContain(res.status);
        if (res.status !== 200) return expectErrorShape(res);
        expect(Array.isArray(res.body)).toBe(true);
        if (!asBuyer) expect(res.body).toEqual([]);
        else expect(res.body.every((p: { orderId: string }) => p.orderId === order._id)).toBe(true);
      }),
      params(305),
    );
    await fc.assert(
      fc.asyncProperty(hostileCookie, async (cookie) => {
        const res = await request(app).get(`/api/payments?orderId=${order._id}`).set('Cookie', cookie);
        expect(res.status).toBe(401);
        expectErrorShape(res);
      }),
      params(306),
    );
  });
});
