/**
 * Hostile input at every reviews route (SPEC invariant 6): wrong types, NoSQL operators, unicode
 * edge cases, long strings, hostile ids, query strings, raw bodies and session cookies, and
 * look-alike admin emails. Every answer is < 500 and, when an error, in the documented shape;
 * inputs invalid by construction get a 4xx and change nothing (no review, reply, report or
 * moderation is stored for them). Seeded, so a failure reproduces (HOSTILE_RUNS).
 */
import fc from 'fast-check';
import mongoose from 'mongoose';
import request from 'supertest';
import {
  anyValue,
  expectErrorShape,
  expectNever5xx,
  hostileCookie,
  hostileId,
  percentEncode,
  rawBody,
  rawSegment,
  signinCookie,
  useTestDatabase,
  weirdString,
  wrongType,
} from '@jetmart/common/testing';
import { recordDeliveredLines } from '../models';
import { syncIndexes, TEST_ADMIN_EMAIL, testApp } from './helpers';

useTestDatabase({ clearEachTest: false, prefix: 'products_hostile_reviews' });
const { app, models } = testApp();
const oid = () => new mongoose.Types.ObjectId().toHexString();
const sellerId = oid();
const authorId = oid();
const seller = signinCookie({ id: sellerId });
const author = signinCookie({ id: authorId });
const admin = signinCookie({ id: oid(), email: TEST_ADMIN_EMAIL });
let productId = '';
let reviewId = '';

beforeAll(async () => {
  await syncIndexes(models);
  productId = (await request(app).post('/api/products').set('Cookie', seller).send({ title: 'Lamp', price: 10, quantity: 5 }).expect(201))
    .body.id;
  await recordDeliveredLines(models.DeliveredLine, {
    buyerId: authorId,
    shipmentId: oid(),
    deliveredAt: new Date(),
    productIds: [productId],
  });
  reviewId = (
    await request(app).post(`/api/products/${productId}/reviews`).set('Cookie', author).send({ rating: 4, text: 'Good' }).expect(201)
  ).body.id;
});

const RUNS = Number(process.env.HOSTILE_RUNS ?? 200);
const params = (seed: number) => ({ numRuns: RUNS, seed });
const TIMEOUT = 240_000;
const reviewState = async () => JSON.stringify(await models.Review.find({}, { updatedAt: 0 }).sort({ _id: 1 }).lean());

/** A body with one field of a wrong type among any extra fields: a 400, nothing changed. */
const invalidBody = (valid: Record<string, unknown>) => {
  const fields = Object.keys(valid);
  return fc
    .tuple(
      fc.constantFrom(...fields),
      wrongType,
      fc.dictionary(fc.constantFrom(...fields, '$set', 'userId', 'status', 'version', 'reportCount', '_id'), anyValue),
    )
    .map(([bad, value, rest]) => ({ ...valid, ...rest, [bad]: value }));
};
const randomBody = fc.dictionary(
  fc.constantFrom('rating', 'text', 'reason', 'decision', '$set', 'userId', 'status', 'reply', 'reports', '_id', '__proto__'),
  anyValue,
);
const idSegment = fc.oneof(hostileId.map(percentEncode), rawSegment);
const anyCookie = fc.oneof(fc.constant(author), fc.constant(seller), fc.constant(admin), hostileCookie);
const queryPairs = (keys: string[]) =>
  fc
    .array(
      fc.tuple(
        fc.constantFrom(...keys),
        weirdString.filter((s) => s.length < 3000),
      ),
      { maxLength: 4 },
    )
    .map((pairs) => pairs.map(([k, v]) => `${percentEncode(k)}=${percentEncode(v)}`).join('&'));
const pageKeys = ['limit', 'cursor', 'limit[$gt]', 'cursor[$ne]', 'limit[]', '__proto__', 'status', 'userId'];

describe('reviews: hostile input never answers 5xx', () => {
  it(
    'POST /api/products/:id/reviews: wrong types → 400 and nothing stored; random bodies, strings and ids → never 5xx',
    async () => {
      const buyerId = oid();
      await recordDeliveredLines(models.DeliveredLine, { buyerId, shipmentId: oid(), deliveredAt: new Date(), productIds: [productId] });
      const buyer = signinCookie({ id: buyerId });
      await fc.assert(
        fc.asyncProperty(invalidBody({ rating: 5, text: 'Fine' }), async (body) => {
          const res = await request(app).post(`/api/products/${productId}/reviews`).set('Cookie', buyer).send(body);
          expect([400, 413]).toContain(res.status);
          expectErrorShape(res);
        }),
        params(201),
      );
      expect(await models.Review.countDocuments({ userId: buyerId })).toBe(0);
      await fc.assert(
        fc.asyncProperty(
          idSegment,
          fc.oneof(randomBody, fc.record({ rating: fc.integer({ min: 1, max: 5 }), text: weirdString })),
          anyCookie,
          async (id, body, cookie) => {
            const res = await request(app).post(`/api/products/${id}/reviews`).set('Cookie', cookie).send(body);
            expectNever5xx(res);
            if (res.status >= 400) expectErrorShape(res);
          },
        ),
        params(202),
      );
      // Hostile ids never name the product, so nobody reviewed it but the seeded author.
      expect((await models.Review.find({ productId }).lean()).map((r) => r.userId)).toEqual([authorId]);
    },
    TIMEOUT,
  );

  it(
    'POST /api/products/:id/reviews: weird texts are stored exactly as sent (trimmed) or refused with a 4xx',
    async () => {
      await fc.assert(
        fc.asyncProperty(weirdString, fc.integer({ min: 1, max: 5 }), async (text, rating) => {
          const buyerId = oid();
          await recordDeliveredLines(models.DeliveredLine, {
            buyerId,
            shipmentId: oid(),
            deliveredAt: new Date(),
            productIds: [productId],
          });
          const res = await request(app)
            .post(`/api/products/${productId}/reviews`)
            .set('Cookie', signinCookie({ id: buyerId }))
            .send({ rating, text });
          expectNever5xx(res);
          if (res.status === 201) {
            expect((await models.Review.findById(res.body.id).lean())!.text).toBe(text.trim());
            expect(res.body).toMatchObject({ userId: buyerId, rating, status: 'visible', version: 0 });
          } else {
            expectErrorShape(res);
            expect(await models.Review.countDocuments({ userId: buyerId })).toBe(0);
          }
        }),
        { ...params(203), numRuns: Math.min(RUNS, 60) },
      );
    },
    TIMEOUT,
  );

  it(
    'PATCH /api/reviews/:id, POST …/reply, …/report, …/moderate: hostile ids, bodies and cookies → never 5xx; invalid bodies change nothing',
    async () => {
      const before = (await models.Review.findById(reviewId).lean())!;
      for (const [path, valid, cookie] of [
        ['', { rating: 3, text: 'ok' }, author],
        ['/reply', { text: 'Thanks' }, seller],
        ['/report', { reason: 'spam' }, signinCookie({ id: oid() })],
        ['/moderate', { decision: 'restore' }, admin],
      ] as const) {
        const method = path === '' ? 'patch' : 'post';
        await fc.assert(
          fc.asyncProperty(invalidBody(valid), async (body) => {
            const res = await request(app)[method](`/api/reviews/${reviewId}${path}`).set('Cookie', cookie).send(body);
            expect([400, 413]).toContain(res.status);
            expectErrorShape(res);
          }),
          { ...params(204), numRuns: Math.min(RUNS, 100) },
        );
      }
      const after = (await models.Review.findById(reviewId).lean())!;
      expect({ ...after, updatedAt: 0 }).toEqual({ ...before, updatedAt: 0 });

      await fc.assert(
        fc.asyncProperty(
          fc.constantFrom('patch', 'post-reply', 'post-report', 'post-moderate'),
          fc.oneof(idSegment, fc.constant(reviewId)),
          fc.oneof(
            randomBody,
            rawBody.map((raw) => ({ raw })),
          ),
          anyCookie,
          async (action, id, body, cookie) => {
            const [method, sub] = action === 'patch' ? (['patch', ''] as const) : (['post', `/${action.slice(5)}`] as const);
            const req = request(app)[method](`/api/reviews/${id}${sub}`).set('Cookie', cookie);
            const res =
              'raw' in body && typeof body.raw === 'string'
                ? await req.set('Content-Type', 'application/json').send(body.raw)
                : await req.send(body);
            expectNever5xx(res);
            if (res.status >= 400) expectErrorShape(res);
          },
        ),
        params(205),
      );
      // Whatever was accepted, the review is still well-formed and its author unchanged.
      const stored = (await models.Review.findById(reviewId).lean())!;
      expect(stored.userId).toBe(authorId);
      expect(stored.productId).toBe(productId);
      expect(Number.isInteger(stored.rating) && stored.rating >= 1 && stored.rating <= 5).toBe(true);
      expect(['visible', 'hidden', 'removed']).toContain(stored.status);
      expect(stored.reportCount).toBe(stored.reports.length);
      expect(new Set(stored.reports.map((r) => r.by)).size).toBe(stored.reports.length);
    },
    TIMEOUT,
  );

  it(
    'GET /api/products/:id/reviews, …/reviews/mine, /api/reviews/mine: hostile ids, query strings and cookies → 200/400/401/404',
    async () => {
      await fc.assert(
        fc.asyncProperty(fc.oneof(idSegment, fc.constant(productId)), queryPairs(pageKeys), anyCookie, async (id, qs, cookie) => {
          for (const url of [`/api/products/${id}/reviews?${qs}`, `/api/products/${id}/reviews/mine?${qs}`, `/api/reviews/mine?${qs}`]) {
            const res = await request(app).get(url).set('Cookie', cookie);
            expectNever5xx(res);
            expect([200, 400, 401, 404]).toContain(res.status);
            if (res.status === 200 && url.startsWith('/api/products/') && !url.includes('/mine')) {
              for (const r of res.body.items) expect(r.status).toBe('visible');
            }
            if (res.status >= 400) expectErrorShape(res);
          }
        }),
        { ...params(206), numRuns: Math.min(RUNS, 120) },
      );
    },
    TIMEOUT,
  );

  it(
    'GET /api/reviews/reported and POST …/moderate: only ADMIN_EMAILS (look-alike emails 403, hostile cookies 401), nothing moderated',
    async () => {
      // (Surrounding spaces and case are the same admin: requireAdmin trims and lower-cases the session's email.)
      const lookAlike = fc.constantFrom(
        `${TEST_ADMIN_EMAIL}.evil.com`,
        `x${TEST_ADMIN_EMAIL}`,
        TEST_ADMIN_EMAIL.replace('@', '@@'),
        TEST_ADMIN_EMAIL.replace('a', 'а'), // Cyrillic a
        `${TEST_ADMIN_EMAIL},other@x.dev`,
      );
      const before = await reviewState();
      await fc.assert(
        fc.asyncProperty(
          fc.oneof(
            lookAlike.map((email) => signinCookie({ id: oid(), email })),
            hostileCookie,
          ),
          queryPairs(pageKeys),
          async (cookie, qs) => {
            const list = await request(app).get(`/api/reviews/reported?${qs}`).set('Cookie', cookie);
            expect([401, 403]).toContain(list.status);
            expectErrorShape(list);
            const decide = await request(app).post(`/api/reviews/${reviewId}/moderate`).set('Cookie', cookie).send({ decision: 'remove' });
            expect([401, 403]).toContain(decide.status);
            expectErrorShape(decide);
          },
        ),
        { ...params(207), numRuns: Math.min(RUNS, 100) },
      );
      expect(await reviewState()).toBe(before);
    },
    TIMEOUT,
  );
});
