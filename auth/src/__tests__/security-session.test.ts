/**
 * Security of auth: sign-in attempts are rate-limited (429 with Retry-After, even for the right
 * password once the limit is used up), session cookies are httpOnly, SameSite=Lax and Secure when
 * the site is served over HTTPS (X-Forwarded-Proto from the ingress), not Secure over plain HTTP.
 */
import request from 'supertest';
import { createLogger } from '@jetmart/common';
import { TEST_JWT_KEY, useTestDatabase } from '@jetmart/common/testing';
import { buildApp } from '../app';
import { authModels } from '../models';
import { recordedRevocations } from './fake-sessions';

const { connection } = useTestDatabase({ prefix: 'auth_security' });
const logger = createLogger('auth', { level: 'silent' });
const models = authModels(connection);
let app: ReturnType<typeof buildApp>;
beforeEach(() => {
  app = buildApp(
    { logger, isReady: () => true, models, sessions: recordedRevocations() },
    { JWT_KEY: TEST_JWT_KEY, JWT_TTL_SECONDS: 3600, SIGNIN_MAX_ATTEMPTS: 3, SIGNIN_WINDOW_SECONDS: 60 },
  );
});
const creds = { email: 'sec@example.com', password: 'correct horse battery' };
const sessionCookie = (res: request.Response) =>
  ([] as string[]).concat(res.headers['set-cookie'] ?? []).find((c) => c.startsWith('session='));

it('sign-in attempts are limited per client and email: the 4th within the window is 429, even with the right password', async () => {
  await request(app).post('/api/users/signup').send(creds).expect(201);
  for (let i = 0; i < 3; i++)
    await request(app)
      .post('/api/users/signin')
      .send({ ...creds, password: 'wrong password!' })
      .expect(401);
  const res = await request(app).post('/api/users/signin').send(creds);
  expect(res.status).toBe(429);
  expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
  expect(res.body.errors[0].message).toEqual(expect.any(String));
  expect(sessionCookie(res)).toBeUndefined();
  // Another client (IP) is not locked out.
  const other = await request(app).post('/api/users/signin').set('X-Forwarded-For', '203.0.113.9').send(creds);
  expect(other.status).toBe(200);
});

it('over HTTPS (X-Forwarded-Proto: https) the session cookie is Secure, HttpOnly and SameSite=Lax', async () => {
  const res = await request(app).post('/api/users/signup').set('X-Forwarded-Proto', 'https').send(creds).expect(201);
  const cookie = sessionCookie(res)!;
  expect(cookie).toMatch(/;\s*secure/i);
  expect(cookie).toMatch(/;\s*httponly/i);
  expect(cookie).toMatch(/;\s*samesite=lax/i);
});

it('over plain HTTP the cookie is HttpOnly and SameSite=Lax but not Secure (local development still works)', async () => {
  const res = await request(app).post('/api/users/signup').send(creds).expect(201);
  const cookie = sessionCookie(res)!;
  expect(cookie).not.toMatch(/;\s*secure/i);
  expect(cookie).toMatch(/;\s*httponly/i);
  expect(cookie).toMatch(/;\s*samesite=lax/i);
});
