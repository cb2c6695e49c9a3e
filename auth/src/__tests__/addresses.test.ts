import request from 'supertest';
import { createLogger } from '@jetmart/common';
import { ADDRESS_BOOK_LIMIT, ADDRESS_LIMITS } from '@jetmart/common/contracts';
import { signinCookie, TEST_JWT_KEY, useTestDatabase } from '@jetmart/common/testing';
import { buildApp } from '../app';
import { authModels } from '../models';
import { recordedRevocations } from './fake-sessions';

const { connection } = useTestDatabase({ prefix: 'auth_addresses' });
const models = authModels(connection);
const { User } = models;
const app = buildApp(
  { logger: createLogger('auth', { level: 'silent' }), isReady: () => true, models, sessions: recordedRevocations() },
  { JWT_KEY: TEST_JWT_KEY, JWT_TTL_SECONDS: 3600, SIGNIN_MAX_ATTEMPTS: 5, SIGNIN_WINDOW_SECONDS: 60 },
);

const home = { name: 'Ada Lovelace', line1: '12 St James Square', city: 'London', postalCode: 'SW1Y 4JH', country: 'GB' };
const office = {
  name: 'Ada L.',
  line1: 'Unter den Linden 1',
  line2: '3. OG',
  city: 'Berlin',
  postalCode: '10117',
  country: 'DE',
  phone: '+49 30 1234',
};

/** A registered account and its session cookie. */
async function account(email = `u${Math.random().toString(36).slice(2)}@example.com`) {
  const outcome = await User.register(email, 'correct horse battery');
  if (outcome.kind !== 'created') throw new Error('not created');
  return { id: outcome.user.id as string, cookie: signinCookie({ id: outcome.user.id as string, email }) };
}

const book = (cookie: string) => request(app).get('/api/users/me/addresses').set('Cookie', cookie);
const add = (cookie: string, body: object) => request(app).post('/api/users/me/addresses').set('Cookie', cookie).send(body);
const replace = (cookie: string, id: string, body: object) =>
  request(app).put(`/api/users/me/addresses/${id}`).set('Cookie', cookie).send(body);
const remove = (cookie: string, id: string) => request(app).delete(`/api/users/me/addresses/${id}`).set('Cookie', cookie);
const fill = (n: number) => Array.from({ length: n }, (_, i) => ({ ...home, line1: `${i + 1} Main Street` }));

describe('address book', () => {
  it('adds, lists (oldest first), replaces and removes entries; the optional fields round-trip', async () => {
    const { cookie } = await account();
    expect((await book(cookie).expect(200)).body).toEqual([]);
    const a = (await add(cookie, home).expect(201)).body;
    expect(a).toEqual({ id: expect.any(String), ...home });
    const b = (await add(cookie, office).expect(201)).body;
    expect(b).toEqual({ id: expect.any(String), ...office });
    expect((await book(cookie).expect(200)).body).toEqual([a, b]);

    // Replacing is every field: line2 and phone not given are gone; the id and position stay.
    const moved = { ...home, city: 'Cambridge', postalCode: 'CB2 1TN' };
    const replaced = (await replace(cookie, b.id, moved).expect(200)).body;
    expect(replaced).toEqual({ id: b.id, ...moved });
    expect((await book(cookie).expect(200)).body).toEqual([a, replaced]);

    await remove(cookie, a.id).expect(204);
    expect((await book(cookie).expect(200)).body).toEqual([replaced]);
    await remove(cookie, a.id).expect(404);
    await replace(cookie, a.id, home).expect(404);
  });

  it('keeps only the address fields of a body', async () => {
    const { id, cookie } = await account();
    const res = await add(cookie, { ...home, id: '64b0000000000000000000aa', _id: 'x', userId: 'someone', $set: { email: 'x' } }).expect(
      201,
    );
    expect(res.body).toEqual({ id: expect.any(String), ...home });
    expect(res.body.id).not.toBe('64b0000000000000000000aa');
    const stored = (await User.findById(id).lean())!;
    expect(Object.keys(stored.addresses[0]).sort()).toEqual(['_id', ...Object.keys(home)].sort());
  });

  it('validates field by field with the shared address rules (400 naming the field), storing nothing', async () => {
    const { id, cookie } = await account();
    const cases: [object, string][] = [
      [{ ...home, country: 'XX' }, 'country'],
      [{ ...home, country: 'gb' }, 'country'],
      [{ ...home, name: '' }, 'name'],
      [{ ...home, line1: undefined }, 'line1'],
      [{ ...home, city: 42 }, 'city'],
      [{ ...home, postalCode: 'x'.repeat(ADDRESS_LIMITS.postalCode + 1) }, 'postalCode'],
      [{ ...home, line2: 'x'.repeat(ADDRESS_LIMITS.line2 + 1) }, 'line2'],
      [{ ...home, phone: { $gt: '' } }, 'phone'],
    ];
    for (const [body, field] of cases) {
      const res = await add(cookie, body).expect(400);
      expect(res.body.errors.map((e: { field?: string }) => e.field)).toContain(field);
    }
    const saved = (await add(cookie, home).expect(201)).body;
    for (const [body, field] of cases) {
      const res = await replace(cookie, saved.id, body).expect(400);
      expect(res.body.errors.map((e: { field?: string }) => e.field)).toContain(field);
    }
    expect((await User.findById(id).lean())!.addresses).toHaveLength(1);
    expect((await book(cookie).expect(200)).body).toEqual([saved]);
  });

  it(`holds at most ${ADDRESS_BOOK_LIMIT}: one more is 409, and after a removal there is room again`, async () => {
    const { cookie } = await account();
    const saved = [];
    for (const a of fill(ADDRESS_BOOK_LIMIT)) saved.push((await add(cookie, a).expect(201)).body);
    const full = await add(cookie, office).expect(409);
    expect(full.body.errors[0].message).toMatch(String(ADDRESS_BOOK_LIMIT));
    expect((await book(cookie).expect(200)).body).toHaveLength(ADDRESS_BOOK_LIMIT);
    await remove(cookie, saved[3].id).expect(204);
    await add(cookie, office).expect(201);
    await add(cookie, office).expect(409);
  });

  it(`12 concurrent adds by one user leave exactly ${ADDRESS_BOOK_LIMIT} entries; the others are 409`, async () => {
    const { id, cookie } = await account();
    const answers = await Promise.all(fill(12).map((a) => add(cookie, a)));
    const statuses = answers.map((r) => r.status).sort();
    expect(statuses.filter((s) => s === 201)).toHaveLength(ADDRESS_BOOK_LIMIT);
    expect(statuses.filter((s) => s === 409)).toHaveLength(12 - ADDRESS_BOOK_LIMIT);
    const stored = (await User.findById(id).lean())!.addresses;
    expect(stored).toHaveLength(ADDRESS_BOOK_LIMIT);
    // Every 201 is an entry that is really there (no add answered 201 and was then overwritten).
    const created = answers.filter((r) => r.status === 201).map((r) => r.body.id as string);
    expect(stored.map((e) => e._id.toHexString()).sort()).toEqual(created.sort());
  });

  it('concurrent replaces, removes and adds lose no write', async () => {
    const { id, cookie } = await account();
    const first = [];
    for (const a of fill(6)) first.push((await add(cookie, a).expect(201)).body);
    const answers = await Promise.all([
      ...first.slice(0, 3).map((e, i) => replace(cookie, e.id, { ...office, name: `replaced ${i}` })),
      ...first.slice(3).map((e) => remove(cookie, e.id)),
      ...fill(4).map((a) => add(cookie, { ...a, name: 'added' })),
    ]);
    expect(answers.map((r) => r.status)).toEqual([200, 200, 200, 204, 204, 204, 201, 201, 201, 201]);
    const stored = (await User.findById(id).lean())!.addresses;
    expect(stored.map((e) => e.name).sort()).toEqual(['added', 'added', 'added', 'added', 'replaced 0', 'replaced 1', 'replaced 2']);
  });

  it("another user's entry is not found: nobody reads, replaces or removes someone else's addresses", async () => {
    const ada = await account();
    const bob = await account();
    const hers = (await add(ada.cookie, home).expect(201)).body;
    expect((await book(bob.cookie).expect(200)).body).toEqual([]);
    await replace(bob.cookie, hers.id, office).expect(404);
    await remove(bob.cookie, hers.id).expect(404);
    expect((await book(ada.cookie).expect(200)).body).toEqual([hers]);
  });

  it('ids that are not entry ids are 404', async () => {
    const { cookie } = await account();
    for (const id of ['nope', 'aaaaaaaaaaaa', '000000000000000000000000', '%24gt']) {
      await replace(cookie, id, home).expect(404);
      await remove(cookie, id).expect(404);
    }
  });

  it('signed in only: 401 without a session, and for a session whose account does not exist', async () => {
    const ghost = signinCookie();
    for (const cookie of [undefined, ghost]) {
      const withCookie = (r: request.Test) => (cookie ? r.set('Cookie', cookie) : r);
      for (const res of await Promise.all([
        withCookie(request(app).get('/api/users/me/addresses')),
        withCookie(request(app).post('/api/users/me/addresses')).send(home),
        withCookie(request(app).put('/api/users/me/addresses/000000000000000000000000')).send(home),
        withCookie(request(app).delete('/api/users/me/addresses/000000000000000000000000')),
      ])) {
        expect(res.status).toBe(401);
        expect(Object.keys(res.body)).toEqual(['errors']);
      }
    }
    expect(await User.countDocuments()).toBe(0);
  });
});
