/**
 * `GET /api/users/me/export`: auth's part (account and address book, never the password hash or a
 * token) and every other service's part, asked with the caller's own session (real service apps
 * stand in for the other services: export-sources.ts); all or nothing (a source down, answering an
 * error, something that is not an object, or a section twice → 503); 401 without a live account;
 * only the caller's data; hostile query strings and cookies. Seeded.
 */
import request from 'supertest';
import { createLogger } from '@jetmart/common';
import {
  TEST_JWT_KEY,
  expectErrorShape,
  expectHostileCookiesRefused,
  expectQueryStringsChangeNothing,
  useTestDatabase,
} from '@jetmart/common/testing';
import { buildApp } from '../app';
import { parseExportSources } from '../config';
import { authModels } from '../models';
import { deadSourceUrl, startPartSource } from './export-sources';
import { recordedRevocations } from './fake-sessions';

const { connection } = useTestDatabase({ prefix: 'auth_export', clearEachTest: false });
const models = authModels(connection);
const RUNS = Number(process.env.HOSTILE_RUNS ?? 100);
const password = 'correct horse battery';

// One logger for every app of this file (each logger holds a stream on stdout).
const logger = createLogger('auth', { level: 'silent' });
const appWith = (sources: string[]) =>
  buildApp(
    { logger, isReady: () => true, models, sessions: recordedRevocations() },
    {
      JWT_KEY: TEST_JWT_KEY,
      JWT_TTL_SECONDS: 3600,
      SIGNIN_MAX_ATTEMPTS: 1000,
      SIGNIN_WINDOW_SECONDS: 60,
      EXPORT_SOURCES: sources,
      EXPORT_TIMEOUT_MS: 2000,
    },
  );

type Source = Awaited<ReturnType<typeof startPartSource>>;
let orders: Source;
let shipments: Source;
const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const c of cleanups) await c();
});

/** Each source answers with data computed from the caller's id, so a wrong person would show. */
beforeAll(async () => {
  orders = await startPartSource('orders', (id) => ({ body: { orders: [{ id: `order-of-${id}` }], returns: [] } }));
  shipments = await startPartSource('shipments', (id) => ({ body: { shipments: [{ buyerId: id }] } }));
  cleanups.push(orders.close, shipments.close);
});

async function signUp(app: ReturnType<typeof appWith>, email: string): Promise<{ id: string; cookie: string }> {
  const res = await request(app).post('/api/users/signup').send({ email, password });
  expect(res.status).toBe(201);
  const cookie = ([] as string[])
    .concat(res.headers['set-cookie'] ?? [])
    .find((c) => c.startsWith('session='))!
    .split(';')[0];
  return { id: res.body.id, cookie };
}

describe('GET /api/users/me/export', () => {
  it("one attachment: auth's part and every source's part for the caller, asked with the caller's session; nothing of anyone else's", async () => {
    const app = appWith([orders.url, shipments.url]);
    const me = await signUp(app, 'mina.export@example.com');
    const other = await signUp(app, 'otto.other@example.com');
    await request(app).patch('/api/users/me').set('Cookie', me.cookie).send({ displayName: 'Mina Export' }).expect(200);
    const address = { name: 'Mina Export', line1: '3 Own Road', city: 'Mytown', postalCode: 'M1 1AA', country: 'GB' };
    await request(app).post('/api/users/me/addresses').set('Cookie', me.cookie).send(address).expect(201);
    await request(app)
      .post('/api/users/me/addresses')
      .set('Cookie', other.cookie)
      .send({ ...address, name: 'Otto Other', line1: '9 Their Street' })
      .expect(201);

    const res = await request(app).get('/api/users/me/export').set('Cookie', me.cookie);
    expect(res.status).toBe(200);
    expect(res.headers['content-disposition']).toBe(`attachment; filename="jetmart-export-${me.id}.json"`);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.body).toEqual({
      exportedAt: expect.any(String),
      user: {
        id: me.id,
        email: 'mina.export@example.com',
        displayName: 'Mina Export',
        emailVerified: false,
        createdAt: expect.any(String),
      },
      addresses: [{ id: expect.any(String), ...address }],
      orders: [{ id: `order-of-${me.id}` }],
      returns: [],
      shipments: [{ buyerId: me.id }],
    });
    expect(orders.calls).toContain(me.id);
    const text = JSON.stringify(res.body);
    for (const s of ['Otto', '9 Their Street', other.id, 'otto.other', 'passwordHash', '$scrypt', 'TokenHash'])
      expect(text).not.toContain(s);
  });

  it('all or nothing: a source down, answering an error or a non-object, or two sources giving one section → 503, nothing exported', async () => {
    const failing = await startPartSource('failing', () => ({ status: 500, body: { errors: [{ message: 'boom' }] } }));
    const listy = await startPartSource('listy', () => ({ body: [1, 2] }));
    const twice = await startPartSource('twice', () => ({ body: { orders: [] } }));
    const own = await startPartSource('own', () => ({ body: { user: { id: 'forged' } } }));
    cleanups.push(failing.close, listy.close, twice.close, own.close);
    for (const sources of [
      [orders.url, await deadSourceUrl()],
      [failing.url, shipments.url],
      [listy.url],
      [orders.url, twice.url],
      [own.url],
    ]) {
      const app = appWith(sources);
      const me = await signUp(app, `all-or-nothing-${Math.random().toString(36).slice(2)}@example.com`);
      const res = await request(app).get('/api/users/me/export').set('Cookie', me.cookie);
      expect(res.status).toBe(503);
      expect(res.body).toEqual({ errors: [{ message: expect.stringContaining('nothing was exported') }] });
      expect(res.headers['content-disposition']).toBeUndefined();
      expect(JSON.stringify(res.body)).not.toContain(me.id);
    }
  });

  it('401 without a session, and for a deleted account', async () => {
    const app = appWith([orders.url]);
    expect((await request(app).get('/api/users/me/export')).status).toBe(401);
    const me = await signUp(app, 'leaving@example.com');
    await request(app).delete('/api/users/me').set('Cookie', me.cookie).send({ password }).expect(204);
    const before = orders.calls.length;
    const res = await request(app).get('/api/users/me/export').set('Cookie', me.cookie);
    expect(res.status).toBe(401);
    expectErrorShape(res);
    expect(orders.calls.length).toBe(before);
  });

  it('hostile query strings never change whose data is exported; hostile cookies → 401', async () => {
    const app = appWith([orders.url, shipments.url]);
    const me = await signUp(app, 'hostile.export@example.com');
    const other = await signUp(app, 'hostile.other@example.com');
    const get = (cookie: string, query: string) => request(app).get(`/api/users/me/export${query}`).set('Cookie', cookie);
    await expectQueryStringsChangeNothing({
      get,
      cookie: me.cookie,
      keys: ['id', 'userId', 'email', 'userId[$ne]', '__proto__', 'sources'],
      otherId: other.id,
      seed: 1751,
      runs: RUNS,
      normalise: (b: Record<string, unknown>) => ({ ...b, exportedAt: 'x' }),
    });
    await expectHostileCookiesRefused({ get, seed: 1752, runs: RUNS });
  });
});

describe('EXPORT_SOURCES', () => {
  it('comma-separated http(s) URLs; anything else is refused at start', () => {
    expect(parseExportSources(' http://orders:3000/api/orders/me/export , https://x.test/a ')).toEqual([
      'http://orders:3000/api/orders/me/export',
      'https://x.test/a',
    ]);
    expect(() => parseExportSources('orders:3000')).toThrow();
    expect(() => parseExportSources('ftp://x/a')).toThrow('not http(s)');
  });
});
