/**
 * Every documented response of the reviews part of the products API (openapi-reviews.ts),
 * produced by real requests (real database) and checked against the document; then nothing of
 * that part is left unproduced.
 */
import mongoose from 'mongoose';
import request from 'supertest';
import { OpenApiContract, signinCookie, useTestDatabase } from '@jetmart/common/testing';
import { REVIEW_LIMITS } from '@jetmart/common/contracts';
import { recordDeliveredLines } from '../models';
import { productsApiDocument } from '../openapi';
import { reviewsApiPaths } from '../openapi-reviews';
import { syncIndexes, TEST_ADMIN_EMAIL, testApp } from './helpers';

useTestDatabase({ prefix: 'products_contract_reviews', clearEachTest: false });
const { app, models } = testApp();
const contract = new OpenApiContract(productsApiDocument);
beforeAll(() => syncIndexes(models));

const oid = () => new mongoose.Types.ObjectId().toHexString();
const sellerId = oid();
const buyerId = oid();
const seller = signinCookie({ id: sellerId });
const buyer = signinCookie({ id: buyerId });
const stranger = signinCookie({ id: oid() });
const admin = signinCookie({ id: oid(), email: TEST_ADMIN_EMAIL });
let productId = '';
let reviewId = '';

beforeAll(async () => {
  productId = (await request(app).post('/api/products').set('Cookie', seller).send({ title: 'Lamp', price: 10, quantity: 3 }).expect(201))
    .body.id;
  await recordDeliveredLines(models.DeliveredLine, { buyerId, shipmentId: oid(), deliveredAt: new Date(), productIds: [productId] });
});

it('POST /api/products/{id}/reviews: 201, 400, 401, 403, 404, 409', async () => {
  const url = `/api/products/${productId}/reviews`;
  await contract.expect(request(app).post(url).set('Cookie', stranger).send({ rating: 5, text: 'x' }), 403);
  const created = await contract.expect(request(app).post(url).set('Cookie', buyer).send({ rating: 5, text: 'Great' }), 201);
  reviewId = created.body.id;
  await contract.expect(request(app).post(url).set('Cookie', buyer).send({ rating: 4, text: 'Again' }), 409);
  await contract.expect(request(app).post(url).set('Cookie', buyer).send({ rating: 9, text: 'x' }), 400);
  await contract.expect(request(app).post(url).send({ rating: 5, text: 'x' }), 401);
  await contract.expect(request(app).post(`/api/products/${oid()}/reviews`).set('Cookie', buyer).send({ rating: 5, text: 'x' }), 404);
});

it('GET /api/products/{id}/reviews and /mine: 200, 400, 401, 404', async () => {
  const page = await contract.expect(request(app).get(`/api/products/${productId}/reviews?limit=1`), 200);
  expect(page.body.rating).toEqual({ average: 5, count: 1 });
  await contract.expect(request(app).get(`/api/products/${productId}/reviews?cursor=nope`), 400);
  await contract.expect(request(app).get(`/api/products/${oid()}/reviews`), 404);
  const mine = await contract.expect(request(app).get(`/api/products/${productId}/reviews/mine`).set('Cookie', buyer), 200);
  expect(mine.body.eligible).toBe(true);
  await contract.expect(request(app).get(`/api/products/${productId}/reviews/mine`).set('Cookie', stranger), 200);
  await contract.expect(request(app).get(`/api/products/${productId}/reviews/mine`), 401);
  await contract.expect(request(app).get(`/api/products/${oid()}/reviews/mine`).set('Cookie', buyer), 404);
});

it('PATCH /api/reviews/{reviewId}: 200, 400, 401, 403, 404', async () => {
  await contract.expect(request(app).patch(`/api/reviews/${reviewId}`).set('Cookie', buyer).send({ rating: 4 }), 200);
  await contract.expect(request(app).patch(`/api/reviews/${reviewId}`).set('Cookie', buyer).send({}), 400);
  await contract.expect(request(app).patch(`/api/reviews/${reviewId}`).send({ rating: 4 }), 401);
  await contract.expect(request(app).patch(`/api/reviews/${reviewId}`).set('Cookie', stranger).send({ rating: 4 }), 403);
  await contract.expect(request(app).patch(`/api/reviews/${oid()}`).set('Cookie', buyer).send({ rating: 4 }), 404);
});

it('POST /api/reviews/{reviewId}/reply: 201, 400, 401, 403, 404, 409', async () => {
  const reply = (cookie: string, body: object = { text: 'Thanks' }, id = reviewId) =>
    request(app).post(`/api/reviews/${id}/reply`).set('Cookie', cookie).send(body);
  await contract.expect(reply(buyer), 403);
  await contract.expect(reply(seller, { text: '' }), 400);
  await contract.expect(request(app).post(`/api/reviews/${reviewId}/reply`).send({ text: 'x' }), 401);
  await contract.expect(reply(seller, undefined, oid()), 404);
  const done = await contract.expect(reply(seller), 201);
  expect(done.body.reply.text).toBe('Thanks');
  await contract.expect(reply(seller), 409);
});

it('GET /api/reviews/mine: 200, 400, 401', async () => {
  const mine = await contract.expect(request(app).get('/api/reviews/mine').set('Cookie', buyer), 200);
  expect(mine.body.items.map((r: { id: string }) => r.id)).toEqual([reviewId]);
  await contract.expect(request(app).get('/api/reviews/mine?limit=0').set('Cookie', buyer), 400);
  await contract.expect(request(app).get('/api/reviews/mine'), 401);
});

it('POST /api/reviews/{reviewId}/report, GET /api/reviews/reported and POST …/moderate: every status', async () => {
  await contract.expect(request(app).post(`/api/reviews/${reviewId}/report`).set('Cookie', buyer), 403);
  await contract.expect(request(app).post(`/api/reviews/${reviewId}/report`).set('Cookie', stranger).send({ reason: 7 }), 400);
  await contract.expect(request(app).post(`/api/reviews/${reviewId}/report`), 401);
  await contract.expect(request(app).post(`/api/reviews/${oid()}/report`).set('Cookie', stranger), 404);
  for (let i = 0; i < REVIEW_LIMITS.hideAfterReports; i++) {
    await contract.expect(
      request(app)
        .post(`/api/reviews/${reviewId}/report`)
        .set('Cookie', signinCookie({ id: oid() }))
        .send({ reason: 'spam' }),
      202,
    );
  }
  const queue = await contract.expect(request(app).get('/api/reviews/reported').set('Cookie', admin), 200);
  expect(queue.body.items.map((r: { id: string; status: string }) => [r.id, r.status])).toEqual([[reviewId, 'hidden']]);
  await contract.expect(request(app).get('/api/reviews/reported?limit=x').set('Cookie', admin), 400);
  await contract.expect(request(app).get('/api/reviews/reported'), 401);
  await contract.expect(request(app).get('/api/reviews/reported').set('Cookie', stranger), 403);

  const moderate = (cookie: string | null, body: object, id = reviewId) => {
    const r = request(app).post(`/api/reviews/${id}/moderate`);
    return (cookie ? r.set('Cookie', cookie) : r).send(body);
  };
  await contract.expect(moderate(admin, { decision: 'ban' }), 400);
  await contract.expect(moderate(null, { decision: 'restore' }), 401);
  await contract.expect(moderate(stranger, { decision: 'restore' }), 403);
  await contract.expect(moderate(admin, { decision: 'restore' }, oid()), 404);
  const restored = await contract.expect(moderate(admin, { decision: 'restore' }), 200);
  expect(restored.body.status).toBe('visible');
  await contract.expect(moderate(admin, { decision: 'remove' }), 200);
  await contract.expect(moderate(admin, { decision: 'restore' }), 409);
  // The author's edit of a removed review.
  await contract.expect(request(app).patch(`/api/reviews/${reviewId}`).set('Cookie', buyer).send({ rating: 1 }), 409);
});

it('every documented reviews response was produced', () => {
  const mine = Object.keys(reviewsApiPaths);
  expect(contract.unexercised().filter((k) => mine.includes(k.split(' ')[1]))).toEqual([]);
});
