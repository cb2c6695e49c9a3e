import request from 'supertest';
import { createLogger, EventBus } from '@jetmart/common';
import { startNats, TEST_JWT_KEY, useTestDatabase, type NatsTestServer } from '@jetmart/common/testing';
import { buildApp, type AppSettings } from '../app';
import { authModels } from '../models';
import { recordedRevocations } from './fake-sessions';

// Two auth replicas: two apps, each with its own NATS connection, on one database and one
// JetStream server. The limits are counted in the shared bucket, so together they allow the limit
// once, not twice.
const { connection } = useTestDatabase({ prefix: 'auth_limits' });
const models = authModels(connection);
const logger = createLogger('auth', { level: 'silent' });
const settings: AppSettings = {
  JWT_KEY: TEST_JWT_KEY,
  JWT_TTL_SECONDS: 3600,
  SIGNIN_MAX_ATTEMPTS: 3,
  SIGNIN_WINDOW_SECONDS: 600,
  SIGNUP_MAX_ATTEMPTS: 2,
  SIGNUP_WINDOW_SECONDS: 600,
  PASSWORD_RESET_MAX_PER_EMAIL: 2,
  PASSWORD_RESET_MAX_PER_IP: 5,
  PASSWORD_RESET_WINDOW_SECONDS: 600,
};

let nats: NatsTestServer;
const buses: EventBus[] = [];
let replicas: ReturnType<typeof buildApp>[];

beforeAll(async () => {
  nats = await startNats();
  for (let i = 0; i < 2; i++) buses.push(await EventBus.connect({ servers: nats.url, name: `auth-${i}`, logger }));
  replicas = buses.map((bus) => buildApp({ logger, isReady: () => true, models, sessions: recordedRevocations(), bus }, settings));
});
afterAll(async () => {
  for (const b of buses) await b.drain().catch(() => undefined);
  await nats?.destroy();
});

// Each test comes from its own client address (the apps trust one proxy hop), so counts never mix.
let client = 0;
const newClient = () => `203.0.113.${++client}`;

it('sign-in: attempts alternating between the replicas are allowed 3 times in all, then 429 on both', async () => {
  const ip = newClient();
  const statuses: number[] = [];
  for (let i = 0; i < 6; i++) {
    const res = await request(replicas[i % 2]!)
      .post('/api/users/signin')
      .set('X-Forwarded-For', ip)
      .send({ email: 'victim@example.com', password: 'guess number ' + i });
    statuses.push(res.status);
    if (res.status === 429) expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
  }
  expect(statuses).toEqual([401, 401, 401, 429, 429, 429]);
  // Another email from the same client is counted apart.
  await request(replicas[1]!)
    .post('/api/users/signin')
    .set('X-Forwarded-For', ip)
    .send({ email: 'other@example.com', password: 'x' })
    .expect(401);
});

it('sign-in: 12 concurrent attempts on two replicas get exactly 3 past the limit', async () => {
  const ip = newClient();
  const statuses = await Promise.all(
    Array.from({ length: 12 }, (_, i) =>
      request(replicas[i % 2]!)
        .post('/api/users/signin')
        .set('X-Forwarded-For', ip)
        .send({ email: 'racer@example.com', password: 'guess ' + i })
        .then((r) => r.status),
    ),
  );
  expect(statuses.filter((s) => s === 401)).toHaveLength(3);
  expect(statuses.filter((s) => s === 429)).toHaveLength(9);
});

it('sign-up: 2 per client address across both replicas, then 429 (and nothing created)', async () => {
  const ip = newClient();
  const signup = (i: number) =>
    request(replicas[i % 2]!)
      .post('/api/users/signup')
      .set('X-Forwarded-For', ip)
      .send({ email: `limited-${client}-${i}@example.com`, password: 'correct horse battery' });
  expect((await signup(0)).status).toBe(201);
  expect((await signup(1)).status).toBe(201);
  expect((await signup(2)).status).toBe(429);
  expect((await signup(3)).status).toBe(429);
  expect(await models.User.countDocuments({ email: { $in: [2, 3].map((i) => `limited-${client}-${i}@example.com`) } })).toBe(0);
});

it('password reset: 2 requests per address across both replicas (from any client), then 429 on both; links only for the allowed two', async () => {
  const email = `reset-${client}@example.com`;
  const created = await request(replicas[0]!)
    .post('/api/users/signup')
    .set('X-Forwarded-For', newClient())
    .send({ email, password: 'correct horse battery' });
  expect(created.status).toBe(201);
  const statuses: number[] = [];
  for (let i = 0; i < 4; i++) {
    const res = await request(replicas[i % 2]!)
      .post('/api/users/password-reset')
      .set('X-Forwarded-For', newClient())
      .send({ email });
    statuses.push(res.status);
    if (res.status === 429) expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
  }
  expect(statuses).toEqual([202, 202, 429, 429]);
  const doc = (await models.User.findById(created.body.id).lean())!;
  expect(doc.outbox.filter((e) => e.subject === 'user.password-reset-requested')).toHaveLength(2);
});

it('password reset: 10 concurrent requests for one address on two replicas get exactly 2 through', async () => {
  const email = `reset-race-${client}@example.com`;
  const statuses = await Promise.all(
    Array.from({ length: 10 }, (_, i) =>
      request(replicas[i % 2]!)
        .post('/api/users/password-reset')
        .set('X-Forwarded-For', newClient())
        .send({ email })
        .then((r) => r.status),
    ),
  );
  expect(statuses.filter((s) => s === 202)).toHaveLength(2);
  expect(statuses.filter((s) => s === 429)).toHaveLength(8);
});

it('password reset: 5 requests per client address across both replicas, whatever the emails', async () => {
  const ip = newClient();
  const statuses: number[] = [];
  for (let i = 0; i < 7; i++) {
    const res = await request(replicas[i % 2]!)
      .post('/api/users/password-reset')
      .set('X-Forwarded-For', ip)
      .send({ email: `spray-${i}@example.com` });
    statuses.push(res.status);
  }
  expect(statuses).toEqual([202, 202, 202, 202, 202, 429, 429]);
});
