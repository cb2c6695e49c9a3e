/**
 * Reviews through HTTP on the real database (FerretDB in CI here): who may review (a delivered line,
 * seeded as the shipment.delivered listener records it), one review per buyer and product even
 * for concurrent first reviews, the author's edits, the seller's one reply, reports counted once
 * per reporter and hiding the review after REVIEW_LIMITS.hideAfterReports, admin moderation, and
 * the rating every product record and review page shows (visible reviews only).
 */
import mongoose from 'mongoose';
import request from 'supertest';
import { signinCookie, useTestDatabase } from '@jetmart/common/testing';
import { REVIEW_LIMITS } from '@jetmart/common/contracts';
import { recordDeliveredLines } from '../../models';
import { syncIndexes, TEST_ADMIN_EMAIL, testApp } from '../../__tests__/helpers';

useTestDatabase({ prefix: 'products_reviews' });
const { app, models } = testApp();
beforeAll(() => syncIndexes(models));

const oid = () => new mongoose.Types.ObjectId().toHexString();
const as = (id: string) => signinCookie({ id });
const admin = signinCookie({ id: oid(), email: TEST_ADMIN_EMAIL });

async function newProduct(seller = oid()): Promise<{ id: string; seller: string }> {
  const res = await request(app).post('/api/products').set('Cookie', as(seller)).send({ title: 'Brass lamp', price: 20, quantity: 5 });
  expect(res.status).toBe(201);
  return { id: res.body.id as string, seller };
}
const deliver = (buyerId: string, productId: string) =>
  recordDeliveredLines(models.DeliveredLine, { buyerId, shipmentId: oid(), deliveredAt: new Date(), productIds: [productId] });
const post = (productId: string, buyer: string, body: object = { rating: 4, text: 'Bright and solid' }) =>
  request(app).post(`/api/products/${productId}/reviews`).set('Cookie', as(buyer)).send(body);
async function reviewed(productId: string, rating = 4): Promise<{ buyer: string; id: string }> {
  const buyer = oid();
  await deliver(buyer, productId);
  const res = await post(productId, buyer, { rating, text: `rated ${rating}` });
  expect(res.status).toBe(201);
  return { buyer, id: res.body.id as string };
}
const report = (reviewId: string, reporter: string, body?: object) => {
  const r = request(app).post(`/api/reviews/${reviewId}/report`).set('Cookie', as(reporter));
  return body ? r.send(body) : r;
};
const ratingOf = async (productId: string) => (await request(app).get(`/api/products/${productId}`).expect(200)).body.rating;

describe('POST /api/products/:id/reviews', () => {
  it('403 without a delivered line of the product; 201 once delivered, shown on the product and in its page', async () => {
    const { id } = await newProduct();
    const buyer = oid();
    const refused = await post(id, buyer);
    expect(refused.status).toBe(403);
    expect(refused.body.errors[0].message).toBe('only buyers who received this product can review it');
    // A delivered line of ANOTHER product does not count.
    await deliver(buyer, (await newProduct()).id);
    expect((await post(id, buyer)).status).toBe(403);
    expect(await ratingOf(id)).toEqual({ average: null, count: 0 });

    await deliver(buyer, id);
    const res = await post(id, buyer, { rating: 5, text: '  Lovely  ' });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      id: expect.any(String),
      productId: id,
      userId: buyer,
      rating: 5,
      text: 'Lovely',
      status: 'visible',
      reportCount: 0,
      reply: null,
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
      version: 0,
    });
    expect(await ratingOf(id)).toEqual({ average: 5, count: 1 });
    const page = await request(app).get(`/api/products/${id}/reviews`).expect(200);
    expect(page.body).toEqual({ items: [res.body], nextCursor: null, rating: { average: 5, count: 1 } });
    const mine = await request(app).get(`/api/products/${id}/reviews/mine`).set('Cookie', as(buyer)).expect(200);
    expect(mine.body).toEqual({ eligible: true, review: res.body });
    const stranger = await request(app).get(`/api/products/${id}/reviews/mine`).set('Cookie', as(oid())).expect(200);
    expect(stranger.body).toEqual({ eligible: false, review: null });
  });

  it('409 for a second review by the same buyer; 404 for an unknown or malformed product; 400 for bad ratings and texts; 401 signed out', async () => {
    const { id } = await newProduct();
    const { buyer } = await reviewed(id);
    const again = await post(id, buyer, { rating: 1, text: 'changed my mind' });
    expect(again.status).toBe(409);
    expect((await models.Review.find({ productId: id }).lean()).map((r) => r.rating)).toEqual([4]);
    expect((await post(oid(), buyer)).status).toBe(404);
    expect((await post('nope', buyer)).status).toBe(404);
    for (const [body, field] of [
      [{ rating: 0, text: 'x' }, 'rating'],
      [{ rating: 6, text: 'x' }, 'rating'],
      [{ rating: 4.5, text: 'x' }, 'rating'],
      [{ rating: '5', text: 'x' }, 'rating'],
      [{ rating: 5, text: '   ' }, 'text'],
      [{ rating: 5, text: 'x'.repeat(REVIEW_LIMITS.maxText + 1) }, 'text'],
      [{ rating: 5 }, 'text'],
    ] as const) {
      const res = await post(id, oid(), body);
      expect(res.status).toBe(400);
      expect(res.body.errors.map((e: { field?: string }) => e.field)).toContain(field);
    }
    expect((await request(app).post(`/api/products/${id}/reviews`).send({ rating: 5, text: 'x' })).status).toBe(401);
  });

  it('concurrent first reviews by one buyer: exactly one 201, the others 409, one review stored and counted once', async () => {
    const { id } = await newProduct();
    const buyer = oid();
    await deliver(buyer, id);
    const answers = await Promise.all(Array.from({ length: 8 }, (_, i) => post(id, buyer, { rating: 1 + (i % 5), text: `attempt ${i}` })));
    const statuses = answers.map((a) => a.status).sort();
    expect(statuses).toEqual([201, 409, 409, 409, 409, 409, 409, 409]);
    const stored = await models.Review.find({ productId: id }).lean();
    expect(stored).toHaveLength(1);
    const winner = answers.find((a) => a.status === 201)!;
    expect(stored[0]._id.toHexString()).toBe(winner.body.id);
    expect(await ratingOf(id)).toEqual({ average: winner.body.rating, count: 1 });
  });

  it('a claim left without its review (a crash between the two writes) is completed by the next attempt', async () => {
    const { id } = await newProduct();
    const buyer = oid();
    await deliver(buyer, id);
    const orphan = oid();
    await models.ReviewAuthor.create({ _id: `${id}:${buyer}`, userId: buyer, productId: id, reviewId: orphan });
    const res = await post(id, buyer);
    expect(res.status).toBe(201);
    expect(res.body.id).toBe(orphan);
  });
});

describe('PATCH /api/reviews/:id', () => {
  it("the author edits rating and text (200, version +1, the product's rating follows); others 403; unknown 404; empty change 400", async () => {
    const { id } = await newProduct();
    const { buyer, id: reviewId } = await reviewed(id, 2);
    const edited = await request(app).patch(`/api/reviews/${reviewId}`).set('Cookie', as(buyer)).send({ rating: 5 });
    expect(edited.status).toBe(200);
    expect(edited.body).toMatchObject({ rating: 5, text: 'rated 2', version: 1 });
    expect(await ratingOf(id)).toEqual({ average: 5, count: 1 });
    const text = await request(app).patch(`/api/reviews/${reviewId}`).set('Cookie', as(buyer)).send({ text: 'even better' });
    expect(text.body).toMatchObject({ rating: 5, text: 'even better', version: 2 });
    const same = await request(app).patch(`/api/reviews/${reviewId}`).set('Cookie', as(buyer)).send({ text: 'even better' });
    expect(same.body.version).toBe(2);
    expect((await request(app).patch(`/api/reviews/${reviewId}`).set('Cookie', as(oid())).send({ rating: 1 })).status).toBe(403);
    expect((await request(app).patch(`/api/reviews/${oid()}`).set('Cookie', as(buyer)).send({ rating: 1 })).status).toBe(404);
    expect((await request(app).patch(`/api/reviews/${reviewId}`).set('Cookie', as(buyer)).send({})).status).toBe(400);
    expect((await models.Review.findById(reviewId).lean())!.rating).toBe(5);
  });
});

describe('POST /api/reviews/:id/reply', () => {
  it("the product's seller replies once (201, then 409); concurrent replies: one wins; anyone else 403", async () => {
    const { id, seller } = await newProduct();
    const { buyer, id: reviewId } = await reviewed(id);
    expect((await request(app).post(`/api/reviews/${reviewId}/reply`).set('Cookie', as(buyer)).send({ text: 'me too' })).status).toBe(403);
    const answers = await Promise.all(
      ['Thanks!', 'Thank you', 'Cheers', 'Glad you like it'].map((text) =>
        request(app).post(`/api/reviews/${reviewId}/reply`).set('Cookie', as(seller)).send({ text }),
      ),
    );
    expect(answers.map((a) => a.status).sort()).toEqual([201, 409, 409, 409]);
    const won = answers.find((a) => a.status === 201)!;
    expect(won.body.reply).toEqual({ text: expect.any(String), createdAt: expect.any(String) });
    expect((await models.Review.findById(reviewId).lean())!.reply!.text).toBe(won.body.reply.text);
  });
});

describe('reports and moderation', () => {
  it('each reporter counts once; the author cannot report; hidden at hideAfterReports distinct reporters and out of the rating', async () => {
    const { id } = await newProduct();
    await reviewed(id, 5);
    const { buyer, id: reviewId } = await reviewed(id, 1);
    expect(await ratingOf(id)).toEqual({ average: 3, count: 2 });
    expect((await report(reviewId, buyer)).status).toBe(403);
    const first = oid();
    for (let i = 0; i < 3; i++) {
      const res = await report(reviewId, first, { reason: 'spam' });
      expect(res.status).toBe(202);
      expect(res.body).toEqual({ reported: true });
    }
    expect((await models.Review.findById(reviewId).lean())!).toMatchObject({ reportCount: 1, status: 'visible' });
    // The rest report at once: distinct reporters each count once, whatever the interleaving.
    const others = Array.from({ length: REVIEW_LIMITS.hideAfterReports + 1 }, () => oid());
    const answers = await Promise.all(others.map((o) => report(reviewId, o)));
    expect(answers.map((a) => a.status)).toEqual(others.map(() => 202));
    const stored = (await models.Review.findById(reviewId).lean())!;
    expect(stored).toMatchObject({ reportCount: others.length + 1, status: 'hidden' });
    expect(new Set(stored.reports.map((r) => r.by)).size).toBe(others.length + 1);
    expect(await ratingOf(id)).toEqual({ average: 5, count: 1 });
    const page = await request(app).get(`/api/products/${id}/reviews`).expect(200);
    expect(page.body.items.map((r: { id: string }) => r.id)).not.toContain(reviewId);
    // The author still sees it, hidden.
    const mine = await request(app).get('/api/reviews/mine').set('Cookie', as(buyer)).expect(200);
    expect(mine.body.items).toEqual([expect.objectContaining({ id: reviewId, status: 'hidden' })]);
  });

  it('admins list hidden reviews and restore (visible, its reports judged) or remove them; others 401/403', async () => {
    const { id } = await newProduct();
    const { id: reviewId } = await reviewed(id, 2);
    for (let i = 0; i < REVIEW_LIMITS.hideAfterReports; i++) await report(reviewId, oid()).expect(202);
    expect(await ratingOf(id)).toEqual({ average: null, count: 0 });
    expect((await request(app).get('/api/reviews/reported')).status).toBe(401);
    expect((await request(app).get('/api/reviews/reported').set('Cookie', as(oid()))).status).toBe(403);
    const queue = await request(app).get('/api/reviews/reported').set('Cookie', admin).expect(200);
    expect(queue.body.items.map((r: { id: string }) => r.id)).toContain(reviewId);
    const moderate = (decision: string, cookie = admin) =>
      request(app).post(`/api/reviews/${reviewId}/moderate`).set('Cookie', cookie).send({ decision });
    expect((await moderate('restore', as(oid()))).status).toBe(403);
    const restored = await moderate('restore');
    expect(restored.status).toBe(200);
    expect(restored.body).toMatchObject({ status: 'visible', reportCount: REVIEW_LIMITS.hideAfterReports });
    expect(await ratingOf(id)).toEqual({ average: 2, count: 1 });
    // One more report does not hide it again: the judged ones no longer count.
    await report(reviewId, oid()).expect(202);
    expect((await models.Review.findById(reviewId).lean())!.status).toBe('visible');
    const removed = await moderate('remove');
    expect(removed.body.status).toBe('removed');
    expect(await ratingOf(id)).toEqual({ average: null, count: 0 });
    expect((await moderate('restore')).status).toBe(409);
    expect((await moderate('remove')).status).toBe(200);
    expect((await report(reviewId, oid())).status).toBe(404);
    expect((await moderate('maybe')).status).toBe(400);
  });
});
