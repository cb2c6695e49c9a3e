/**
 * Every documented response of the auth API, produced by real requests (real database) and
 * checked against src/openapi.ts; then nothing documented is left unproduced.
 */
import request from 'supertest';
import { createLogger } from '@jetmart/common';
import { ADDRESS_BOOK_LIMIT } from '@jetmart/common/contracts';
import { OpenApiContract, TEST_JWT_KEY, useTestDatabase } from '@jetmart/common/testing';
import { buildApp } from '../app';
import { authModels } from '../models';
import { authApiDocument } from '../openapi';
import { deadSourceUrl, startPartSource } from './export-sources';
import { recordedRevocations } from './fake-sessions';

const { connection } = useTestDatabase({ prefix: 'auth_contract' });
const models = authModels(connection);
const contract = new OpenApiContract(authApiDocument);
const app = buildApp(
  {
    logger: createLogger('auth', { level: 'silent' }),
    isReady: () => true,
    models,
    sessions: recordedRevocations(),
  },
  { JWT_KEY: TEST_JWT_KEY, JWT_TTL_SECONDS: 3600, SIGNIN_MAX_ATTEMPTS: 3, SIGNIN_WINDOW_SECONDS: 60 },
);
const password = 'correct horse battery';

it('signup, signin, signout and currentuser: every documented status', async () => {
  const signup = (body: object) => request(app).post('/api/users/signup').send(body);
  const signin = (body: object) => request(app).post('/api/users/signin').send(body);
  const created = await contract.expect(signup({ email: 'Ada@Example.com', password }), 201);
  expect(created.body.email).toBe('ada@example.com');
  await contract.expect(signup({ email: 'ada@example.com', password }), 409);
  await contract.expect(signup({ email: 'not-an-email', password }), 400);
  await contract.expect(request(app).post('/api/users/signup').set('Content-Type', 'application/json').send('{"email":'), 400);

  const signedIn = await contract.expect(signin({ email: 'ada@example.com', password }), 200);
  const cookie = String(([] as string[]).concat(signedIn.headers['set-cookie'] ?? [])[0]).split(';')[0];
  const me = await contract.expect(request(app).get('/api/users/currentuser').set('Cookie', cookie), 200);
  expect(me.body.currentUser).toMatchObject({ email: 'ada@example.com' });
  const anonymous = await contract.expect(request(app).get('/api/users/currentuser'), 200);
  expect(anonymous.body).toEqual({ currentUser: null });
  await contract.expect(request(app).post('/api/users/signout').set('Cookie', cookie), 200);

  await contract.expect(signin({ email: 'ada@example.com' }), 400);
  // Every attempt counts towards the limit (3 per window here; the sign-in above was the first).
  for (let i = 0; i < 2; i++) await contract.expect(signin({ email: 'ada@example.com', password: 'wrong password' }), 401);
  const limited = await contract.expect(signin({ email: 'ada@example.com', password }), 429);
  expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
});

it('the address book: every documented status', async () => {
  const signedUp = await contract.expect(request(app).post('/api/users/signup').send({ email: 'grace@example.com', password }), 201);
  const cookie = String(([] as string[]).concat(signedUp.headers['set-cookie'] ?? [])[0]).split(';')[0];
  const base = '/api/users/me/addresses';
  const home = { name: 'Grace Hopper', line1: '1 Navy Way', city: 'Arlington', postalCode: '22202', country: 'US' };
  const as = (r: request.Test) => r.set('Cookie', cookie);

  await contract.expect(request(app).get(base), 401);
  await contract.expect(request(app).post(base).send(home), 401);
  await contract.expect(request(app).put(`${base}/000000000000000000000000`).send(home), 401);
  await contract.expect(request(app).delete(`${base}/000000000000000000000000`), 401);

  const added = await contract.expect(as(request(app).post(base)).send({ ...home, line2: 'Suite 2', phone: '+1 555 0100' }), 201);
  await contract.expect(as(request(app).post(base)).send({ ...home, country: 'USA' }), 400);
  const listed = await contract.expect(as(request(app).get(base)), 200);
  expect(listed.body).toEqual([added.body]);

  await contract.expect(as(request(app).put(`${base}/${added.body.id}`)).send({ ...home, city: 'Washington' }), 200);
  await contract.expect(as(request(app).put(`${base}/${added.body.id}`)).send({ ...home, postalCode: '' }), 400);
  await contract.expect(as(request(app).put(`${base}/000000000000000000000000`)).send(home), 404);

  await contract.expect(as(request(app).delete(`${base}/${added.body.id}`)), 204);
  await contract.expect(as(request(app).delete(`${base}/${added.body.id}`)), 404);

  for (let i = 0; i < ADDRESS_BOOK_LIMIT; i++) await contract.expect(as(request(app).post(base)).send(home), 201);
  await contract.expect(as(request(app).post(base)).send(home), 409);
  await contract.expect(as(request(app).get(base)), 200);
});

it('the account and its sessions: every documented status', async () => {
  const signedUp = await contract.expect(request(app).post('/api/users/signup').send({ email: 'lin@example.com', password }), 201);
  const cookie = String(([] as string[]).concat(signedUp.headers['set-cookie'] ?? [])[0]).split(';')[0];
  const as = (r: request.Test) => r.set('Cookie', cookie);

  await contract.expect(request(app).get('/api/users/me'), 401);
  await contract.expect(request(app).patch('/api/users/me').send({ displayName: 'Lin' }), 401);
  await contract.expect(
    request(app).post('/api/users/me/password').send({ currentPassword: password, newPassword: 'another passphrase' }),
    401,
  );
  await contract.expect(request(app).delete('/api/users/me').send({ password }), 401);
  await contract.expect(request(app).post('/api/users/signout-everywhere'), 401);

  const me = await contract.expect(as(request(app).get('/api/users/me')), 200);
  expect(me.body).toEqual({ id: signedUp.body.id, email: 'lin@example.com', emailVerified: false, displayName: null });
  const named = await contract.expect(as(request(app).patch('/api/users/me')).send({ displayName: '  Lin Wei ' }), 200);
  expect(named.body.displayName).toBe('Lin Wei');
  await contract.expect(as(request(app).patch('/api/users/me')).send({ displayName: '' }), 400);

  await contract.expect(as(request(app).post('/api/users/me/password')).send({ currentPassword: password, newPassword: 'short' }), 400);
  await contract.expect(
    as(request(app).post('/api/users/me/password')).send({ currentPassword: 'not it', newPassword: 'another passphrase' }),
    401,
  );
  await contract.expect(
    as(request(app).post('/api/users/me/password')).send({ currentPassword: password, newPassword: 'another passphrase' }),
    200,
  );

  await contract.expect(as(request(app).delete('/api/users/me')).send({}), 400);
  await contract.expect(as(request(app).delete('/api/users/me')).send({ password: 'not it' }), 401);
  await contract.expect(as(request(app).post('/api/users/signout-everywhere')), 200);
  await contract.expect(as(request(app).delete('/api/users/me')).send({ password: 'another passphrase' }), 204);
});

it('sign-ups over the limit: 429', async () => {
  const limited = buildApp(
    {
      logger: createLogger('auth', { level: 'silent' }),
      isReady: () => true,
      models: authModels(connection),
      sessions: recordedRevocations(),
    },
    {
      JWT_KEY: TEST_JWT_KEY,
      JWT_TTL_SECONDS: 3600,
      SIGNIN_MAX_ATTEMPTS: 3,
      SIGNIN_WINDOW_SECONDS: 60,
      SIGNUP_MAX_ATTEMPTS: 1,
      SIGNUP_WINDOW_SECONDS: 60,
    },
  );
  await contract.expect(request(limited).post('/api/users/signup').send({ email: 'first@example.com', password }), 201);
  const res = await contract.expect(request(limited).post('/api/users/signup').send({ email: 'second@example.com', password }), 429);
  expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
});

it('password reset and email verification: every documented status', async () => {
  const links = buildApp(
    { logger: createLogger('auth', { level: 'silent' }), isReady: () => true, models, sessions: recordedRevocations() },
    { JWT_KEY: TEST_JWT_KEY, JWT_TTL_SECONDS: 3600, SIGNIN_MAX_ATTEMPTS: 3, SIGNIN_WINDOW_SECONDS: 60, PASSWORD_RESET_MAX_PER_EMAIL: 1 },
  );
  const signedUp = await contract.expect(request(links).post('/api/users/signup').send({ email: 'mae@example.com', password }), 201);
  const cookie = String(([] as string[]).concat(signedUp.headers['set-cookie'] ?? [])[0]).split(';')[0];
  const tokenOf = async (subject: string) => {
    const doc = (await models.User.findById(signedUp.body.id).lean())!;
    return (doc.outbox.filter((e) => e.subject === subject).at(-1)!.event.data as { token: string }).token;
  };
  const reset = (email: unknown) => request(links).post('/api/users/password-reset').send({ email });

  await contract.expect(reset('mae@example.com'), 202);
  await contract.expect(reset('nobody@example.com'), 202);
  await contract.expect(reset('not an email'), 400);
  const limited = await contract.expect(reset('mae@example.com'), 429);
  expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);

  const confirm = (token: string) => request(links).post('/api/users/password-reset/confirm').send({ token, password: 'a new passphrase' });
  const resetToken = await tokenOf('user.password-reset-requested');
  await contract.expect(confirm(resetToken), 200);
  await contract.expect(confirm(resetToken), 400);

  const resend = () => request(links).post('/api/users/verify-email/resend').set('Cookie', cookie);
  await contract.expect(request(links).post('/api/users/verify-email/resend'), 401);
  await contract.expect(resend(), 202);
  await contract.expect(resend(), 429);
  const verifyToken = await tokenOf('user.verification-requested');
  const verified = await contract.expect(request(links).post('/api/users/verify-email').send({ token: verifyToken }), 200);
  expect(verified.body.user).toMatchObject({ email: 'mae@example.com', emailVerified: true });
  await contract.expect(request(links).post('/api/users/verify-email').send({ token: verifyToken }), 400);
});

it('GET /api/users/me/export: 200, 401, 503', async () => {
  const part = await startPartSource('orders', (id) => ({ body: { orders: [{ id: `order-of-${id}` }], returns: [] } }));
  const withSources = (sources: string[]) =>
    buildApp(
      {
        logger: createLogger('auth', { level: 'silent' }),
        isReady: () => true,
        models: authModels(connection),
        sessions: recordedRevocations(),
      },
      { JWT_KEY: TEST_JWT_KEY, JWT_TTL_SECONDS: 3600, SIGNIN_MAX_ATTEMPTS: 3, SIGNIN_WINDOW_SECONDS: 60, EXPORT_SOURCES: sources },
    );
  try {
    const exporting = withSources([part.url]);
    const signup = await request(exporting).post('/api/users/signup').send({ email: 'export@example.com', password });
    const cookie = ([] as string[]).concat(signup.headers['set-cookie'] ?? []).map((c) => c.split(';')[0]);
    const res = await contract.expect(request(exporting).get('/api/users/me/export').set('Cookie', cookie), 200);
    expect(res.body).toMatchObject({
      user: { email: 'export@example.com' },
      addresses: [],
      orders: [{ id: `order-of-${signup.body.id}` }],
    });
    await contract.expect(request(exporting).get('/api/users/me/export'), 401);
    await contract.expect(
      request(withSources([await deadSourceUrl()]))
        .get('/api/users/me/export')
        .set('Cookie', cookie),
      503,
    );
  } finally {
    await part.close();
  }
});

it('every documented response was produced', () => {
  expect(contract.unexercised()).toEqual([]);
});
