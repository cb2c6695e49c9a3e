/**
 * Hostile input at every shipping route (SPEC invariant 6): malformed JSON, wrong types, NoSQL
 * operators, unicode edge cases, very long strings, huge bodies, hostile ids, query keys and session
 * cookies. Every answer is < 500 and, when it is an error, a 4xx in the documented shape
 * {errors:[{message, field?}]}; nobody but its seller ships a shipment, nobody but its seller or
 * buyer sees or delivers it, and nobody but its buyer cancels it. Seeded, so a failure reproduces. The arbitraries and assertions shared
 * by every service are in @jetmart/common/testing (hostile.ts).
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
import type { ShipmentDoc } from '../models';
import { oid, seedShipment, testApp, testModels } from './support/fixtures';

useTestDatabase({ clearEachTest: false, prefix: 'shipping_hostile' });
const { Shipment } = testModels();
const app = testApp();
let target: ShipmentDoc; // another seller's shipment, which no property may change
let own: ShipmentDoc; // the signed-in seller's shipment the seller properties ship
beforeAll(async () => {
  target = await seedShipment();
  own = await seedShipment();
});

const RUNS = Number(process.env.HOSTILE_RUNS ?? 200);
const params = (seed: number) => ({ numRuns: RUNS, seed });
const as = (id: string) => signinCookie({ id });
const untouched = async () =>
  expect(await Shipment.findById(target.id).lean()).toMatchObject({ status: 'pending', version: 0, outbox: [expect.anything()] });

/** Ship bodies where a field has a wrong type, or only unknown keys: always 400 (or 413). */
const invalidShipBody = fc.oneof(
  fc.record({ carrier: wrongType, trackingNumber: fc.constant('T1') }),
  fc.record({ carrier: fc.constant('DHL'), trackingNumber: wrongType }),
  fc.dictionary(fc.constantFrom('$set', 'status', 'sellerId', 'version', '__proto__'), anyValue, { minKeys: 1 }),
);
/** A path segment: encoded hostile ids, broken encodings, or the real shipment. */
const segment = (real: () => string) =>
  fc.oneof(
    hostileId.map(percentEncode).filter((id) => id.length > 0),
    rawSegment,
    fc.constant('').map(() => real()),
  );

describe('shipping: hostile input never answers 5xx and never acts for the wrong user', () => {
  it('POST /api/shipments/:id/ship: wrong types and operators → 400, nothing shipped', async () => {
    await fc.assert(
      fc.asyncProperty(invalidShipBody, async (body) => {
        const res = await request(app).post(`/api/shipments/${own.id}/ship`).set('Cookie', as(own.sellerId)).send(body);
        expect([400, 413]).toContain(res.status);
        expectErrorShape(res);
      }),
      params(701),
    );
    expect(await Shipment.findById(own.id).lean()).toMatchObject({ status: 'pending', version: 0 });
  });

  it("POST /api/shipments/:id/ship: hostile ids and texts → never 5xx; only the seller's own shipment can ship", async () => {
    await fc.assert(
      fc.asyncProperty(
        segment(() => target.id),
        fc.oneof(weirdString, fc.constant('DHL')),
        fc.oneof(weirdString, fc.constant('T1')),
        async (id, carrier, trackingNumber) => {
          // the target's buyer and a stranger: neither may ship it
          for (const who of [target.buyerId, oid()]) {
            const res = await request(app).post(`/api/shipments/${id}/ship`).set('Cookie', as(who)).send({ carrier, trackingNumber });
            expectNever5xx(res);
            expect(res.status).not.toBe(200);
          }
        },
      ),
      params(702),
    );
    await untouched();
    // The seller with hostile texts: valid ones ship (once), the others are refused; never a 5xx.
    await fc.assert(
      fc.asyncProperty(weirdString, weirdString, async (carrier, trackingNumber) => {
        const res = await request(app)
          .post(`/api/shipments/${own.id}/ship`)
          .set('Cookie', as(own.sellerId))
          .send({ carrier, trackingNumber });
        expectNever5xx(res);
        expect([200, 400, 409, 413]).toContain(res.status);
        if (res.status === 200) expect(res.body).toMatchObject({ carrier: carrier.trim(), trackingNumber: trackingNumber.trim() });
      }),
      params(703),
    );
    const shipped = (await Shipment.findById(own.id).lean())!;
    expect(shipped.outbox.filter((e) => e.subject === 'shipment.shipped').length).toBeLessThanOrEqual(1);
  });

  it('GET /api/shipments/:id and POST /:id/deliver with hostile ids → 404/409, never 5xx; others never see or deliver', async () => {
    await fc.assert(
      fc.asyncProperty(
        segment(() => target.id),
        fc.constantFrom('get', 'deliver'),
        async (id, route) => {
          const r = route === 'get' ? request(app).get(`/api/shipments/${id}`) : request(app).post(`/api/shipments/${id}/deliver`);
          const res = await r.set('Cookie', as(oid()));
          expectNever5xx(res);
          expect([400, 404]).toContain(res.status);
        },
      ),
      params(704),
    );
    await untouched();
  });

  it('POST /api/shipments/:id/cancel with hostile ids → 400/404, never 5xx; neither its seller nor a stranger cancels it', async () => {
    await fc.assert(
      fc.asyncProperty(
        segment(() => target.id),
        fc.constantFrom('seller', 'stranger'),
        async (id, who) => {
          const res = await request(app)
            .post(`/api/shipments/${id}/cancel`)
            .set('Cookie', as(who === 'seller' ? target.sellerId : oid()));
          expectNever5xx(res);
          expect([400, 404]).toContain(res.status);
          expectErrorShape(res);
        },
      ),
      params(708),
    );
    await untouched();
  });

  it('POST /api/shipments/:id/cancel by the buyer with hostile ids and bodies: only the real id cancels, once', async () => {
    const mine = await seedShipment();
    await fc.assert(
      fc.asyncProperty(
        segment(() => mine.id),
        fc.oneof(fc.constant(undefined), fc.dictionary(fc.constantFrom('$set', 'status', 'buyerId', 'version', '__proto__'), anyValue)),
        async (id, body) => {
          const r = request(app).post(`/api/shipments/${id}/cancel`).set('Cookie', as(mine.buyerId));
          const res = await (body === undefined ? r : r.send(body));
          expectNever5xx(res);
          if (id === mine.id) {
            // A body is ignored (none is read), whatever it holds: never another state, never another buyer.
            expect([200, 413]).toContain(res.status);
            if (res.status === 200) expect(res.body).toMatchObject({ id: mine.id, status: 'cancelled', buyerId: mine.buyerId, version: 1 });
          } else {
            expect([400, 404, 413]).toContain(res.status);
            expectErrorShape(res);
          }
        },
      ),
      params(709),
    );
    const after = (await Shipment.findById(mine.id).lean())!;
    expect(after.outbox.filter((e) => e.subject === 'shipment.cancelled').length).toBeLessThanOrEqual(1);
    expect(['pending', 'cancelled']).toContain(after.status);
    await untouched();
  });

  it("GET /api/shipments?…: hostile query keys and values → 200/400, never another seller's shipments", async () => {
    const key = fc.constantFrom('status', 'orderId', 'status[$ne]', 'orderId[$gt]', 'status[]', 'sellerId', 'buyerId', '__proto__');
    const value = fc.oneof(
      hostileId.map(percentEncode),
      rawSegment,
      fc.constantFrom('pending', 'shipped'),
      fc.constant('').map(() => target.orderId),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(key, value), { maxLength: 4 }), async (pairs) => {
        const qs = pairs.map(([k, v]) => `${percentEncode(k)}=${v}`).join('&');
        const res = await request(app).get(`/api/shipments?${qs}`).set('Cookie', as(oid()));
        expectNever5xx(res);
        expect([200, 400]).toContain(res.status);
        if (res.status === 200) expect(res.body).toEqual([]);
      }),
      params(705),
    );
  });

  it('malformed JSON, non-objects and wrong content types at ship, deliver and cancel → 4xx in the error shape', async () => {
    await fc.assert(
      fc.asyncProperty(
        rawBody,
        fc.constantFrom('application/json', 'text/plain', 'application/json; charset=latin1'),
        fc.constantFrom('ship', 'deliver', 'cancel'),
        async (raw, type, action) => {
          const res = await request(app)
            .post(`/api/shipments/${target.id}/${action}`)
            .set('Cookie', as(target.sellerId))
            .set('Content-Type', type)
            .send(raw);
          // deliver reads no body: a well-formed one of any type is fine (409: the target is not shipped)
          if (action === 'deliver' && res.status === 409) return;
          expectErrorShape(res);
        },
      ),
      params(706),
    );
    await untouched();
  });

  it('hostile session cookies → 401 at every route', async () => {
    await fc.assert(
      fc.asyncProperty(hostileCookie, fc.constantFrom('list', 'get', 'ship', 'deliver', 'cancel'), async (cookie, route) => {
        const r =
          route === 'list'
            ? request(app).get('/api/shipments')
            : route === 'get'
              ? request(app).get(`/api/shipments/${target.id}`)
              : route === 'ship'
                ? request(app).post(`/api/shipments/${target.id}/ship`).send({ carrier: 'DHL', trackingNumber: 'T1' })
                : request(app).post(`/api/shipments/${target.id}/${route}`);
        const res = await r.set('Cookie', cookie);
        expect(res.status).toBe(401);
        expectErrorShape(res);
      }),
      params(707),
    );
    await untouched();
  });

  it('a body over the limit → 413', async () => {
    const res = await request(app)
      .post(`/api/shipments/${target.id}/ship`)
      .set('Cookie', as(target.sellerId))
      .send({ carrier: 'x'.repeat(200 * 1024), trackingNumber: 'T1' });
    expect(res.status).toBe(413);
    expectErrorShape(res);
    await untouched();
  });
});
