/**
 * The rating aggregate under concurrency (real database, FerretDB here): many reviews, edits,
 * reports that hide reviews and moderation on ONE product, all at once. Afterwards the stored
 * aggregate equals a recount of the visible reviews, it is computed at the latest revision, and
 * its queued product.rating-changed events have versions 1, 2, 3… without a gap or repeat, the
 * last carrying the aggregate. Run twice with different mixes.
 */
import mongoose from 'mongoose';
import request from 'supertest';
import { signinCookie, useTestDatabase } from '@jetmart/common/testing';
import { REVIEW_LIMITS } from '@jetmart/common/contracts';
import { recordDeliveredLines } from '../../models';
import { syncIndexes, TEST_ADMIN_EMAIL, testApp } from '../../__tests__/helpers';

useTestDatabase({ prefix: 'products_rating_races' });
const { app, models } = testApp();
beforeAll(() => syncIndexes(models));
const oid = () => new mongoose.Types.ObjectId().toHexString();
const as = (id: string) => signinCookie({ id });
const admin = signinCookie({ id: oid(), email: TEST_ADMIN_EMAIL });

async function newProduct(): Promise<string> {
  const res = await request(app).post('/api/products').set('Cookie', as(oid())).send({ title: 'Lamp', price: 15, quantity: 9 });
  expect(res.status).toBe(201);
  return res.body.id as string;
}
async function buyers(productId: string, n: number): Promise<string[]> {
  const out = Array.from({ length: n }, () => oid());
  for (const b of out)
    await recordDeliveredLines(models.DeliveredLine, { buyerId: b, shipmentId: oid(), deliveredAt: new Date(), productIds: [productId] });
  return out;
}
const review = (productId: string, buyer: string, rating: number) =>
  request(app)
    .post(`/api/products/${productId}/reviews`)
    .set('Cookie', as(buyer))
    .send({ rating, text: `rated ${rating}` });

async function expectAggregateIsRecount(productId: string): Promise<void> {
  const visible = await models.Review.find({ productId, status: 'visible' }).lean();
  const stored = (await models.ProductRating.findById(productId).lean())!;
  expect({ count: stored.ratingCount, sum: stored.ratingSum }).toEqual({
    count: visible.length,
    sum: visible.reduce((s, r) => s + r.rating, 0),
  });
  expect(stored.computedRevision).toBe(stored.revision);
  // No relay runs here: every event queued is still in the outbox, in order.
  const events = stored.outbox.map((e) => e.event.data as { id: string; ratingCount: number; ratingSum: number; version: number });
  expect(events.map((e) => e.version)).toEqual(Array.from({ length: events.length }, (_, i) => i + 1));
  expect(stored.version).toBe(events.length);
  expect(events[events.length - 1]).toEqual({
    id: productId,
    ratingCount: stored.ratingCount,
    ratingSum: stored.ratingSum,
    version: stored.version,
  });
  const shown = (await request(app).get(`/api/products/${productId}`).expect(200)).body.rating;
  expect(shown.count).toBe(visible.length);
}

describe('rating aggregate races', () => {
  it('12 reviews written at once', async () => {
    const productId = await newProduct();
    const people = await buyers(productId, 12);
    const answers = await Promise.all(people.map((b, i) => review(productId, b, 1 + (i % 5))));
    expect(answers.map((a) => a.status)).toEqual(people.map(() => 201));
    await expectAggregateIsRecount(productId);
    expect((await models.ProductRating.findById(productId).lean())!.ratingCount).toBe(12);
  });

  it('new reviews, edits, hiding reports and moderation at once on one product', async () => {
    const productId = await newProduct();
    const [early, late] = [await buyers(productId, 6), await buyers(productId, 6)];
    const ids: string[] = [];
    for (const [i, b] of early.entries()) ids.push((await review(productId, b, 1 + (i % 5)).expect(201)).body.id);
    // Two reviews already one report short of hidden: the concurrent reports below hide them.
    for (const id of ids.slice(0, 2)) {
      for (let i = 0; i < REVIEW_LIMITS.hideAfterReports - 1; i++) {
        await request(app).post(`/api/reviews/${id}/report`).set('Cookie', as(oid())).expect(202);
      }
    }
    const work = [
      ...late.map((b, i) => review(productId, b, 5 - (i % 5))),
      ...early.slice(2).map((b, i) =>
        request(app)
          .patch(`/api/reviews/${ids[i + 2]}`)
          .set('Cookie', as(b))
          .send({ rating: 5 - i }),
      ),
      ...ids.slice(0, 2).map((id) => request(app).post(`/api/reviews/${id}/report`).set('Cookie', as(oid())).send({})),
      request(app).post(`/api/reviews/${ids[5]}/moderate`).set('Cookie', admin).send({ decision: 'remove' }),
    ];
    const answers = await Promise.all(work);
    // The author's edit of ids[5] races its removal: after the removal it is refused (409), before
    // it the edit lands and the removal still wins. Every other request must succeed.
    const editOfRemoved = late.length + 3;
    for (const [i, a] of answers.entries()) expect(i === editOfRemoved ? [200, 409] : [200, 201, 202]).toContain(a.status);
    expect((await models.Review.findById(ids[5]).lean())!.status).toBe('removed');
    expect((await models.Review.find({ _id: { $in: ids.slice(0, 2) } }).lean()).map((r) => r.status)).toEqual(['hidden', 'hidden']);
    await expectAggregateIsRecount(productId);
    // 12 reviews: 2 hidden, 1 removed.
    expect((await models.ProductRating.findById(productId).lean())!.ratingCount).toBe(9);
  });
});
