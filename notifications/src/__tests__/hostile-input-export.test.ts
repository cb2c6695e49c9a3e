/**
 * `GET /api/notifications/me/export` (notifications' part of the person's data export): the contact
 * and every record of the caller's (in-app and email, with the address it went to), never anyone
 * else's; hostile query strings change nothing, hostile session cookies get 401. Seeded.
 */
import request from 'supertest';
import { expectHostileCookiesRefused, expectQueryStringsChangeNothing, signinCookie, useTestDatabase } from '@jetmart/common/testing';
import { deliverNotices, orderConfirmed, type DeliveryDeps } from '../notify';
import { MAIL, oid, scenario, seedPerson, testApp, testModels, type Person } from './support/fixtures';

useTestDatabase({ clearEachTest: false, prefix: 'notifications_export' });
const models = testModels();
const app = testApp(models);
const RUNS = Number(process.env.HOSTILE_RUNS ?? 200);
const as = (id: string) => signinCookie({ id });
const deps: DeliveryDeps = { models, mailer: { send: async () => ({ kind: 'accepted' }), close: () => undefined }, mail: MAIL };
let me: Person;
let other: Person;

beforeAll(async () => {
  me = await seedPerson(models, 'mina.export@test.dev');
  other = await seedPerson(models, 'otto.other@test.dev');
  for (const p of [me, me, other]) await deliverNotices(deps, oid(), orderConfirmed(scenario(p.id, [oid(), oid()]).orderCreated.data));
});

const exportOf = (cookie: string, qs = '') => request(app).get(`/api/notifications/me/export${qs}`).set('Cookie', cookie);

it("holds the caller's contact and every record of theirs (email and in-app), nothing of anyone else's", async () => {
  const res = await exportOf(as(me.id));
  expect(res.status).toBe(200);
  expect(res.body.notificationContact).toEqual({ email: me.email, displayName: 'Test Person' });
  expect(res.body.notifications).toHaveLength(4);
  const emails = res.body.notifications.filter((n: { channel: string }) => n.channel === 'email');
  expect(emails).toHaveLength(2);
  for (const e of emails) expect(e).toMatchObject({ to: me.email, status: 'sent', kind: 'order.confirmed', subject: expect.any(String) });
  expect(JSON.stringify(res.body)).not.toContain(other.email);
  expect((await exportOf(as(other.id))).body.notifications).toHaveLength(2);
});

it('hostile query strings never widen or break the export', () =>
  expectQueryStringsChangeNothing({
    get: exportOf,
    cookie: as(me.id),
    keys: ['userId', 'channel', 'userId[$ne]', 'cursor', '__proto__', 'kind[$gt]'],
    otherId: other.id,
    seed: 1741,
    runs: RUNS,
  }));

it('hostile session cookies → 401 in the error shape', () => expectHostileCookiesRefused({ get: exportOf, seed: 1742, runs: RUNS }));
