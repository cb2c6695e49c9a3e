import crypto from 'node:crypto';
import request from 'supertest';
import jwt from 'jsonwebtoken';
import { createLogger } from '@jetmart/common';
import { signinCookie, TEST_JWT_KEY, useTestDatabase } from '@jetmart/common/testing';
import { buildApp, type AppSettings } from '../app';
import { authModels } from '../models';
import { decoyPasswordHash } from '../models/password';
import { BAD_CREDENTIALS_MESSAGE } from '../routes/users';
import { recordedRevocations } from './fake-sessions';

const { connection } = useTestDatabase({ prefix: 'auth' });
const models = authModels(connection);
const { User } = models;

const settings: AppSettings = { JWT_KEY: TEST_JWT_KEY, JWT_TTL_SECONDS: 3600, SIGNIN_MAX_ATTEMPTS: 3, SIGNIN_WINDOW_SECONDS: 60 };
const logger = createLogger('auth', { level: 'silent' });
// A new app per test: each gets its own sign-in limiter, so attempts never leak between tests.
let app: ReturnType<typeof buildApp>;
beforeEach(() => {
  app = buildApp({ logger, isReady: () => true, models, sessions: recordedRevocations() }, settings);
});

/**
 * The scrypt derivations `send` runs, by cost and key length (what decides how long one takes;
 * salt and password vary). Time itself is not measured: on a shared machine it is noise, while
 * "the same derivations" is the property that makes two answers take as long.
 */
async function derivationsOf(send: () => PromiseLike<unknown>) {
  // The decoy hash is derived once per process, at start-up: not part of any request.
  await decoyPasswordHash();
  const scrypt = jest.spyOn(crypto, 'scrypt');
  try {
    await send();
    return scrypt.mock.calls.map((call) => {
      const [, , keyLength, options] = call as unknown as [unknown, unknown, number, crypto.ScryptOptions];
      return { keyLength, N: options.N, r: options.r, p: options.p };
    });
  } finally {
    scrypt.mockRestore();
  }
}

const password = 'correct horse battery';

function sessionCookie(res: request.Response): string {
  const set = ([] as string[]).concat(res.headers['set-cookie'] ?? []);
  const cookie = set.find((c) => c.startsWith('session='));
  if (!cookie) throw new Error(`no session cookie in ${JSON.stringify(set)}`);
  return cookie;
}
const cookieValue = (setCookie: string) => setCookie.split(';')[0];

function signup(email = 'ada@example.com', pw = password) {
  return request(app).post('/api/users/signup').send({ email, password: pw });
}

async function currentUser(cookie?: string) {
  const req = request(app).get('/api/users/currentuser');
  if (cookie) req.set('Cookie', cookie);
  const res = await req.expect(200);
  return res.body.currentUser;
}

describe('POST /api/users/signup', () => {
  it('creates the user, answers 201 {id, email, emailVerified: false} and starts a session', async () => {
    const res = await signup().expect(201);
    expect(res.body).toEqual({ id: expect.stringMatching(/^[a-f0-9]{24}$/), email: 'ada@example.com', emailVerified: false });
    expect(await currentUser(cookieValue(sessionCookie(res)))).toEqual(res.body);
  });

  it('stores the email trimmed and lower-cased, and the password only as a salted scrypt hash', async () => {
    const res = await signup('  Ada.Lovelace@Example.COM ').expect(201);
    expect(res.body.email).toBe('ada.lovelace@example.com');
    const stored = await User.findById(res.body.id).lean();
    expect(stored!.email).toBe('ada.lovelace@example.com');
    expect(stored!.passwordHash).toMatch(/^scrypt\$16384\$8\$1\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/);
    expect(stored!.passwordHash).not.toContain(password);
    expect(JSON.stringify(res.body)).not.toContain('scrypt');
  });

  it('sets an httpOnly, sameSite=lax cookie that is not secure over plain HTTP', async () => {
    const cookie = sessionCookie(await signup().expect(201)).toLowerCase();
    expect(cookie).toContain('httponly');
    expect(cookie).toContain('samesite=lax');
    expect(cookie).not.toContain('secure');
  });

  it('marks the cookie secure when the site is served over HTTPS (behind the ingress)', async () => {
    const res = await request(app)
      .post('/api/users/signup')
      .set('X-Forwarded-Proto', 'https')
      .send({ email: 'ada@example.com', password })
      .expect(201);
    const cookie = sessionCookie(res).toLowerCase();
    expect(cookie).toContain('secure');
    expect(cookie).toContain('httponly');
    expect(cookie).toContain('samesite=lax');
  });

  it.each([
    ['not-an-email', 'email'],
    ['a@b', 'email'],
    ['', 'email'],
    [`${'x'.repeat(250)}@example.com`, 'email'],
  ])('rejects the email %j with 400 naming the field', async (email, field) => {
    const res = await signup(email).expect(400);
    expect(res.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ field, message: expect.any(String) })]));
    expect(await User.countDocuments()).toBe(0);
  });

  it('rejects a password shorter than 8 or longer than 128 characters', async () => {
    for (const pw of ['1234567', 'x'.repeat(129)]) {
      const res = await signup('ada@example.com', pw).expect(400);
      expect(res.body).toEqual({ errors: [{ field: 'password', message: 'Password must be between 8 and 128 characters' }] });
    }
    expect(await User.countDocuments()).toBe(0);
  });

  it('accepts passwords of exactly 8 and 128 characters', async () => {
    await signup('eight@example.com', '12345678').expect(201);
    await signup('long@example.com', 'y'.repeat(128)).expect(201);
  });

  it('rejects missing fields and non-string values with 400', async () => {
    await request(app).post('/api/users/signup').send({}).expect(400);
    await request(app).post('/api/users/signup').send({ email: 'ada@example.com' }).expect(400);
    const res = await request(app)
      .post('/api/users/signup')
      .send({ email: { $gt: '' }, password: 12345678 })
      .expect(400);
    expect(res.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['email', 'password']);
  });

  it('answers 409 for an email already in use, whatever its case', async () => {
    await signup('ada@example.com').expect(201);
    const res = await signup('ADA@example.com', 'another password').expect(409);
    expect(res.body).toEqual({ errors: [{ message: 'Email is already in use', field: 'email' }] });
    expect(await User.countDocuments()).toBe(1);
  });

  it('takes as long for an email already in use as for a new one: the same key derivation before the 409', async () => {
    const fresh = await derivationsOf(() => signup('new@example.com').expect(201));
    const taken = await derivationsOf(() => signup('NEW@example.com', 'another password').expect(409));
    expect(fresh).toEqual([{ keyLength: 64, N: 16_384, r: 8, p: 1 }]);
    expect(taken).toEqual(fresh);
  });

  it('creates exactly one account when sign-ups for the same email race', async () => {
    const results = await Promise.all(Array.from({ length: 6 }, () => signup('race@example.com')));
    const statuses = results.map((r) => r.status).sort();
    expect(statuses).toEqual([201, 409, 409, 409, 409, 409]);
    expect(await User.countDocuments({ email: 'race@example.com' })).toBe(1);
  });
});

describe('POST /api/users/signin', () => {
  beforeEach(async () => {
    await signup('ada@example.com').expect(201);
  });

  it('answers 200 {id, email, emailVerified} with a session cookie for the right password (email in any case)', async () => {
    const res = await request(app).post('/api/users/signin').send({ email: ' ADA@example.com', password }).expect(200);
    expect(res.body).toEqual({ id: expect.any(String), email: 'ada@example.com', emailVerified: false });
    const cookie = sessionCookie(res);
    expect(cookie.toLowerCase()).toContain('httponly');
    expect(await currentUser(cookieValue(cookie))).toEqual(res.body);
  });

  it('puts a JWT with an expiry of JWT_TTL_SECONDS in the session', async () => {
    const res = await request(app).post('/api/users/signin').send({ email: 'ada@example.com', password }).expect(200);
    const session = JSON.parse(Buffer.from(cookieValue(sessionCookie(res)).slice('session='.length), 'base64').toString());
    const claims = jwt.verify(session.jwt, TEST_JWT_KEY) as jwt.JwtPayload;
    expect(claims.exp! - claims.iat!).toBe(settings.JWT_TTL_SECONDS);
    expect(claims).toMatchObject({ id: res.body.id, email: 'ada@example.com' });
  });

  it('answers 401 with the same body for a wrong password and an unknown email', async () => {
    const wrongPassword = await request(app)
      .post('/api/users/signin')
      .send({ email: 'ada@example.com', password: 'wrong password' })
      .expect(401);
    const unknownEmail = await request(app).post('/api/users/signin').send({ email: 'nobody@example.com', password }).expect(401);
    expect(wrongPassword.body).toEqual({ errors: [{ message: BAD_CREDENTIALS_MESSAGE }] });
    expect(unknownEmail.body).toEqual(wrongPassword.body);
    expect(wrongPassword.headers['set-cookie']).toBeUndefined();
    expect(unknownEmail.headers['set-cookie']).toBeUndefined();
  });

  it('takes as long for an unknown email as for a wrong password: the same key derivation, once (no account enumeration by timing)', async () => {
    const signin = (email: string) => () => request(app).post('/api/users/signin').send({ email, password: 'wrong password' }).expect(401);
    const wrongPassword = await derivationsOf(signin('ada@example.com'));
    const unknownEmail = await derivationsOf(signin('nobody@example.com'));
    expect(wrongPassword).toEqual([{ keyLength: 64, N: 16_384, r: 8, p: 1 }]);
    expect(unknownEmail).toEqual(wrongPassword);
  });

  it('answers 400 when email or password is missing', async () => {
    const res = await request(app).post('/api/users/signin').send({ email: 'ada@example.com' }).expect(400);
    expect(res.body.errors).toEqual([expect.objectContaining({ field: 'password' })]);
  });

  it('answers 429 in the error shape after too many attempts for one IP and email, even with the right password', async () => {
    for (let i = 0; i < settings.SIGNIN_MAX_ATTEMPTS; i++) {
      await request(app)
        .post('/api/users/signin')
        .send({ email: 'ada@example.com', password: 'guess number ' + i })
        .expect(401);
    }
    const blocked = await request(app).post('/api/users/signin').send({ email: 'Ada@Example.com', password }).expect(429);
    expect(blocked.body).toEqual({ errors: [{ message: 'Too many sign-in attempts, try again later' }] });
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
    expect(Number(blocked.headers['retry-after'])).toBeLessThanOrEqual(settings.SIGNIN_WINDOW_SECONDS);
    expect(blocked.headers['set-cookie']).toBeUndefined();

    // Other emails from this IP, and this email from another client IP, are not blocked.
    await request(app).post('/api/users/signin').send({ email: 'other@example.com', password }).expect(401);
    await request(app)
      .post('/api/users/signin')
      .set('X-Forwarded-For', '203.0.113.7')
      .send({ email: 'ada@example.com', password })
      .expect(200);
  });
});

describe('POST /api/users/signout', () => {
  it('answers 200 {} and clears the session cookie', async () => {
    const cookie = cookieValue(sessionCookie(await signup().expect(201)));
    const res = await request(app).post('/api/users/signout').set('Cookie', cookie).expect(200);
    expect(res.body).toEqual({});
    const cleared = sessionCookie(res);
    expect(cleared).toMatch(/^session=;/);
    expect(cleared.toLowerCase()).toContain('expires=thu, 01 jan 1970');
    expect(await currentUser(cookieValue(cleared))).toBeNull();
  });

  it('answers 200 {} when not signed in', async () => {
    const res = await request(app).post('/api/users/signout').expect(200);
    expect(res.body).toEqual({});
  });
});

describe('GET /api/users/currentuser', () => {
  it('is null without a cookie', async () => {
    expect(await currentUser()).toBeNull();
  });

  it('is the user for a valid session', async () => {
    expect(await currentUser(signinCookie({ id: 'abc123', email: 'x@example.com' }, { key: TEST_JWT_KEY }))).toEqual({
      id: 'abc123',
      email: 'x@example.com',
      emailVerified: false,
    });
  });

  it('is null for a JWT signed with another key (tampered)', async () => {
    expect(await currentUser(signinCookie({ email: 'x@example.com' }, { key: 'someone-elses-key' }))).toBeNull();
  });

  it('is null when the JWT payload was edited (signature no longer matches)', async () => {
    const genuine = signinCookie({ id: 'abc123', email: 'x@example.com' }, { key: TEST_JWT_KEY });
    const session = JSON.parse(Buffer.from(genuine.slice('session='.length), 'base64').toString());
    const [header, , signature] = session.jwt.split('.');
    const forgedPayload = Buffer.from(JSON.stringify({ id: 'admin', email: 'admin@example.com', iat: 1, exp: 9_999_999_999 })).toString(
      'base64url',
    );
    const forged = `session=${Buffer.from(JSON.stringify({ jwt: `${header}.${forgedPayload}.${signature}` })).toString('base64')}`;
    expect(await currentUser(forged)).toBeNull();
  });

  it('is null for an expired JWT', async () => {
    const expired = jwt.sign({ id: 'abc123', email: 'x@example.com', exp: Math.floor(Date.now() / 1000) - 5 }, TEST_JWT_KEY);
    expect(await currentUser(`session=${Buffer.from(JSON.stringify({ jwt: expired })).toString('base64')}`)).toBeNull();
  });

  it('is null for a cookie that is not a session at all', async () => {
    expect(await currentUser('session=%%%not-base64')).toBeNull();
    expect(await currentUser(`session=${Buffer.from('{"jwt": 42}').toString('base64')}`)).toBeNull();
  });
});

describe('the rest of the HTTP surface', () => {
  it('answers 400 in the error shape for malformed JSON', async () => {
    const res = await request(app).post('/api/users/signup').set('Content-Type', 'application/json').send('{"email": ').expect(400);
    expect(res.body).toEqual({ errors: [{ message: 'Malformed JSON body' }] });
  });

  it('answers 400 for a body that is not JSON', async () => {
    const res = await request(app).post('/api/users/signup').set('Content-Type', 'text/plain').send('email=a').expect(400);
    expect(res.body.errors[0].message).toMatch(/JSON object/);
  });

  it('answers 404 in the error shape for unknown routes', async () => {
    const res = await request(app).get('/api/users/nope').expect(404);
    expect(res.body).toEqual({ errors: [{ message: 'Route not found' }] });
    await request(app).get('/api/users/signup').expect(404);
  });

  it('serves /healthz and /readyz', async () => {
    await request(app).get('/healthz').expect(200, { status: 'ok' });
    await request(app).get('/readyz').expect(200, { status: 'ready' });
    const notReady = buildApp({ logger, isReady: () => false, models, sessions: recordedRevocations() }, settings);
    await request(notReady).get('/readyz').expect(503);
  });
});
