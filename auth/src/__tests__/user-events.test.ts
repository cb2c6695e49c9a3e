import mongoose from 'mongoose';
import request from 'supertest';
import { createLogger, startService, Streams, Subjects, type Event, type RunningService } from '@jetmart/common';
import { eventually, readStream, startNats, testDatabaseUrl, TEST_JWT_KEY, type NatsTestServer } from '@jetmart/common/testing';
import { buildApp, type AppSettings } from '../app';
import { authModels, type AuthModels } from '../models';

// The service as index.ts wires it (outbox relay, HTTP) against real FerretDB and JetStream:
// a sign-up and its user.created are one insert, published by the relay.
const settings: AppSettings = { JWT_KEY: TEST_JWT_KEY, JWT_TTL_SECONDS: 3600, SIGNIN_MAX_ATTEMPTS: 10, SIGNIN_WINDOW_SECONDS: 60 };
const logger = createLogger('auth-test', { level: 'silent' });

describe('auth publishes user.created through its outbox', () => {
  let nats: NatsTestServer;
  let service: RunningService<AuthModels>;
  const User = () => service.ctx.models.User;

  beforeAll(async () => {
    nats = await startNats();
    service = await startService({
      name: 'auth',
      port: 0,
      natsUrl: nats.url,
      mongoUrl: testDatabaseUrl('auth_events'),
      logger,
      models: (conn) => authModels(conn),
      outboxModels: (m) => [m.User],
      app: (ctx) => buildApp(ctx, settings),
    });
    await User().syncIndexes();
  });
  afterAll(async () => {
    await mongoose.connection.db?.dropDatabase().catch(() => undefined);
    await service?.stop();
    await nats?.destroy();
  });

  const signup = (email: string) => request(service.server).post('/api/users/signup').send({ email, password: 'correct horse battery' });
  // Each stored message as its NATS subject and the event it carries.
  const userEvents = async () =>
    (await readStream(service.ctx.bus, Streams.users.name)).map((m) => ({ natsSubject: m.subject, ...m.json<Event>() }));
  const eventsFor = async (email: string) => (await userEvents()).filter((e) => 'email' in e.data && e.data.email === email);
  const pendingOutbox = async (id: string) => (await User().findById(id).lean())!.outbox.length;

  it('a sign-up publishes exactly one user.created with the id, the stored email and version 0, then the verification mail event', async () => {
    const res = await signup('  Grace.Hopper@Example.COM ').expect(201);
    const events = await eventually(async () => {
      const found = await eventsFor('grace.hopper@example.com');
      return found.length === 2 ? found : undefined;
    });
    await eventually(async () => ((await pendingOutbox(res.body.id)) === 0 ? true : undefined));
    // Nothing left to publish, and still exactly one event for this account.
    expect(await service.ctx.relay!.flush()).toBe(0);
    expect(await eventsFor('grace.hopper@example.com')).toEqual([
      {
        natsSubject: Subjects.UserCreated,
        id: events[0]!.id,
        subject: Subjects.UserCreated,
        occurredAt: expect.any(String),
        data: { id: res.body.id, email: 'grace.hopper@example.com', version: 0 },
      },
      {
        natsSubject: Subjects.UserVerificationRequested,
        id: events[1]!.id,
        subject: Subjects.UserVerificationRequested,
        occurredAt: expect.any(String),
        data: { userId: res.body.id, email: 'grace.hopper@example.com', token: expect.any(String), expiresAt: expect.any(String) },
      },
    ]);
    const stored = (await User().findById(res.body.id).lean())!;
    expect(stored.version).toBe(0);
  });

  it('a sign-up with a taken email publishes nothing', async () => {
    const first = await signup('ada@example.com').expect(201);
    await eventually(async () => ((await pendingOutbox(first.body.id)) === 0 ? true : undefined));
    const before = (await service.ctx.bus.jsm.streams.info(Streams.users.name)).state.messages;

    await signup('ADA@example.com').expect(409);

    // Every pending entry of every user is published by a full flush: none is there to publish.
    expect(await service.ctx.relay!.flush()).toBe(0);
    expect(await User().countDocuments({ 'outbox.0': { $exists: true } })).toBe(0);
    expect((await service.ctx.bus.jsm.streams.info(Streams.users.name)).state.messages).toBe(before);
    expect((await eventsFor('ada@example.com')).map((e) => e.subject)).toEqual([Subjects.UserCreated, Subjects.UserVerificationRequested]);
  });

  it('publishes the event when the relay stopped right after the write (a restarted relay sends it once)', async () => {
    // The process "dies" as the write lands: its relay publishes nothing from now on.
    await service.ctx.relay!.stop();
    const res = await signup('linus@example.com').expect(201);
    expect(await pendingOutbox(res.body.id)).toBe(2);
    expect(await eventsFor('linus@example.com')).toEqual([]);

    // The relay starts again (as in the next process: it begins with a full scan) and publishes it.
    service.ctx.relay!.start();
    await eventually(async () => ((await pendingOutbox(res.body.id)) === 0 ? true : undefined));
    const events = await eventsFor('linus@example.com');
    expect(events.map((e) => [e.subject, e.data])).toEqual([
      [Subjects.UserCreated, { id: res.body.id, email: 'linus@example.com', version: 0 }],
      [Subjects.UserVerificationRequested, expect.objectContaining({ userId: res.body.id, email: 'linus@example.com' })],
    ]);
  });

  it('address-book writes publish nothing and leave the version alone (no event is about the address book)', async () => {
    const res = await signup('margaret@example.com').expect(201);
    const cookie = ([] as string[])
      .concat(res.headers['set-cookie'] ?? [])
      .map((c) => c.split(';')[0])
      .join('; ');
    await eventually(async () => ((await pendingOutbox(res.body.id)) === 0 ? true : undefined));
    const before = (await service.ctx.bus.jsm.streams.info(Streams.users.name)).state.messages;

    await request(service.server)
      .post('/api/users/me/addresses')
      .set('Cookie', cookie)
      .send({ name: 'Margaret H', line1: '1 Main St', city: 'Boston', postalCode: '02101', country: 'US' })
      .expect(201);

    const stored = (await User().findById(res.body.id).lean())!;
    expect(stored.addresses).toHaveLength(1);
    expect(stored.version).toBe(0);
    expect(stored.outbox).toEqual([]);
    expect((await service.ctx.bus.jsm.streams.info(Streams.users.name)).state.messages).toBe(before);
  });
});
