import { Router, type RequestHandler } from 'express';
import { z } from 'zod';
import {
  ConflictError,
  ForbiddenError,
  NotFoundError,
  parseQuery,
  RequestValidationError,
  requireAdmin,
  requireAuth,
  validateBody,
} from '@jetmart/common';
import { REVIEW_LIMITS, type MyReview, type ReviewPage } from '@jetmart/common/contracts';
import type { ProductsModels } from '../models';
import {
  createReview,
  editReview,
  moderateReview,
  myReviewOf,
  myReviews,
  productReviews,
  replyToReview,
  reportReview,
  reportedReviews,
  type ReviewsPage,
} from '../reviews';
import { decodeCursor, encodeCursor } from './listing';
import { presentReview } from './presenters';

const rating = z
  .number({ error: 'rating must be a number' })
  .int('rating must be a whole number')
  .min(REVIEW_LIMITS.minRating, `rating must be at least ${REVIEW_LIMITS.minRating}`)
  .max(REVIEW_LIMITS.maxRating, `rating can be at most ${REVIEW_LIMITS.maxRating}`);
const text = (max: number) =>
  z.string({ error: 'text must be a string' }).trim().min(1, 'text is required').max(max, `text can have at most ${max} characters`);

const newReviewBody = z.object({ rating, text: text(REVIEW_LIMITS.maxText) });
const reviewChangesBody = z
  .object({ rating: rating.optional(), text: text(REVIEW_LIMITS.maxText).optional() })
  .refine((b) => b.rating !== undefined || b.text !== undefined, { message: 'give a rating or a text to change' });
const replyBody = z.object({ text: text(REVIEW_LIMITS.maxReply) });
const reportBody = z.object({
  reason: z
    .string({ error: 'reason must be a string' })
    .trim()
    .max(REVIEW_LIMITS.maxReportReason, `reason can have at most ${REVIEW_LIMITS.maxReportReason} characters`)
    .optional(),
});
const moderateBody = z.object({ decision: z.enum(['restore', 'remove'], { error: 'decision must be restore or remove' }) });

const pageQuery = z.object({
  limit: z.coerce
    .number({ error: 'limit must be a number' })
    .int('limit must be a whole number')
    .min(1, 'limit must be at least 1')
    .max(100, 'limit can be at most 100')
    .default(20),
  cursor: z.string({ error: 'cursor must be a single string' }).optional(),
});

/** `?limit=&cursor=` as a listing position (400 when the cursor is not one of ours). */
function pageOf(query: z.infer<typeof pageQuery>) {
  if (query.cursor === undefined) return { limit: query.limit };
  const at = decodeCursor(query.cursor);
  if (!at) throw new RequestValidationError([{ message: 'cursor is not valid', field: 'cursor' }]);
  return { limit: query.limit, at };
}

const nextCursor = (page: ReviewsPage) => (page.next ? encodeCursor(page.next.createdAt, page.next.id.toHexString()) : null);
const presentPage = (page: ReviewsPage) => ({ items: page.items.map(presentReview), nextCursor: nextCursor(page) });

/** A POST whose body is optional (`{reason?}`): no body at all is `{}`. */
const optionalBody: RequestHandler = (req, _res, next) => {
  if (req.body === undefined) req.body = {};
  next();
};

const notFound = () => new NotFoundError('Review not found');

export interface ReviewsRouteDeps {
  models: ProductsModels;
  /** ADMIN_EMAILS: who may see reported reviews and restore or remove them. */
  admins: ReadonlySet<string>;
}

/**
 * Reviews by verified buyers: a product's reviews under /api/products/:id/reviews, one review's
 * actions and the person's and admins' lists under /api/reviews (routed to products).
 */
export function reviewsRouter({ models, admins }: ReviewsRouteDeps): Router {
  const router = Router();
  const deps = { models };

  router.get('/api/products/:id/reviews', async (req, res) => {
    const found = await productReviews(models, String(req.params.id), pageOf(parseQuery(pageQuery, req)));
    if (!found) throw new NotFoundError('Product not found');
    const body: ReviewPage = { ...presentPage(found), rating: found.rating };
    res.json(body);
  });

  router.get('/api/products/:id/reviews/mine', requireAuth, async (req, res) => {
    const found = await myReviewOf(models, String(req.params.id), req.currentUser!.id);
    if (!found) throw new NotFoundError('Product not found');
    const body: MyReview = { eligible: found.eligible, review: found.review ? presentReview(found.review) : null };
    res.json(body);
  });

  router.post('/api/products/:id/reviews', requireAuth, validateBody(newReviewBody), async (req, res) => {
    const body = req.body as z.infer<typeof newReviewBody>;
    const result = await createReview(deps, { productId: String(req.params.id), userId: req.currentUser!.id, ...body });
    switch (result.kind) {
      case 'product-not-found':
        throw new NotFoundError('Product not found');
      case 'not-eligible':
        throw new ForbiddenError('only buyers who received this product can review it');
      case 'exists':
        throw new ConflictError('You have already reviewed this product: edit your review instead');
      case 'created':
        res.status(201).json(presentReview(result.review));
    }
  });

  router.get('/api/reviews/mine', requireAuth, async (req, res) => {
    res.json(presentPage(await myReviews(models, req.currentUser!.id, pageOf(parseQuery(pageQuery, req)))));
  });

  router.get('/api/reviews/reported', requireAdmin(admins), async (req, res) => {
    res.json(presentPage(await reportedReviews(models, pageOf(parseQuery(pageQuery, req)))));
  });

  router.patch('/api/reviews/:reviewId', requireAuth, validateBody(reviewChangesBody), async (req, res) => {
    const body = req.body as z.infer<typeof reviewChangesBody>;
    const result = await editReview(deps, { reviewId: String(req.params.reviewId), userId: req.currentUser!.id, ...body });
    if (result.kind === 'not-found') throw notFound();
    if (result.kind === 'refused') throw new ForbiddenError('Only its author can edit a review');
    if (result.kind === 'is-removed') throw new ConflictError('This review was removed by a moderator');
    res.json(presentReview(result.review));
  });

  router.post('/api/reviews/:reviewId/reply', requireAuth, validateBody(replyBody), async (req, res) => {
    const body = req.body as z.infer<typeof replyBody>;
    const result = await replyToReview(deps, { reviewId: String(req.params.reviewId), userId: req.currentUser!.id, text: body.text });
    if (result.kind === 'not-found') throw notFound();
    if (result.kind === 'refused') throw new ForbiddenError("Only the product's seller can reply to a review");
    if (result.kind === 'already-replied') throw new ConflictError('This review has a reply already');
    if (result.kind === 'is-removed') throw new ConflictError('This review was removed by a moderator');
    res.status(201).json(presentReview(result.review));
  });

  router.post('/api/reviews/:reviewId/report', requireAuth, optionalBody, validateBody(reportBody), async (req, res) => {
    const body = req.body as z.infer<typeof reportBody>;
    const result = await reportReview(deps, {
      reviewId: String(req.params.reviewId),
      userId: req.currentUser!.id,
      reason: body.reason ?? '',
    });
    // A removed review is gone for everyone but its author.
    if (result.kind === 'not-found' || result.kind === 'is-removed') throw notFound();
    if (result.kind === 'own-review') throw new ForbiddenError('You cannot report your own review');
    res.status(202).json({ reported: true });
  });

  router.post('/api/reviews/:reviewId/moderate', requireAdmin(admins), validateBody(moderateBody), async (req, res) => {
    const body = req.body as z.infer<typeof moderateBody>;
    const result = await moderateReview(deps, { reviewId: String(req.params.reviewId), decision: body.decision });
    if (result.kind === 'not-found') throw notFound();
    if (result.kind === 'is-removed') throw new ConflictError('A removed review cannot be restored');
    if (result.kind === 'refused') throw new ConflictError(result.reason);
    res.json(presentReview(result.review));
  });

  return router;
}
