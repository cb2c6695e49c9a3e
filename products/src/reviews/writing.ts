import mongoose, { Types } from 'mongoose';
import { objectIdPattern } from '@jetmart/common';
import {
  buildReview,
  claimReview,
  hasReceived,
  insertReview,
  type ModerationDecision,
  type ProductsModels,
  type ReviewDoc,
} from '../models';
import { refreshRating } from './rating';

export interface ReviewsDeps {
  models: ProductsModels;
}

/** Saves of a stale copy (VersionError) retried before giving up: many reporters may race on one review. */
const ATTEMPTS = 25;

export type CreateReviewResult =
  | { kind: 'created'; review: ReviewDoc }
  | { kind: 'product-not-found' }
  | { kind: 'not-eligible' }
  | { kind: 'exists'; review: ReviewDoc | null };

/**
 * A verified buyer's first review of a product. Eligible: a delivered line of the product for the
 * caller (recorded from shipment.delivered). One per (buyer, product): the ReviewAuthor claim's
 * unique `_id` decides between concurrent attempts, then the review's own unique `_id` (so a claim
 * left by a crash before its review was written is completed by the next attempt).
 */
export async function createReview(
  { models }: ReviewsDeps,
  input: { productId: string; userId: string; rating: number; text: string },
): Promise<CreateReviewResult> {
  const productId = input.productId.toLowerCase();
  const product = objectIdPattern.test(productId) ? await models.Product.findById(productId, { userId: 1 }).lean() : null;
  if (!product) return { kind: 'product-not-found' };
  if (!(await hasReceived(models.DeliveredLine, input.userId, productId))) return { kind: 'not-eligible' };
  const reviewId = await claimReview(models.ReviewAuthor, productId, input.userId, new Types.ObjectId().toHexString());
  const existing = await models.Review.findById(reviewId);
  if (existing) return { kind: 'exists', review: existing };
  const review = buildReview(models.Review, {
    id: reviewId,
    productId,
    sellerId: product.userId,
    userId: input.userId,
    rating: input.rating,
    text: input.text,
  });
  if ((await insertReview(review)) === 'exists') return { kind: 'exists', review: await models.Review.findById(reviewId) };
  await refreshRating(models, productId);
  return { kind: 'created', review };
}

/**
 * Loads a review, applies a guarded transition and saves it when it changed, reloading and trying
 * again when another writer saved first (VersionError): the loser answers from the winner's state.
 */
async function transition<K extends string>(
  models: ProductsModels,
  reviewId: string,
  apply: (review: ReviewDoc) => K | { refused: string },
  changed: readonly K[],
): Promise<{ kind: 'not-found' } | { kind: 'refused'; reason: string } | { kind: K; review: ReviewDoc }> {
  if (!objectIdPattern.test(reviewId)) return { kind: 'not-found' };
  for (let i = 1; ; i++) {
    const review = await models.Review.findById(reviewId);
    if (!review) return { kind: 'not-found' };
    const statusBefore = review.status;
    const ratingBefore = review.rating;
    const kind = apply(review);
    if (typeof kind !== 'string') return { kind: 'refused', reason: kind.refused };
    if (changed.includes(kind)) {
      try {
        await review.save();
      } catch (err) {
        if (!(err instanceof mongoose.Error.VersionError) || i >= ATTEMPTS) throw err;
        continue;
      }
      // The aggregate counts visible reviews' ratings: recompute when either moved.
      if (review.status !== statusBefore || review.rating !== ratingBefore) await refreshRating(models, review.productId);
    }
    return { kind, review };
  }
}

/** The author edits their review (rating and/or text). */
export function editReview({ models }: ReviewsDeps, input: { reviewId: string; userId: string; rating?: number; text?: string }) {
  return transition(
    models,
    input.reviewId,
    (r) => (r.userId !== input.userId ? { refused: 'not-author' } : r.edit({ rating: input.rating, text: input.text })),
    ['edited'],
  );
}

/** The product's seller replies, once. */
export function replyToReview({ models }: ReviewsDeps, input: { reviewId: string; userId: string; text: string }) {
  return transition(models, input.reviewId, (r) => (r.sellerId !== input.userId ? { refused: 'not-seller' } : r.addReply(input.text)), [
    'replied',
  ]);
}

/** Someone other than the author reports a review; each reporter counts once. */
export function reportReview({ models }: ReviewsDeps, input: { reviewId: string; userId: string; reason: string }) {
  return transition(models, input.reviewId, (r) => r.addReport(input.userId, input.reason), ['reported']);
}

/** An admin restores or removes a review. */
export function moderateReview({ models }: ReviewsDeps, input: { reviewId: string; decision: ModerationDecision }) {
  return transition(models, input.reviewId, (r) => r.moderate(input.decision), ['restored', 'removed']);
}

/**
 * The person's account is gone (user.deleted): their delivered lines and review claims are
 * deleted, their reviews stay without their id (anonymised), and their reports stay as counts
 * without their id. Idempotent: a redelivery finds nothing of theirs.
 */
export async function forgetReviewer({ models }: ReviewsDeps, userId: string): Promise<{ reviews: number; reports: number }> {
  await models.DeliveredLine.deleteMany({ buyerId: userId });
  let reviews = 0;
  let reports = 0;
  const touched = await models.Review.find({ $or: [{ userId }, { 'reports.by': userId }] }, { _id: 1 }).lean();
  for (const { _id } of touched) {
    let authored = false;
    const done = await transition(
      models,
      _id.toHexString(),
      (r) => {
        authored = r.userId === userId;
        return r.forget(userId) ? ('forgotten' as const) : ('unchanged' as const);
      },
      ['forgotten'],
    );
    if (done.kind === 'forgotten') {
      if (authored) reviews++;
      else reports++;
    }
  }
  // The claims name the person (`<productId>:<userId>`); without a delivered line they cannot
  // write another review anyway.
  await models.ReviewAuthor.deleteMany({ userId });
  return { reviews, reports };
}
