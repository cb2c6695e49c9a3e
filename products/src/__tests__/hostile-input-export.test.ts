/**
 * `GET /api/products/me/export` (products' part of the person's data export): every listing of the
 * caller's, on sale or not, never anyone else's; hostile query strings change nothing, hostile
 * session cookies get 401. Seeded.
 */
import fc from 'fast-check';
import mongoose from 'mongoose';
import request from 'supertest';
import {
  expectErrorShape,
  hostileCookie,
  hostileId,
  percentEncode,
  rawSegment,
  signinCookie,
  useTestDatabase,
} from '@jetmart/common/testing';
import { unlistSeller } from '../forgetting';
import { syncIndexes, testApp } from './helpers';

useTestDatabase({ clearEachTest: false, prefix: 'products_export' });
const { app, models } = testApp();
const RUNS = Number(process.env.HOSTILE_RUNS ?? 200);
const newId = () => new mongoose.Types.ObjectId().toHexString();
const as = (id: string) => signinCookie({ id });
const me = newId();
const other = newId();
const mine: string[] = [];

const list = async (userId: string, title: string) => {
  const res = await request(app).post('/api/products').set('Cookie', as(userId)).send({ title, price: 5, quantity: 2 });
  expect(res.status).toBe(201);
  return res.body.id as string;
};

beforeAll(async () => {
  await syncIndexes(models);
  // The other seller's listing is unlisted too, so "on sale or not" is no excuse to show it.
  await list(other, 'Otto Other lamp');
  await unlistSeller({ models }, other);
  mine.push(await list(me, 'Mina chair'));
  mine.push(await list(me, 'Mina table'));
});

const exportOf = (cookie: string, qs = '') => request(app).get(`/api/products/me/export${qs}`).set('Cookie', cookie);

it("holds every listing of the caller's and nothing of anyone else's", async () => {
  const res = await exportOf(as(me));
  expect(res.status).toBe(200);
  expect(res.body.products.map((p: { id: string; userId: string }) => [p.id, p.userId])).toEqual(mine.map((id) => [id, me]));
  expect(JSON.stringify(res.body)).not.toContain('Otto');
  const theirs = (await exportOf(as(other))).body.products;
  expect(theirs).toEqual([expect.objectContaining({ title: 'Otto Other lamp', listed: false })]);
  expect((await exportOf(as(newId()))).body).toEqual({ products: [] });
});

it('hostile query strings never widen or break the export', async () => {
  const plain = (await exportOf(as(me))).body;
  const key = fc.constantFrom('userId', 'sellerId', 'userId[$ne]', 'q', '__proto__', 'cursor', 'limit');
  const value = fc.oneof(hostileId.map(percentEncode), rawSegment, fc.constant(other));
  await fc.assert(
    fc.asyncProperty(fc.array(fc.tuple(key, value), { minLength: 1, maxLength: 4 }), async (pairs) => {
      const res = await exportOf(as(me), `?${pairs.map(([k, v]) => `${percentEncode(k)}=${v}`).join('&')}`);
      expect(res.status).toBe(200);
      expect(res.body).toEqual(plain);
    }),
    { numRuns: RUNS, seed: 1731 },
  );
});

it('hostile session cookies → 401 in the error shape', async () => {
  await fc.assert(
    fc.asyncProperty(hostileCookie, async (cookie) => {
      const res = await exportOf(cookie);
      expect(res.status).toBe(401);
      expectErrorShape(res);
    }),
    { numRuns: RUNS, seed: 1732 },
  );
});
