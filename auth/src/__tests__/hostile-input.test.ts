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
import { ADDRESS_BOOK_LIMIT } from '@jetmart/common/contracts';
import {
  anyValue,
  expectErrorShape,
  expectNever5xx,
  hostileAddress,
  hostileCookie,
  hostileId,
  percentEncode,
  rawBody,
  rawSegment,
  signinCookie,
  TEST_JWT_KEY,
  useTestDatabase,
  weirdString,
  wrongType,
} from '@jetmart/common/testing';
import { buildApp } from '../app';
import { authModels } from '../models';
import { recordedRevocations } from './fake-sessions';

const { connection } = useTestDatabase({ clearEachTest: false, prefix: 'auth_hostile' });
const models = authModels(connection);
const { User } = models;
const app = buildApp(
  { logger: createLogger('auth', { level: 'silent' }), isReady: () => true, models, sessions: recordedRevocations() },
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
      fc.asyncProperty(
        rawBody,
        fc.constantFrom('signup', 'signin'),
        fc.constantFrom('application/json', 'text/plain'),
        async (raw, route, type) => {
          const res = await request(app).post(`/api/users/${route}`).set('Content-Type', type).send(raw);
          expectErrorShape(res);
        },
      ),
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
    const res = await request(app)
      .post('/api/users/signup')
      .send({ email: 'a@b.dev', password: 'x'.repeat(200 * 1024) });
    expect(res.status).toBe(413);
    expectErrorShape(res);
  });
});

describe('auth: hostile input at the address book never answers 5xx', () => {
  const base = '/api/users/me/addresses';
  const valid = {
    name: 'Ada',
    line1: '1 Main Street',
    line2: 'Flat 2',
    city: 'London',
    postalCode: 'N1 1AA',
    country: 'GB',
    phone: '+44 20 0000',
  };
  const fields = Object.keys(valid) as (keyof typeof valid)[];
  const extra = fc.constantFrom(...fields, '$set', '$push', 'id', '_id', 'userId', 'addresses', 'addressBookRevision', '__proto__');
  /** At least one field of a wrong type (or an operator): always a 400. */
  const invalidAddress = fc
    .tuple(fc.constantFrom(...fields), wrongType, fc.dictionary(extra, anyValue, { maxKeys: 3 }))
    .map(([bad, value, rest]) => ({ ...valid, ...rest, [bad]: value }));
  /** Random fields and values, unicode and long strings: 2xx or 4xx. */
  const randomAddress = hostileAddress(valid, extra);

  let cookie = '';
  let userId = '';
  let entryId = '';
  beforeAll(async () => {
    const outcome = await User.register('book@example.com', 'correct horse battery');
    if (outcome.kind !== 'created') throw new Error('no account');
    userId = outcome.user.id as string;
    cookie = signinCookie({ id: userId, email: 'book@example.com' });
    const res = await request(app).post(base).set('Cookie', cookie).send(valid);
    expect(res.status).toBe(201);
    entryId = res.body.id;
  });
  const stored = async () => (await User.findById(userId).lean())!.addresses;
  /** The book is always within the limit, and every entry holds only address fields of string type. */
  async function expectBookSound() {
    const entries = await stored();
    expect(entries.length).toBeLessThanOrEqual(ADDRESS_BOOK_LIMIT);
    for (const e of entries) {
      for (const [k, v] of Object.entries(e)) {
        if (k === '_id') continue;
        expect(fields).toContain(k);
        expect(typeof v).toBe('string');
      }
    }
  }

  it('POST and PUT: wrong types and operators → 400, nothing changed', async () => {
    const before = JSON.stringify(await stored());
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('post', 'put'), invalidAddress, async (method, body) => {
        const res = await (method === 'post' ? request(app).post(base) : request(app).put(`${base}/${entryId}`))
          .set('Cookie', cookie)
          .send(body);
        expect([400, 413]).toContain(res.status);
        expectErrorShape(res);
      }),
      params(406),
    );
    expect(JSON.stringify(await stored())).toBe(before);
  });

  it('POST: random fields, unicode and long strings → 201 with exactly the address fields, or 4xx', async () => {
    let added = 0;
    await fc.assert(
      fc.asyncProperty(randomAddress, async (body) => {
        const res = await request(app).post(base).set('Cookie', cookie).send(body);
        expectNever5xx(res);
        if (res.status === 201) {
          expect(Object.keys(res.body).every((k) => k === 'id' || (fields as string[]).includes(k))).toBe(true);
          const saved = (await stored()).find((e) => e._id.toHexString() === res.body.id)!;
          for (const k of fields) expect(saved[k]).toBe((body as Record<string, unknown>)[k]);
          // Keep room for the next run: the limit itself is tested in addresses.test.ts.
          await request(app).delete(`${base}/${res.body.id}`).set('Cookie', cookie).expect(204);
          added++;
        }
      }),
      params(407),
    );
    // The property saw both sides: some hostile-looking text is a valid address and is kept as sent.
    expect(added).toBeGreaterThan(0);
    await expectBookSound();
  });

  it('PUT and DELETE /:id: hostile ids and bodies → never 5xx; an unknown id changes nothing', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(hostileId.map(percentEncode), rawSegment),
        fc.oneof(invalidAddress, randomAddress, fc.constant(valid)),
        async (id, body) => {
          const before = JSON.stringify(await stored());
          const put = await request(app).put(`${base}/${id}`).set('Cookie', cookie).send(body);
          expectNever5xx(put);
          const del = await request(app).delete(`${base}/${id}`).set('Cookie', cookie);
          expectNever5xx(del);
          expect([400, 404]).toContain(del.status);
          expect(JSON.stringify(await stored())).toBe(before);
        },
      ),
      params(408),
    );
    await expectBookSound();
  });

  it('malformed JSON, non-objects and wrong content types → 4xx in the error shape', async () => {
    await fc.assert(
      fc.asyncProperty(
        rawBody,
        fc.constantFrom('post', 'put'),
        fc.constantFrom('application/json', 'text/plain'),
        async (raw, method, type) => {
          const req = method === 'post' ? request(app).post(base) : request(app).put(`${base}/${entryId}`);
          const res = await req.set('Cookie', cookie).set('Content-Type', type).send(raw);
          expectErrorShape(res);
        },
      ),
      params(409),
    );
  });

  it('hostile session cookies → 401 on every address-book route, nothing changed', async () => {
    const before = JSON.stringify(await stored());
    await fc.assert(
      fc.asyncProperty(hostileCookie, fc.constantFrom('get', 'post', 'put', 'delete'), async (bad, method) => {
        const res = await {
          get: () => request(app).get(base),
          post: () => request(app).post(base).send(valid),
          put: () => request(app).put(`${base}/${entryId}`).send(valid),
          delete: () => request(app).delete(`${base}/${entryId}`),
        }
          [method]()
          .set('Cookie', bad);
        expect(res.status).toBe(401);
        expectErrorShape(res);
      }),
      params(410),
    );
    expect(JSON.stringify(await stored())).toBe(before);
  });

  it('a body over the limit → 413', async () => {
    const res = await request(app)
      .post(base)
      .set('Cookie', cookie)
      .send({ ...valid, name: 'x'.repeat(200 * 1024) });
    expect(res.status).toBe(413);
    expectErrorShape(res);
  });
});

describe('auth: hostile input at the account routes never answers 5xx', () => {
  const PASSWORD = 'correct horse battery';
  let cookie = '';
  let userId = '';
  beforeAll(async () => {
    const outcome = await User.register('account@example.com', PASSWORD);
    if (outcome.kind !== 'created') throw new Error('no account');
    userId = outcome.user.id as string;
    cookie = signinCookie({ id: userId, email: 'account@example.com' });
  });
  const account = async () => (await User.findById(userId).lean())!;
  const extra = fc.constantFrom(
    'displayName',
    'email',
    'password',
    'passwordHash',
    'version',
    'deletedAt',
    '$set',
    '__proto__',
    'id',
    '_id',
  );

  it('PATCH /api/users/me: wrong types and operators → 400, nothing changed; random strings → 200 with the trimmed name or 400', async () => {
    const before = await account();
    await fc.assert(
      fc.asyncProperty(wrongType, fc.dictionary(extra, anyValue, { maxKeys: 3 }), async (value, rest) => {
        const res = await request(app)
          .patch('/api/users/me')
          .set('Cookie', cookie)
          .send({ ...rest, displayName: value });
        expect([400, 413]).toContain(res.status);
        expectErrorShape(res);
      }),
      params(411),
    );
    const after = await account();
    expect([after.email, after.passwordHash, after.version, after.displayName]).toEqual([
      before.email,
      before.passwordHash,
      before.version,
      before.displayName,
    ]);
    await fc.assert(
      fc.asyncProperty(weirdString, async (name) => {
        const res = await request(app).patch('/api/users/me').set('Cookie', cookie).send({ displayName: name });
        expectNever5xx(res);
        if (res.status === 200) {
          expect(res.body.displayName).toBe(name.trim());
          expect((await account()).displayName).toBe(name.trim());
        }
      }),
      { ...params(412), numRuns: Math.min(RUNS, 60) },
    );
    expect((await account()).email).toBe('account@example.com');
  });

  it('POST /api/users/me/password and DELETE /api/users/me: hostile bodies → 4xx, the password and the account unchanged', async () => {
    const before = await account();
    const body = fc.oneof(
      fc.record({ currentPassword: wrongType, newPassword: fc.constant('long enough password') }),
      fc.record({ currentPassword: fc.constant(PASSWORD), newPassword: wrongType }),
      fc.record({ currentPassword: weirdString, newPassword: weirdString }),
      fc.dictionary(extra, anyValue, { maxKeys: 4 }),
    );
    await fc.assert(
      fc.asyncProperty(body, async (b) => {
        const res = await request(app).post('/api/users/me/password').set('Cookie', cookie).send(b);
        expect(res.status).toBeGreaterThanOrEqual(400);
        expect(res.status).toBeLessThan(500);
        expectErrorShape(res);
      }),
      { ...params(413), numRuns: Math.min(RUNS, 60) },
    );
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(fc.record({ password: wrongType }), fc.record({ password: weirdString }), fc.dictionary(extra, anyValue, { maxKeys: 3 })),
        async (b) => {
          const res = await request(app).delete('/api/users/me').set('Cookie', cookie).send(b);
          expect(res.status).toBeGreaterThanOrEqual(400);
          expect(res.status).toBeLessThan(500);
          expectErrorShape(res);
        },
      ),
      { ...params(414), numRuns: Math.min(RUNS, 60) },
    );
    const after = await account();
    expect(after.passwordHash).toBe(before.passwordHash);
    expect(after.deletedAt).toBeUndefined();
  });

  it('malformed JSON, non-objects and wrong content types → 4xx in the error shape', async () => {
    await fc.assert(
      fc.asyncProperty(
        rawBody,
        fc.constantFrom(['patch', '/api/users/me'], ['post', '/api/users/me/password'], ['delete', '/api/users/me']),
        fc.constantFrom('application/json', 'text/plain'),
        async (raw, [method, path], type) => {
          const req =
            method === 'patch' ? request(app).patch(path!) : method === 'post' ? request(app).post(path!) : request(app).delete(path!);
          const res = await req.set('Cookie', cookie).set('Content-Type', type).send(raw);
          expectErrorShape(res);
        },
      ),
      params(415),
    );
    expect((await account()).deletedAt).toBeUndefined();
  });

  it('hostile session cookies → 401 on every account route, nothing changed or revoked', async () => {
    const before = await account();
    await fc.assert(
      fc.asyncProperty(hostileCookie, fc.constantFrom('me', 'patch', 'password', 'delete', 'everywhere'), async (bad, route) => {
        const res = await {
          me: () => request(app).get('/api/users/me'),
          patch: () => request(app).patch('/api/users/me').send({ displayName: 'X' }),
          password: () =>
            request(app).post('/api/users/me/password').send({ currentPassword: PASSWORD, newPassword: 'another passphrase' }),
          delete: () => request(app).delete('/api/users/me').send({ password: PASSWORD }),
          everywhere: () => request(app).post('/api/users/signout-everywhere'),
        }
          [route]()
          .set('Cookie', bad);
        expect(res.status).toBe(401);
        expectErrorShape(res);
      }),
      params(416),
    );
    const after = await account();
    expect([after.passwordHash, after.version, after.deletedAt]).toEqual([before.passwordHash, before.version, before.deletedAt]);
  });
});

describe('auth: hostile input at password reset and email verification never answers 5xx', () => {
  const PASSWORD = 'correct horse battery';
  // Limits high enough for the runs (the limits themselves: account-links and shared-limits tests).
  const links = buildApp(
    { logger: createLogger('auth', { level: 'silent' }), isReady: () => true, models, sessions: recordedRevocations() },
    {
      JWT_KEY: TEST_JWT_KEY,
      JWT_TTL_SECONDS: 3600,
      SIGNIN_MAX_ATTEMPTS: 5,
      SIGNIN_WINDOW_SECONDS: 60,
      PASSWORD_RESET_MAX_PER_IP: 1_000_000,
      PASSWORD_RESET_MAX_PER_EMAIL: 10_000,
    },
  );
  let userId = '';
  let cookie = '';
  let resetToken = '';
  let verifyToken = '';
  const account = async () => (await User.findById(userId).lean())!;
  // cookie-session may rewrite a malformed cookie as an empty one (`e30=`): what matters is that no JWT is issued.
  const sessionIssued = (res: request.Response) =>
    ([] as string[]).concat(res.headers['set-cookie'] ?? []).some((c) => {
      const value = /^session=([^;]*)/.exec(c)?.[1];
      return Boolean(value) && Buffer.from(value!, 'base64').toString().includes('jwt');
    });
  const tokenOf = async (subject: string) => {
    const entry = (await account()).outbox.filter((e) => e.subject === subject).at(-1)!;
    return (entry.event.data as { token: string }).token;
  };
  beforeAll(async () => {
    const outcome = await User.register('links@example.com', PASSWORD);
    if (outcome.kind !== 'created') throw new Error('no account');
    userId = outcome.user.id as string;
    cookie = signinCookie({ id: userId, email: 'links@example.com' });
    await request(links).post('/api/users/password-reset').send({ email: 'links@example.com' }).expect(202);
    resetToken = await tokenOf('user.password-reset-requested');
    verifyToken = await tokenOf('user.verification-requested');
  });
  const extra = fc.constantFrom(
    'email',
    'token',
    'password',
    'passwordHash',
    'emailVerified',
    'resetTokenHash',
    '$set',
    '$ne',
    '__proto__',
    '_id',
  );
  /** A token that is not a string, an operator, or any string that is not the live token. */
  const hostileToken = fc.oneof(
    wrongType,
    fc.constant({ $ne: null }),
    fc.constant({ $exists: true }),
    weirdString,
    hostileId,
    fc.string({ minLength: 32, maxLength: 128, unit: fc.constantFrom(...'abcXYZ019_-'.split('')) }),
  );

  it('POST /api/users/password-reset: wrong types and operators → 400; any string → 202 or 400; no account gains a link it did not ask for', async () => {
    const before = await account();
    const accounts = await User.countDocuments();
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.record({ email: wrongType }), fc.dictionary(extra, anyValue, { maxKeys: 3 })), async (body) => {
        const res = await request(links).post('/api/users/password-reset').send(body);
        if ('email' in body && typeof body.email === 'string') return; // a string may be a valid address
        expect([400, 413]).toContain(res.status);
        expectErrorShape(res);
      }),
      params(417),
    );
    await fc.assert(
      fc.asyncProperty(weirdString, async (email) => {
        const res = await request(links).post('/api/users/password-reset').send({ email });
        expectNever5xx(res);
        expect([202, 400]).toContain(res.status);
        if (res.status === 202) expect(res.body).toEqual({ status: 'sent-if-registered' });
      }),
      { ...params(418), numRuns: Math.min(RUNS, 60) },
    );
    const after = await account();
    expect(after.resetTokenHash).toBe(before.resetTokenHash);
    expect(await User.countDocuments()).toBe(accounts);
  });

  it('POST /password-reset/confirm and /verify-email: hostile tokens and bodies → 400, the password and the verification untouched, the real links still work after', async () => {
    const before = await account();
    await fc.assert(
      fc.asyncProperty(
        hostileToken,
        fc.oneof(wrongType, weirdString, fc.constant('a fine new passphrase')),
        fc.dictionary(extra, anyValue, { maxKeys: 2 }),
        async (token, password, rest) => {
          const reset = await request(links)
            .post('/api/users/password-reset/confirm')
            .send({ ...rest, token, password });
          expect([400, 413]).toContain(reset.status);
          expectErrorShape(reset);
          const verify = await request(links)
            .post('/api/users/verify-email')
            .set('Cookie', cookie)
            .send({ ...rest, token });
          expect([400, 413]).toContain(verify.status);
          expectErrorShape(verify);
          expect(sessionIssued(verify)).toBe(false);
        },
      ),
      { ...params(419), numRuns: Math.min(RUNS, 80) },
    );
    const after = await account();
    expect([after.passwordHash, after.emailVerified, after.resetTokenHash, after.verifyTokenHash]).toEqual([
      before.passwordHash,
      false,
      before.resetTokenHash,
      before.verifyTokenHash,
    ]);
    await request(links).post('/api/users/verify-email').send({ token: verifyToken }).expect(200);
    await request(links)
      .post('/api/users/password-reset/confirm')
      .send({ token: resetToken, password: 'a fine new passphrase' })
      .expect(200);
  });

  it('malformed JSON, non-objects and wrong content types → 4xx in the error shape', async () => {
    await fc.assert(
      fc.asyncProperty(
        rawBody,
        fc.constantFrom('password-reset', 'password-reset/confirm', 'verify-email', 'verify-email/resend'),
        fc.constantFrom('application/json', 'text/plain'),
        async (raw, route, type) => {
          const res = await request(links).post(`/api/users/${route}`).set('Cookie', cookie).set('Content-Type', type).send(raw);
          expectNever5xx(res);
          // The resend reads no body: with a valid session anything it is sent may be ignored (202).
          if (route === 'verify-email/resend' && res.status === 202) return;
          expectErrorShape(res);
        },
      ),
      params(420),
    );
  });

  it('hostile session cookies: resend → 401; verify-email issues no session to them', async () => {
    await fc.assert(
      fc.asyncProperty(hostileCookie, async (bad) => {
        const resend = await request(links).post('/api/users/verify-email/resend').set('Cookie', bad);
        expect(resend.status).toBe(401);
        expectErrorShape(resend);
        const verify = await request(links)
          .post('/api/users/verify-email')
          .set('Cookie', bad)
          .send({ token: 'x'.repeat(43) });
        expect(verify.status).toBe(400);
        expect(sessionIssued(verify)).toBe(false);
      }),
      params(421),
    );
  });
});
