/**
 * Every documented response of the notifications API, produced by real requests against the test
 * database and checked against src/openapi.ts; then nothing documented is left unproduced.
 */
import request from 'supertest';
import { OpenApiContract, signinCookie, useTestDatabase } from '@jetmart/common/testing';
import { deliverNotices, orderConfirmed, type DeliveryDeps } from '../notify';
import { notificationsApiDocument } from '../openapi';
import { MAIL, oid, scenario, seedPerson, testApp, testModels } from './support/fixtures';

useTestDatabase({ prefix: 'notifications_contract' });
const contract = new OpenApiContract(notificationsApiDocument);
const models = testModels();
const app = testApp(models);
const as = (id: string) => signinCookie({ id });
// The feed needs no mail server: this mailer accepts everything (the emails are tested against Mailpit elsewhere).
const deps: DeliveryDeps = { models, mailer: { send: async () => ({ kind: 'accepted' }), close: () => undefined }, mail: MAIL };

async function seedFeed(entries: number) {
  const person = await seedPerson(models);
  for (let i = 0; i < entries; i++)
    await deliverNotices(deps, oid(), orderConfirmed(scenario(person.id, [oid(), oid()]).orderCreated.data));
  return person;
}

it('GET /api/notifications: 200 (two pages), 400, 401', async () => {
  const person = await seedFeed(21);
  const first = await contract.expect(request(app).get('/api/notifications').set('Cookie', as(person.id)), 200);
  expect(first.body.items).toHaveLength(20);
  expect(first.body.unread).toBe(21);
  const second = await contract.expect(
    request(app).get(`/api/notifications?cursor=${first.body.nextCursor}`).set('Cookie', as(person.id)),
    200,
  );
  expect(second.body).toMatchObject({ items: [expect.objectContaining({ kind: 'order.confirmed' })], unread: 21, nextCursor: null });
  await contract.expect(request(app).get('/api/notifications?cursor=nope').set('Cookie', as(person.id)), 400);
  await contract.expect(request(app).get('/api/notifications'), 401);
});

it('POST /api/notifications/{id}/read: 200, 400, 401, 404', async () => {
  const person = await seedFeed(1);
  const [entry] = (await request(app).get('/api/notifications').set('Cookie', as(person.id))).body.items;
  await contract.expect(request(app).post(`/api/notifications/${entry.id}/read`), 401);
  await contract.expect(request(app).post(`/api/notifications/${entry.id}/read`).set('Cookie', as(oid())), 404);
  await contract.expect(
    request(app)
      .post(`/api/notifications/${entry.id}/read`)
      .set('Cookie', as(person.id))
      .set('Content-Type', 'application/json')
      .send('{"x":'),
    400,
  );
  const read = await contract.expect(request(app).post(`/api/notifications/${entry.id}/read`).set('Cookie', as(person.id)), 200);
  expect(read.body).toMatchObject({ id: entry.id, read: true });
  expect((await request(app).get('/api/notifications').set('Cookie', as(person.id))).body.unread).toBe(0);
});

it('POST /api/notifications/read-all: 200, 400, 401', async () => {
  const person = await seedFeed(3);
  await contract.expect(request(app).post('/api/notifications/read-all'), 401);
  await contract.expect(
    request(app).post('/api/notifications/read-all').set('Cookie', as(person.id)).set('Content-Type', 'application/json').send('{"x":'),
    400,
  );
  const res = await contract.expect(request(app).post('/api/notifications/read-all').set('Cookie', as(person.id)), 200);
  expect(res.body).toEqual({ marked: 3, unread: 0 });
  const feed = await request(app).get('/api/notifications').set('Cookie', as(person.id));
  expect(feed.body.unread).toBe(0);
  expect(feed.body.items.every((i: { read: boolean }) => i.read)).toBe(true);
});

it('the document is served at /api/notifications/docs/openapi.json', async () => {
  const res = await request(app).get('/api/notifications/docs/openapi.json');
  expect(res.status).toBe(200);
  expect(res.body).toEqual(JSON.parse(JSON.stringify(notificationsApiDocument)));
});

it('GET /api/notifications/me/export: 200 (with and without a contact), 401', async () => {
  const person = await seedFeed(1);
  const res = await contract.expect(request(app).get('/api/notifications/me/export').set('Cookie', as(person.id)), 200);
  expect(res.body.notificationContact).toEqual({ email: person.email, displayName: 'Test Person' });
  expect(res.body.notifications.map((n: { channel: string }) => n.channel).sort()).toEqual(['email', 'in-app']);
  const nobody = await contract.expect(request(app).get('/api/notifications/me/export').set('Cookie', as(oid())), 200);
  expect(nobody.body).toEqual({ notificationContact: null, notifications: [] });
  await contract.expect(request(app).get('/api/notifications/me/export'), 401);
});

it('every documented response was produced', () => {
  expect(contract.unexercised()).toEqual([]);
});
