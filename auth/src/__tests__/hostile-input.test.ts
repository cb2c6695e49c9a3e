/**
 * Hostile input at every auth route (SPEC invariant 6): random and malformed JSON, wrong types,
 * NoSQL operators, unicode edge cases, very long strings, huge bodies, hostile ids, headers and
 * session cookies. Every answer is < 500 and, when it is an error, a 4xx in the documented shape
 * {errors:[{message, field?}]}. Seeded, so a failure reproduces. The same arbitraries as
 * products/src/__tests__/hostile-input.test.ts.
 */
import fc from 'fast-check';
import request from 'supertest';
import { createLogger } from '@jetmart/common';
import { TEST_JWT_KEY, useTestDatabase } from '@jetmart/common/testing';
import { buildApp } from '../app';
import { User } from '../models/user';

useTestDatabase({ clearEachTest: false, prefix: 'auth_hostile' });
const app = buildApp(
  { logger: createLogger('auth', { level: 'silent' }), isReady: () => true },
  { JWT_KEY: TEST_JWT_KEY, JWT_TTL_SECONDS: 3600, SIGNIN_MAX_ATTEMPTS: 5, SIGNIN_WINDOW_SECONDS: 60 },
);
beforeAll(() => User.syncIndexes());

// Sign-up and sign-in hash passwords (scrypt): fewer runs keep this file fast.
const RUNS = Number(process.env.HOSTILE_RUNS ?? 100);
const params = (seed: number) => ({ numRuns: RUNS, seed });

// ---- arbitraries (the same families in every service's hostile-input test)
const operator = fc.constantFrom<unknown>({ $gt: '' }, { $ne: null }, { $where: 'sleep(1000)' }, { $regex: '.*' }, { $in: [] }, { $exists: true });
const weirdString = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 50 }),
  fc.string({ unit: 'binary', maxLength: 50 }), // any code point, lone surrogates included
  fc.constantFrom('', ' ', '\u0000', '\u202e', '\ud800', '\udfff', '💥'.repeat(300), 'a\u0301'.repeat(150), '$gt', '{"$gt":""}', '__proto__', '../../etc/passwd', '%00'),
  fc.integer({ min: 199, max: 100_000 }).map((n) => 'x'.repeat(n)),
);
/** Values that are never valid for a typed field (string or number). */
const wrongType = fc.oneof(
  operator,
  fc.constant(null),
  fc.boolean(),
  fc.array(fc.jsonValue(), { maxLength: 5 }),
  fc.dictionary(fc.string({ maxLength: 5 }), fc.jsonValue(), { maxKeys: 3 }).filter((d) => Object.keys(d).length > 0),
  fc.constantFrom<unknown>({ __proto__: { admin: true } }, JSON.parse('{"__proto__": {"polluted": 1}}'), { constructor: { prototype: { x: 1 } } }),
);
const weirdNumber = fc.oneof(
  fc.double({ noNaN: true }),
  fc.constantFrom(-0, 1e308, -1e308, 2 ** 53 + 1, 0.001, 1e-9, 1_000_000.001),
  fc.integer(),
);
const anyValue = fc.oneof(wrongType, weirdString, weirdNumber, fc.jsonValue());
const hostileId = fc.oneof(weirdString.filter((s) => s.length < 2000), fc.constantFrom('000000000000000000000000', 'ffffffffffffffffffffffff', '64b0000000000000000000aa '));
const rawBody = fc.oneof(
  fc.string({ maxLength: 200 }),
  fc.constantFrom('{', '{"title":', '[1,2', 'null', 'true', '"str"', '123', '{"a":1}}', '\u0000', '{"title":"x",}', "{'title':'x'}", '['.repeat(5000) + ']'.repeat(5000)),
  fc.jsonValue().map((v) => JSON.stringify(v).slice(0, -1)), // truncated JSON
);
const hostileCookie = fc.oneof(
  fc.string({ maxLength: 100 }).map((s) => `session=${encodeURIComponent(s)}`),
  fc.jsonValue().map((v) => `session=${Buffer.from(JSON.stringify(v) ?? '').toString('base64')}`),
  fc.string({ maxLength: 100 }).map((s) => `session=${Buffer.from(JSON.stringify({ jwt: s })).toString('base64')}`),
  fc.constantFrom('session=', 'session=%', 'session=e30', `session=${'A'.repeat(8000)}`),
);

/** Percent-encodes every UTF-8 byte (lone surrogates included, which encodeURIComponent refuses). */
const enc = (s: string) => [...Buffer.from(s, 'utf8')].map((b) => `%${b.toString(16).padStart(2, '0')}`).join('');
/** Path segments that are not even valid percent-encoding or UTF-8. */
const rawSegment = fc.constantFrom('%', '%zz', '%C0%AF', '%FF%FE', '%E2%82', '..%2F..%2F', '%00', '%2e%2e');

function expectErrorShape(res: request.Response): void {
  expect(res.status).toBeGreaterThanOrEqual(400);
  expect(res.status).toBeLessThan(500);
  expect(Object.keys(res.body)).toEqual(['errors']);
  expect(res.body.errors.length).toBeGreaterThan(0);
  for (const e of res.body.errors) {
    expect(typeof e.message).toBe('string');
    expect(Object.keys(e).every((k) => k === 'message' || k === 'field')).toBe(true);
    if ('field' in e) expect(typeof e.field).toBe('string');
  }
}
/** Any answer: never a 5xx; an error answer in the documented shape. */
function expectSane(res: request.Response): void {
  expect(res.status).toBeLessThan(500);
  if (res.status >= 400) expectErrorShape(res);
}

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
        expectSane(res);
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
