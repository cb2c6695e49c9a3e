/**
 * `GET /api/products/me/export` (products' part of the person's data export): every listing of the
 * caller's, on sale or not, never anyone else's; hostile query strings change nothing, hostile
 * session cookies get 401. Seeded.
 */
import mongoose from 'mongoose';
import request from 'supertest';
import { expectHostileCookiesRefused, expectQueryStringsChangeNothing, signinCookie, useTestDatabase } from '@jetmart/common/testing';
import { unlistSeller } from '../forgetting';
import { recordDeliveredLines } from '../models';
import { syncIndexes, TEST_ADMIN_EMAIL, testApp } from './helpers';

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
  expect((await exportOf(as(newId()))).body).toEqual({ products: [], reviews: [], reviewReports: [] });
});

it("holds the reviews the caller wrote (a removed one too) and the reports they made, nobody else's", async () => {
  const productId = await list(newId(), 'Sela sofa');
  for (const buyerId of [me, other]) {
    await recordDeliveredLines(models.DeliveredLine, { buyerId, shipmentId: newId(), deliveredAt: new Date(), productIds: [productId] });
  }
  const review = (who: string, text: string) =>
    request(app).post(`/api/products/${productId}/reviews`).set('Cookie', as(who)).send({ rating: 2, text }).expect(201);
  const mineReview = (await review(me, 'Mina thinks it sags')).body.id as string;
  const othersReview = (await review(other, 'Otto loves it')).body.id as string;
  await request(app).post(`/api/reviews/${othersReview}/report`).set('Cookie', as(me)).send({ reason: 'Mina disagrees' }).expect(202);
  await request(app).post(`/api/reviews/${mineReview}/report`).set('Cookie', as(other)).send({ reason: 'Otto disagrees' }).expect(202);
  const admin = signinCookie({ id: newId(), email: TEST_ADMIN_EMAIL });
  await request(app).post(`/api/reviews/${mineReview}/moderate`).set('Cookie', admin).send({ decision: 'remove' }).expect(200);

  const body = (await exportOf(as(me))).body;
  expect(body.reviews).toEqual([expect.objectContaining({ id: mineReview, userId: me, text: 'Mina thinks it sags', status: 'removed' })]);
  expect(body.reviewReports).toEqual([{ reviewId: othersReview, productId, reason: 'Mina disagrees', at: expect.any(String) }]);
  expect(JSON.stringify(body)).not.toContain('Otto');
});

it('hostile query strings never widen or break the export', () =>
  expectQueryStringsChangeNothing({
    get: exportOf,
    cookie: as(me),
    keys: ['userId', 'sellerId', 'userId[$ne]', 'q', '__proto__', 'cursor', 'limit'],
    otherId: other,
    seed: 1731,
    runs: RUNS,
  }));

it('hostile session cookies → 401 in the error shape', () => expectHostileCookiesRefused({ get: exportOf, seed: 1732, runs: RUNS }));
