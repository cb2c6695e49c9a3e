import request from 'supertest';
import jwt from 'jsonwebtoken';
import { createLogger, Subjects, type Event } from '@jetmart/common';
import { signinCookie, TEST_JWT_KEY, useTestDatabase } from '@jetmart/common/testing';
import { buildApp, type AppSettings } from '../app';
import { authModels } from '../models';
import { hashAccountToken } from '../models/account-token';
import { INVALID_RESET_LINK_MESSAGE, INVALID_VERIFY_LINK_MESSAGE } from '../routes/account-links';
import { recordedRevocations } from './fake-sessions';

// Password reset and email verification on a real database (FerretDB in CI and here). No relay
// runs, so the events stay in each account's outbox: that is where the tests read the token the
// mail would carry.
const { connection } = useTestDatabase({ prefix: 'auth_links' });
const models = authModels(connection);
const { User } = models;
const logger = createLogger('auth', { level: 'silent' });
const settings: AppSettings = { JWT_KEY: TEST_JWT_KEY, JWT_TTL_SECONDS: 3600, SIGNIN_MAX_ATTEMPTS: 50, SIGNIN_WINDOW_SECONDS: 60 };
const PASSWORD = 'correct horse battery';
const NEW_PASSWORD = 'a brand new passphrase';

let sessions: ReturnType<typeof recordedRevocations>;
let app: ReturnType<typeof buildApp>;
const appWith = (extra: Partial<AppSettings> = {}) => {
  sessions = recordedRevocations();
  return buildApp({ logger, isReady: () => true, models, sessions }, { ...settings, ...extra });
};
beforeAll(() => User.syncIndexes());
beforeEach(() => {
  app = appWith();
});

const cookieOf = (res: request.Response) => {
  const set = ([] as string[]).concat(res.headers['set-cookie'] ?? []);
  return set.find((c) => c.startsWith('session='))?.split(';')[0];
};
const claimsOf = (cookie: string) => {
  const { jwt: token } = JSON.parse(Buffer.from(cookie.slice('session='.length), 'base64').toString()) as { jwt: string };
  return jwt.verify(token, TEST_JWT_KEY) as jwt.JwtPayload;
};

async function signup(email: string, on = app) {
  const res = await request(on).post('/api/users/signup').send({ email, password: PASSWORD }).expect(201);
  return { id: res.body.id as string, cookie: cookieOf(res)! };
}

/** The events of one subject still in the account's outbox (what the relay would publish), oldest first. */
async function pending<S extends typeof Subjects.UserPasswordResetRequested | typeof Subjects.UserVerificationRequested>(
  userId: string,
  subject: S,
): Promise<Event<S>[]> {
  const doc = await User.findById(userId).lean();
  return (doc?.outbox ?? []).filter((e) => e.subject === subject).map((e) => e.event as Event<S>);
}
const lastToken = async (userId: string, subject: typeof Subjects.UserPasswordResetRequested | typeof Subjects.UserVerificationRequested) =>
  (await pending(userId, subject)).at(-1)!.data.token;

const requestReset = (email: string, on = app) => request(on).post('/api/users/password-reset').send({ email });
const confirm = (token: string, password = NEW_PASSWORD, on = app) =>
  request(on).post('/api/users/password-reset/confirm').send({ token, password });
const signin = (email: string, password: string) => request(app).post('/api/users/signin').send({ email, password });

describe('password reset', () => {
  it('answers 202 {status: sent-if-registered} for a registered and an unknown email alike; only the account gets a link', async () => {
    const { id } = await signup('ada@example.com');
    const known = await requestReset('  ADA@example.com ').expect(202);
    const unknown = await requestReset('nobody@example.com').expect(202);
    expect(known.body).toEqual({ status: 'sent-if-registered' });
    expect(unknown.body).toEqual(known.body);
    expect(Object.keys(unknown.headers).sort()).toEqual(Object.keys(known.headers).sort());

    const [event, ...more] = await pending(id, Subjects.UserPasswordResetRequested);
    expect(more).toEqual([]);
    expect(event!.data).toEqual({ userId: id, email: 'ada@example.com', token: expect.any(String), expiresAt: expect.any(String) });
    const expiresIn = Date.parse(event!.data.expiresAt) - Date.now();
    expect(expiresIn).toBeGreaterThan(3590_000);
    expect(expiresIn).toBeLessThanOrEqual(3600_000);
    // Only the hash is stored on the account.
    const stored = (await User.findById(id).lean())!;
    expect(stored.resetTokenHash).toBe(hashAccountToken(event!.data.token));
    expect(JSON.stringify({ ...stored, outbox: [] })).not.toContain(event!.data.token);
    // Nothing at all was written for the unknown address.
    expect(await User.countDocuments()).toBe(1);
  });

  it('a token sets the new password once: 200, then 400 with the standard message; old password refused, new accepted', async () => {
    const { id } = await signup('ada@example.com');
    await requestReset('ada@example.com').expect(202);
    const token = await lastToken(id, Subjects.UserPasswordResetRequested);

    const done = await confirm(token).expect(200);
    expect(done.body).toEqual({ status: 'password-changed' });
    // Every session of the person was revoked (the real bucket: sessions-revoked.test.ts).
    expect(sessions.users).toContain(id);
    expect(cookieOf(done)).toBeUndefined();

    const again = await confirm(token, 'yet another passphrase').expect(400);
    expect(again.body).toEqual({ errors: [{ message: INVALID_RESET_LINK_MESSAGE, field: 'token' }] });
    await signin('ada@example.com', PASSWORD).expect(401);
    await signin('ada@example.com', NEW_PASSWORD).expect(200);
    await signin('ada@example.com', 'yet another passphrase').expect(401);
    expect((await User.findById(id).lean())!.resetTokenHash).toBeUndefined();
  });

  it('two confirmations of one token at once: exactly one 200, the other 400, and the password is the winner’s', async () => {
    const { id } = await signup('ada@example.com');
    await requestReset('ada@example.com').expect(202);
    const token = await lastToken(id, Subjects.UserPasswordResetRequested);
    const passwords = ['first racing passphrase', 'second racing passphrase', 'third racing passphrase'];
    const results = await Promise.all(passwords.map((p) => confirm(token, p)));
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(1);
    expect(statuses.filter((s) => s === 400)).toHaveLength(passwords.length - 1);
    const winner = passwords[statuses.indexOf(200)]!;
    for (const p of passwords) await signin('ada@example.com', p).expect(p === winner ? 200 : 401);
  });

  it('a link stops working when its lifetime (RESET_TOKEN_TTL_SECONDS) has passed', async () => {
    const short = appWith({ RESET_TOKEN_TTL_SECONDS: 1 });
    const { id } = await signup('ada@example.com', short);
    await requestReset('ada@example.com', short).expect(202);
    const event = (await pending(id, Subjects.UserPasswordResetRequested))[0]!;
    // Wait for the stated expiry itself (about a second), not for a guessed delay.
    await new Promise((r) => setTimeout(r, Math.max(0, Date.parse(event.data.expiresAt) - Date.now()) + 50));
    const res = await confirm(event.data.token, NEW_PASSWORD, short).expect(400);
    expect(res.body.errors[0].message).toBe(INVALID_RESET_LINK_MESSAGE);
    expect(sessions.users).toEqual([]); // an expired link revokes nothing
    await signin('ada@example.com', PASSWORD).expect(200);
  });

  it('a new request replaces the earlier link; unknown and malformed tokens are 400 with the same message', async () => {
    const { id } = await signup('ada@example.com');
    await requestReset('ada@example.com').expect(202);
    const first = await lastToken(id, Subjects.UserPasswordResetRequested);
    await requestReset('ada@example.com').expect(202);
    const second = await lastToken(id, Subjects.UserPasswordResetRequested);
    expect(second).not.toBe(first);
    for (const bad of [first, 'x'.repeat(43), 'not a token at all', first.slice(0, -1)]) {
      const res = await confirm(bad).expect(400);
      expect(res.body).toEqual({ errors: [{ message: INVALID_RESET_LINK_MESSAGE, field: 'token' }] });
    }
    await confirm(second).expect(200);
  });

  it('a deleted account gets no link, and its earlier link no longer works', async () => {
    const { id, cookie } = await signup('ada@example.com');
    await requestReset('ada@example.com').expect(202);
    const token = await lastToken(id, Subjects.UserPasswordResetRequested);
    await request(app).delete('/api/users/me').set('Cookie', cookie).send({ password: PASSWORD }).expect(204);
    const before = (await pending(id, Subjects.UserPasswordResetRequested)).length;
    await requestReset('ada@example.com').expect(202);
    expect(await pending(id, Subjects.UserPasswordResetRequested)).toHaveLength(before);
    await confirm(token).expect(400);
  });

  it('the new password follows the sign-up rules (400), and a rejected password does not use the token', async () => {
    const { id } = await signup('ada@example.com');
    await requestReset('ada@example.com').expect(202);
    const token = await lastToken(id, Subjects.UserPasswordResetRequested);
    const res = await confirm(token, 'short').expect(400);
    expect(res.body.errors[0].field).toBe('password');
    await confirm(token).expect(200);
  });

  it('requests are limited per address (429 with Retry-After), unknown addresses counted the same', async () => {
    const limited = appWith({ PASSWORD_RESET_MAX_PER_EMAIL: 2, PASSWORD_RESET_WINDOW_SECONDS: 600 });
    await signup('ada@example.com');
    for (const email of ['ada@example.com', 'nobody@example.com']) {
      await requestReset(email, limited).expect(202);
      await requestReset(email, limited).expect(202);
      const res = await requestReset(email, limited).expect(429);
      expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
    }
  });
});

describe('email verification', () => {
  it('sign-up records the verification mail event next to user.created; the account and its session start unverified', async () => {
    const { id, cookie } = await signup('ada@example.com');
    const doc = (await User.findById(id).lean())!;
    expect(doc.outbox.map((e) => e.subject)).toEqual([Subjects.UserCreated, Subjects.UserVerificationRequested]);
    const event = (await pending(id, Subjects.UserVerificationRequested))[0]!;
    expect(event.data).toMatchObject({ userId: id, email: 'ada@example.com' });
    expect(doc.verifyTokenHash).toBe(hashAccountToken(event.data.token));
    expect(doc.emailVerified).toBe(false);
    expect(claimsOf(cookie).emailVerified).toBe(false);
    const me = await request(app).get('/api/users/me').set('Cookie', cookie).expect(200);
    expect(me.body.emailVerified).toBe(false);
  });

  it('the link verifies once; the browser signed in to the account gets the same session re-issued, verified', async () => {
    const { id, cookie } = await signup('ada@example.com');
    const token = await lastToken(id, Subjects.UserVerificationRequested);
    const res = await request(app).post('/api/users/verify-email').set('Cookie', cookie).send({ token }).expect(200);
    expect(res.body).toEqual({ user: { id, email: 'ada@example.com', emailVerified: true } });

    const renewed = cookieOf(res)!;
    const [before, after] = [claimsOf(cookie), claimsOf(renewed)];
    expect(after).toMatchObject({ id, emailVerified: true, sid: before.sid, at: before.at });
    const current = await request(app).get('/api/users/currentuser').set('Cookie', renewed).expect(200);
    expect(current.body.currentUser).toEqual({ id, email: 'ada@example.com', emailVerified: true });
    expect((await request(app).get('/api/users/me').set('Cookie', renewed)).body.emailVerified).toBe(true);
    // A later sign-in elsewhere carries it from the account.
    expect(claimsOf(cookieOf(await signin('ada@example.com', PASSWORD).expect(200))!).emailVerified).toBe(true);

    const again = await request(app).post('/api/users/verify-email').send({ token }).expect(400);
    expect(again.body).toEqual({ errors: [{ message: INVALID_VERIFY_LINK_MESSAGE, field: 'token' }] });
  });

  it('opened without a session, or signed in as someone else: verified, and no cookie is issued', async () => {
    const ada = await signup('ada@example.com');
    const bob = await signup('bob@example.com');
    const res = await request(app)
      .post('/api/users/verify-email')
      .send({ token: await lastToken(ada.id, Subjects.UserVerificationRequested) })
      .expect(200);
    expect(cookieOf(res)).toBeUndefined();
    const other = await request(app)
      .post('/api/users/verify-email')
      .set('Cookie', ada.cookie)
      .send({ token: await lastToken(bob.id, Subjects.UserVerificationRequested) })
      .expect(200);
    expect(other.body.user).toMatchObject({ id: bob.id, emailVerified: true });
    expect(cookieOf(other)).toBeUndefined();
  });

  it('two uses of one link at once: exactly one 200', async () => {
    const { id } = await signup('ada@example.com');
    const token = await lastToken(id, Subjects.UserVerificationRequested);
    const results = await Promise.all([0, 1, 2].map(() => request(app).post('/api/users/verify-email').send({ token })));
    expect(results.map((r) => r.status).sort()).toEqual([200, 400, 400]);
  });

  it('a link stops working after VERIFY_TOKEN_TTL_SECONDS; a resend mails a new one and the old one stays dead', async () => {
    const short = appWith({ VERIFY_TOKEN_TTL_SECONDS: 1 });
    const { id, cookie } = await signup('ada@example.com', short);
    const first = (await pending(id, Subjects.UserVerificationRequested))[0]!;
    await new Promise((r) => setTimeout(r, Math.max(0, Date.parse(first.data.expiresAt) - Date.now()) + 50));
    await request(short).post('/api/users/verify-email').send({ token: first.data.token }).expect(400);

    const resent = await request(app).post('/api/users/verify-email/resend').set('Cookie', cookie).send({}).expect(202);
    expect(resent.body).toEqual({ status: 'sent' });
    const second = await lastToken(id, Subjects.UserVerificationRequested);
    expect(second).not.toBe(first.data.token);
    await request(app).post('/api/users/verify-email').send({ token: first.data.token }).expect(400);
    await request(app).post('/api/users/verify-email').send({ token: second }).expect(200);

    const after = await request(app).post('/api/users/verify-email/resend').set('Cookie', cookie).send({}).expect(202);
    expect(after.body).toEqual({ status: 'already-verified' });
    expect(await pending(id, Subjects.UserVerificationRequested)).toHaveLength(2);
  });

  it('resend: 401 without a session or for an account that does not exist; limited per account', async () => {
    await request(app).post('/api/users/verify-email/resend').expect(401);
    await request(app).post('/api/users/verify-email/resend').set('Cookie', signinCookie()).expect(401);
    const limited = appWith({ PASSWORD_RESET_MAX_PER_EMAIL: 1, PASSWORD_RESET_WINDOW_SECONDS: 600 });
    const { cookie } = await signup('ada@example.com', limited);
    await request(limited).post('/api/users/verify-email/resend').set('Cookie', cookie).expect(202);
    const res = await request(limited).post('/api/users/verify-email/resend').set('Cookie', cookie).expect(429);
    expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
  });
});
