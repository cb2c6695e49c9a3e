/**
 * Hostile input at every auth route (SPEC invariant 6): random and malformed JSON, wrong types,
 * NoSQL operators, unicode edge cases, very long strings, huge bodies, hostile ids, headers and
 * session cookies. Every answer is < 500 and, when it is an error, a 4xx in the documented shape
 * {errors:[{message, field?}]}. Seeded, so a failure reproduces. The arbitraries and
 * assertions shared by every service are in @jetmart/common/testing (hostile.ts).
 */
import fc from 'fast-check';
import request from 'supertest';
import { createLogger } from '@jetmart/common';
import { expectErrorShape, expectNever5xx, hostileCookie, rawBody, TEST_JWT_KEY, useTestDatabase, weirdString, wrongType } from '@jetmart/common/testing';
import { buildApp } from '../app';
import { authModels } from '../models';

const { connection } = useTestDatabase({ clearEachTest: false, prefix: 'auth_hostile' });
const models = authModels(connection);
const { User } = models;
const app = buildApp(
  { logger: createLogger('auth', { level: 'silent' }), isReady: () => true, models },
  { JWT_KEY: TEST_JWT_KEY, JWT_TTL_SECONDS: 3600, SIGNIN_MAX_ATTEMPTS: 5, SIGNIN_WINDOW_SECONDS: 60 },
);
beforeAll(() => User.syncIndexes());

// Sign-up and sign-in hash passwords (scrypt): fewer runs keep this file fast.
const RUNS = Number(process.env.HOSTILE_RUNS ?? 100);
const params = (seed: number) => ({ numRuns: RUNS, seed });

const invalidBody = fc.oneof(
  fc.record({ email: wrongType, password: fc.constant('long enough password') }),
  fc.record({ email: fc.constant('a@b.dev'), password: wrongType }),
  fc.record({ email: wrongType, password: wrongType }),
);

describe('auth: hostile input never answers 5xx', () => {
  it.each(['signup', 'signin'])('POST /api/users/%s: wrong types and operators → 400, no user created', async (route) => {
    const before = await User.countDocuments();
    await fc.assert(
      fc.asyncProperty(invalidBody, async (body) => {
        const res = await request(app).post(`/api/users/${route}`).send(body);
        expect([400, 413]).toContain(res.status);
        expectErrorShape(res);
        expect(res.headers['set-cookie']).toBeUndefined();
      }),
      params(route === 'signup' ? 401 : 402),
    );
    expect(await User.countDocuments()).toBe(before);
  });

  it('POST /api/users/signup and signin: unicode and long strings → 2xx or 4xx, never 5xx; no session unless 2xx', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('signup', 'signin'), weirdString, weirdString, async (route, email, password) => {
        const res = await request(app).post(`/api/users/${route}`).send({ email, password });
        expectNever5xx(res);
        if (res.status >= 400) expect(res.headers['set-cookie']).toBeUndefined();
      }),
      { ...params(403), numRuns: Math.min(RUNS, 60) },
    );
  });

  it('malformed JSON, non-objects and wrong content types → 4xx in the error shape', async () => {
    await fc.assert(
      fc.asyncProperty(rawBody, fc.constantFrom('signup', 'signin'), fc.constantFrom('application/json', 'text/plain'), async (raw, route, type) => {
        const res = await request(app).post(`/api/users/${route}`).set('Content-Type', type).send(raw);
        expectErrorShape(res);
      }),
      params(404),
    );
  });

  it('hostile session cookies: currentuser → null, signout → 200 {}, never 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(hostileCookie, async (cookie) => {
        const me = await request(app).get('/api/users/currentuser').set('Cookie', cookie);
        expect(me.status).toBe(200);
        expect(me.body).toEqual({ currentUser: null });
        const out = await request(app).post('/api/users/signout').set('Cookie', cookie);
        expect(out.status).toBe(200);
      }),
      params(405),
    );
  });

  it('a body over the limit → 413', async () => {
    const res = await request(app).post('/api/users/signup').send({ email: 'a@b.dev', password: 'x'.repeat(200 * 1024) });
    expect(res.status).toBe(413);
    expectErrorShape(res);
  });
});
