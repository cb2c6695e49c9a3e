/**
 * Hostile input at every notifications route (SPEC invariant 6): hostile ids, query keys and values,
 * malformed JSON, wrong content types, huge bodies and hostile session cookies. Every answer is
 * < 500 and, when it is an error, a 4xx in the documented shape {errors:[{message, field?}]}; nobody
 * sees or marks read anyone else's notifications. Seeded, so a failure reproduces. The arbitraries
 * and assertions shared by every service are in @jetmart/common/testing (hostile.ts).
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
} from '@jetmart/common/testing';
import { deliverNotices, orderConfirmed, type DeliveryDeps } from '../notify';
import { MAIL, oid, scenario, seedPerson, testApp, testModels, type Person } from './support/fixtures';

useTestDatabase({ clearEachTest: false, prefix: 'notifications_hostile' });
const models = testModels();
const app = testApp(models);
const deps: DeliveryDeps = { models, mailer: { send: async () => ({ kind: 'accepted' }), close: () => undefined }, mail: MAIL };

let target: Person; // someone else, whose entries no property may see or change
let targetEntry: string;
beforeAll(async () => {
  target = await seedPerson(models);
  for (let i = 0; i < 3; i++) await deliverNotices(deps, oid(), orderConfirmed(scenario(target.id, [oid(), oid()]).orderCreated.data));
  targetEntry = String((await models.Notification.findOne({ userId: target.id, channel: 'in-app' }).lean())!._id);
});

const RUNS = Number(process.env.HOSTILE_RUNS ?? 200);
const params = (seed: number) => ({ numRuns: RUNS, seed });
const as = (id: string) => signinCookie({ id });
const untouched = async () =>
  expect(await models.Notification.countDocuments({ userId: target.id, channel: 'in-app', read: false })).toBe(3);

/** A path segment: encoded hostile ids, broken encodings, or the real entry. */
const segment = fc.oneof(
  hostileId.map(percentEncode).filter((id) => id.length > 0),
  rawSegment,
  fc.constant('').map(() => targetEntry),
);

// 200 property runs against FerretDB each: with both cores busy one took over the default 30 s.
jest.setTimeout(180_000);

describe('notifications: hostile input never answers 5xx and never acts for the wrong person', () => {
  it("GET /api/notifications?…: hostile query keys and values → 200/400, never another person's entries", async () => {
    const key = fc.constantFrom('cursor', 'cursor[$gt]', 'cursor[]', 'userId', 'userId[$ne]', 'channel', '__proto__', 'limit');
    const value = fc.oneof(
      hostileId.map(percentEncode),
      rawSegment,
      fc.constant(target.id),
      fc.base64String({ maxLength: 60 }).map(percentEncode),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(key, value), { maxLength: 4 }), async (pairs) => {
        const qs = pairs.map(([k, v]) => `${percentEncode(k)}=${v}`).join('&');
        const res = await request(app).get(`/api/notifications?${qs}`).set('Cookie', as(oid()));
        expectNever5xx(res);
        expect([200, 400]).toContain(res.status);
        if (res.status === 200) expect(res.body).toEqual({ items: [], unread: 0, nextCursor: null });
        else expectErrorShape(res);
      }),
      params(801),
    );
  });

  it('POST /api/notifications/:id/read with hostile ids, by a stranger → 400/404, never 5xx, nothing read', async () => {
    await fc.assert(
      fc.asyncProperty(
        segment,
        fc.oneof(fc.constant(undefined), fc.dictionary(fc.constantFrom('$set', 'read', 'userId', '__proto__'), anyValue)),
        async (id, body) => {
          const r = request(app).post(`/api/notifications/${id}/read`).set('Cookie', as(oid()));
          const res = await (body === undefined ? r : r.send(body));
          expectNever5xx(res);
          expect([400, 404, 413]).toContain(res.status);
          expectErrorShape(res);
        },
      ),
      params(802),
    );
    await untouched();
  });

  it('POST /api/notifications/:id/read by its person with hostile bodies: the real id reads one entry, nothing else', async () => {
    const me = await seedPerson(models);
    await deliverNotices(deps, oid(), orderConfirmed(scenario(me.id, [oid(), oid()]).orderCreated.data));
    const mine = String((await models.Notification.findOne({ userId: me.id, channel: 'in-app' }).lean())!._id);
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          hostileId.map(percentEncode).filter((id) => id.length > 0),
          rawSegment,
          fc.constant(mine),
        ),
        fc.dictionary(fc.constantFrom('$set', 'read', 'userId', 'title', '__proto__'), anyValue),
        async (id, body) => {
          const res = await request(app).post(`/api/notifications/${id}/read`).set('Cookie', as(me.id)).send(body);
          expectNever5xx(res);
          if (id === mine && res.status !== 413) {
            expect(res.status).toBe(200);
            expect(res.body).toMatchObject({ id: mine, read: true, kind: 'order.confirmed' });
          } else {
            expect([400, 404, 413]).toContain(res.status);
            expectErrorShape(res);
          }
        },
      ),
      params(803),
    );
    await untouched();
  });

  it('POST /api/notifications/read-all with hostile bodies by a stranger: marks only their own (none)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.dictionary(fc.constantFrom('$set', 'userId', 'filter', '__proto__'), anyValue), async (body) => {
        const res = await request(app).post('/api/notifications/read-all').set('Cookie', as(oid())).send(body);
        expectNever5xx(res);
        expect([200, 413]).toContain(res.status);
        if (res.status === 200) expect(res.body).toEqual({ marked: 0, unread: 0 });
      }),
      params(804),
    );
    await untouched();
  });

  it('malformed JSON, non-objects and wrong content types at read and read-all → 4xx in the error shape, or ignored', async () => {
    await fc.assert(
      fc.asyncProperty(
        rawBody,
        fc.constantFrom('application/json', 'text/plain', 'application/json; charset=latin1'),
        fc.constantFrom('one', 'all'),
        async (raw, type, which) => {
          const path = which === 'all' ? '/api/notifications/read-all' : `/api/notifications/${targetEntry}/read`;
          const res = await request(app).post(path).set('Cookie', as(oid())).set('Content-Type', type).send(raw);
          expectNever5xx(res);
          // Neither route reads a body: a well-formed one of any type is ignored (read-all: 200; a stranger's entry: 404).
          if (res.status === 200 || res.status === 404) return;
          expectErrorShape(res);
        },
      ),
      params(805),
    );
    await untouched();
  });

  it('hostile session cookies → 401 at every route', async () => {
    await fc.assert(
      fc.asyncProperty(hostileCookie, fc.constantFrom('list', 'read', 'read-all'), async (cookie, route) => {
        const r =
          route === 'list'
            ? request(app).get('/api/notifications')
            : route === 'read'
              ? request(app).post(`/api/notifications/${targetEntry}/read`)
              : request(app).post('/api/notifications/read-all');
        const res = await r.set('Cookie', cookie);
        expect(res.status).toBe(401);
        expectErrorShape(res);
      }),
      params(806),
    );
    await untouched();
  });

  it('a body over the limit → 413', async () => {
    const res = await request(app)
      .post(`/api/notifications/${targetEntry}/read`)
      .set('Cookie', as(target.id))
      .send({ x: 'x'.repeat(200 * 1024) });
    expect(res.status).toBe(413);
    expectErrorShape(res);
    await untouched();
  });
});
