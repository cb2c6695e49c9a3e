/**
 * Security of a real service route (products): JWTs that are tampered, expired, signed with
 * another key or `alg: none` are treated as signed out; one user cannot change another's
 * product; helmet's headers are set; bodies over the limit get 413.
 */
import jwt from 'jsonwebtoken';
import request from 'supertest';
import { SESSION_COOKIE } from '@jetmart/common';
import { signinCookie, useTestDatabase } from '@jetmart/common/testing';
import { jwtKey, syncIndexes, testApp } from './helpers';

useTestDatabase({ prefix: 'products_security' });
const { app, models } = testApp();
beforeAll(() => syncIndexes(models));

const owner = { id: '64b0000000000000000000a1', email: 'owner@test.dev' };
const cookieWith = (token: string) => `${SESSION_COOKIE}=${Buffer.from(JSON.stringify({ jwt: token })).toString('base64')}`;
const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');

async function createAs(cookie: string) {
  return request(app).post('/api/products').set('Cookie', cookie).send({ title: 'Lamp', price: 10, quantity: 3 });
}

describe('session tokens on a real route', () => {
  it('a valid token works (control)', async () => {
    expect((await createAs(cookieWith(jwt.sign(owner, jwtKey(), { algorithm: 'HS256', expiresIn: 60 })))).status).toBe(201);
  });

  it.each([
    ['expired', () => jwt.sign({ ...owner, exp: Math.floor(Date.now() / 1000) - 10 }, jwtKey(), { algorithm: 'HS256' })],
    ['signed with another key', () => jwt.sign(owner, 'another-key-another-key-another-key', { algorithm: 'HS256' })],
    ['alg none', () => `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ ...owner, exp: Math.floor(Date.now() / 1000) + 3600 })}.`],
    [
      'payload tampered (id swapped, signature kept)',
      () => {
        const [h, , s] = jwt.sign(owner, jwtKey(), { algorithm: 'HS256' }).split('.');
        return `${h}.${b64({ ...owner, id: '64b0000000000000000000ff' })}.${s}`;
      },
    ],
    ['HS512 with the right key (algorithm not allowed)', () => jwt.sign(owner, jwtKey(), { algorithm: 'HS512' })],
    ['missing id', () => jwt.sign({ email: owner.email }, jwtKey(), { algorithm: 'HS256' })],
  ])('%s → 401, nothing created', async (_name, token) => {
    const res = await createAs(cookieWith(token()));
    expect(res.status).toBe(401);
    expect(res.body.errors[0].message).toEqual(expect.any(String));
    expect(await models.Product.countDocuments()).toBe(0);
  });
});

describe('ownership', () => {
  it("another user cannot change someone's product (403) and it stays unchanged", async () => {
    const created = await createAs(signinCookie(owner));
    const res = await request(app).put(`/api/products/${created.body.id}`).set('Cookie', signinCookie()).send({ price: 0.01, quantity: 0 });
    expect(res.status).toBe(403);
    const stored = (await models.Product.findById(created.body.id).lean())!;
    expect(stored).toMatchObject({ priceMinor: 1000, quantity: 3, version: 0 });
  });

  it('the owner cannot be changed through the body', async () => {
    const created = await createAs(signinCookie(owner));
    const res = await request(app)
      .put(`/api/products/${created.body.id}`)
      .set('Cookie', signinCookie(owner))
      .send({ userId: '64b0000000000000000000ff', title: 'Lamp 2' });
    expect(res.status).toBe(200);
    expect(res.body.userId).toBe(owner.id);
  });
});

describe('headers and limits', () => {
  it('helmet security headers are set and X-Powered-By is not', async () => {
    const res = await request(app).get('/api/products');
    expect(res.headers['content-security-policy']).toContain("default-src 'self'");
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['x-frame-options']).toBe('SAMEORIGIN');
    expect(res.headers['strict-transport-security']).toMatch(/max-age=\d+/);
    expect(res.headers['referrer-policy']).toBe('no-referrer');
    expect(res.headers['cross-origin-opener-policy']).toBe('same-origin');
    expect(res.headers['x-powered-by']).toBeUndefined();
  });

  it('a JSON body over 100 kB → 413 in the error shape, nothing created', async () => {
    const res = await request(app)
      .post('/api/products')
      .set('Cookie', signinCookie(owner))
      .send({ title: 'Lamp', price: 10, quantity: 3, description: 'x'.repeat(101 * 1024) });
    expect(res.status).toBe(413);
    expect(res.body).toEqual({ errors: [{ message: expect.any(String) }] });
    expect(await models.Product.countDocuments()).toBe(0);
  });
});
