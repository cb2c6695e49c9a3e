import mongoose from 'mongoose';
import request from 'supertest';
import { Router } from 'express';
import {
  createApp,
  createLogger,
  EventBus,
  installSessionRevocations,
  requireAuth,
  SessionRevocations,
  startService,
  Streams,
  Subjects,
  type Event,
  type RunningService,
} from '@jetmart/common';
import {
  eventually,
  readStream,
  signinCookie,
  startNats,
  testDatabaseUrl,
  TEST_JWT_KEY,
  type NatsTestServer,
} from '@jetmart/common/testing';
import { buildApp, type AppSettings } from '../app';
import { authModels, type AuthModels } from '../models';

// Auth as index.ts wires it, and "another service": an app built with common's createApp and
// requireAuth, watching the revocations over its own NATS connection, as every service does
// through runService. Real FerretDB and JetStream. The issue asks for refusal within 1 s: each
// refusal is awaited with a 1 s budget.
const settings: AppSettings = { JWT_KEY: TEST_JWT_KEY, JWT_TTL_SECONDS: 3600, SIGNIN_MAX_ATTEMPTS: 50, SIGNIN_WINDOW_SECONDS: 60 };
const logger = createLogger('auth-test', { level: 'silent' });
const PASSWORD = 'correct horse battery';
const WITHIN_1S = 1000;

describe('sessions end on every service (invariant 13)', () => {
  let nats: NatsTestServer;
  let auth: RunningService<AuthModels>;
  let otherBus: EventBus;
  let otherRevocations: SessionRevocations;
  let other: ReturnType<typeof createApp>;

  beforeAll(async () => {
    nats = await startNats();
    auth = await startService({
      name: 'auth',
      port: 0,
      natsUrl: nats.url,
      mongoUrl: testDatabaseUrl('auth_sessions'),
      logger,
      models: (conn) => authModels(conn),
      outboxModels: (m) => [m.User],
      app: (ctx) => buildApp(ctx, settings),
    });
    await auth.ctx.models.User.syncIndexes();
    otherBus = await EventBus.connect({ servers: nats.url, name: 'other-service', logger });
    otherRevocations = await SessionRevocations.open(otherBus.nc, logger);
    const route = Router().get('/api/other/mine', requireAuth, (req, res) => {
      res.json({ id: req.currentUser!.id });
    });
    other = createApp({ logger, jwtKey: TEST_JWT_KEY, jwtTtlSeconds: 3600, isReady: () => true, routers: [route] });
    installSessionRevocations(other, otherRevocations);
  });
  afterAll(async () => {
    await otherRevocations?.stop();
    await otherBus?.drain().catch(() => undefined);
    await mongoose.connection.db?.dropDatabase().catch(() => undefined);
    await auth?.stop();
    await nats?.destroy();
  });

  const cookieOf = (res: request.Response) => (res.headers['set-cookie'] as unknown as string[])[0]!.split(';')[0]!;
  let n = 0;
  const signup = async () => {
    const email = `person-${++n}-${Date.now()}@example.com`;
    const res = await request(auth.server).post('/api/users/signup').send({ email, password: PASSWORD }).expect(201);
    return { email, id: res.body.id as string, cookie: cookieOf(res) };
  };
  const signin = async (email: string, password = PASSWORD) =>
    cookieOf(await request(auth.server).post('/api/users/signin').send({ email, password }).expect(200));
  const otherStatus = async (cookie: string) => (await request(other).get('/api/other/mine').set('Cookie', cookie)).status;
  const refusedByOther = (cookie: string) => eventually(async () => (await otherStatus(cookie)) === 401, WITHIN_1S);
  const authSees = async (cookie: string) =>
    (await request(auth.server).get('/api/users/currentuser').set('Cookie', cookie)).body.currentUser as { id: string } | null;

  it('a signed-out cookie is refused by another service and by auth; other sessions go on', async () => {
    const { email, cookie } = await signup();
    const second = await signin(email);
    expect(await otherStatus(cookie)).toBe(200);

    await request(auth.server).post('/api/users/signout').set('Cookie', cookie).expect(200);

    await refusedByOther(cookie);
    expect(await authSees(cookie)).toBeNull();
    expect(await otherStatus(second)).toBe(200);
  });

  it('sign out everywhere ends every session of the person, and only theirs', async () => {
    const a = await signup();
    const b = await signup();
    const a2 = await signin(a.email);
    await request(auth.server).post('/api/users/signout-everywhere').set('Cookie', a.cookie).expect(200);
    await refusedByOther(a.cookie);
    await refusedByOther(a2);
    expect(await otherStatus(b.cookie)).toBe(200);
    // A new sign-in afterwards works.
    expect(await otherStatus(await signin(a.email))).toBe(200);
  });

  it('a cookie from before a password change is refused; the changer keeps a new session', async () => {
    const { email, cookie: old } = await signup();
    const changer = await signin(email);
    const res = await request(auth.server)
      .post('/api/users/me/password')
      .set('Cookie', changer)
      .send({ currentPassword: PASSWORD, newPassword: 'a brand new passphrase' })
      .expect(200);
    const renewed = cookieOf(res);

    await refusedByOther(old);
    await refusedByOther(changer);
    expect(await otherStatus(renewed)).toBe(200);
    expect(await authSees(renewed)).not.toBeNull();
    await request(auth.server).post('/api/users/signin').send({ email, password: PASSWORD }).expect(401);
    expect(await otherStatus(await signin(email, 'a brand new passphrase'))).toBe(200);
  });

  it('a password reset ends every session of the person on every service; the token went out once and is nowhere in auth', async () => {
    const { email, id, cookie } = await signup();
    const second = await signin(email);
    const bystander = await signup();
    await request(auth.server).post('/api/users/password-reset').send({ email }).expect(202);
    const event = await eventually(async () => {
      const all = (await readStream(auth.ctx.bus, Streams.users.name)).map((m) => m.json<Event>());
      return all.find((e) => e.subject === Subjects.UserPasswordResetRequested && (e.data as { userId: string }).userId === id) as
        Event<typeof Subjects.UserPasswordResetRequested> | undefined;
    });
    expect(event.data.email).toBe(email);
    // Published and gone from the account's outbox: the database holds only the hash.
    await eventually(async () => ((await auth.ctx.models.User.findById(id).lean())!.outbox ?? []).length === 0);
    expect(JSON.stringify(await auth.ctx.models.User.findById(id).lean())).not.toContain(event.data.token);

    await request(auth.server)
      .post('/api/users/password-reset/confirm')
      .send({ token: event.data.token, password: 'a reset passphrase' })
      .expect(200);
    await refusedByOther(cookie);
    await refusedByOther(second);
    expect(await authSees(cookie)).toBeNull();
    expect(await otherStatus(bystander.cookie)).toBe(200);
    await request(auth.server).post('/api/users/signin').send({ email, password: PASSWORD }).expect(401);
    expect(await otherStatus(await signin(email, 'a reset passphrase'))).toBe(200);
  });

  it("a deleted account's cookie is refused; the person is erased and user.deleted goes out once", async () => {
    const { email, id, cookie } = await signup();
    await request(auth.server).patch('/api/users/me').set('Cookie', cookie).send({ displayName: 'Grace' }).expect(200);
    const spare = await signin(email);

    await request(auth.server).delete('/api/users/me').set('Cookie', cookie).send({ password: 'wrong password' }).expect(401);
    expect(await otherStatus(cookie)).toBe(200);
    await request(auth.server).delete('/api/users/me').set('Cookie', cookie).send({ password: PASSWORD }).expect(204);

    await refusedByOther(cookie);
    await refusedByOther(spare);
    await request(auth.server).post('/api/users/signin').send({ email, password: PASSWORD }).expect(401);

    const stored = (await auth.ctx.models.User.findById(id).lean())!;
    expect(JSON.stringify(stored)).not.toContain(email);
    expect(JSON.stringify(stored)).not.toContain('Grace');
    const events = await eventually(async () => {
      const all = (await readStream(auth.ctx.bus, Streams.users.name)).map((m) => m.json<Event>());
      const mine = all.filter((e) => (e.data as { id: string }).id === id);
      return mine.some((e) => e.subject === Subjects.UserDeleted) ? mine : undefined;
    });
    expect(events.map((e) => [e.subject, (e.data as { version: number }).version])).toEqual([
      [Subjects.UserCreated, 0],
      [Subjects.UserUpdated, 1],
      [Subjects.UserDeleted, 2],
    ]);
    expect(JSON.stringify(events.find((e) => e.subject === Subjects.UserDeleted))).not.toContain(email);
    // A session auth never revoked (the crash window between the erasing save and the revocation)
    // cannot put personal data back on the tombstone.
    const stale = signinCookie({ id, email });
    const home = { name: 'Grace Hopper', line1: '1 Navy Way', city: 'Arlington', postalCode: '22202', country: 'US' };
    expect((await request(auth.server).post('/api/users/me/addresses').set('Cookie', stale).send(home)).status).toBeGreaterThanOrEqual(400);
    await request(auth.server).patch('/api/users/me').set('Cookie', stale).send({ displayName: 'Grace' }).expect(401);
    expect(JSON.stringify(await auth.ctx.models.User.findById(id).lean())).not.toMatch(/Grace|Navy/);
    // The email is free again.
    await request(auth.server).post('/api/users/signup').send({ email, password: PASSWORD }).expect(201);
  });

  it('a service that starts after the revocations loads them before answering', async () => {
    const { cookie } = await signup();
    await request(auth.server).post('/api/users/signout').set('Cookie', cookie).expect(200);
    const bus = await EventBus.connect({ servers: nats.url, name: 'late-service', logger });
    const late = await SessionRevocations.open(bus.nc, logger);
    try {
      const app = createApp({
        logger,
        jwtKey: TEST_JWT_KEY,
        jwtTtlSeconds: 3600,
        isReady: () => true,
        routers: [Router().get('/x', requireAuth, (_req, res) => res.json({}))],
      });
      installSessionRevocations(app, late);
      expect((await request(app).get('/x').set('Cookie', cookie)).status).toBe(401);
    } finally {
      await late.stop();
      await bus.drain().catch(() => undefined);
    }
  });
});
