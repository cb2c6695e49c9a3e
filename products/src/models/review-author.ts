import { Schema, type Connection, type Model } from 'mongoose';
import { isDuplicateKey, modelOn } from '@jetmart/common';

/**
 * The claim "this person reviewed this product": `_id` `<productId>:<userId>`, unique, so of two
 * concurrent first reviews by the same person exactly one claim is inserted. It names the review's
 * id, chosen before the review is written: a crash between the claim and the review leaves a claim
 * whose review a later attempt writes with that same id (the review's unique `_id` decides again).
 * Deleted with the person's account (the review itself stays, anonymised).
 */
export interface ReviewAuthorFields {
  _id: string;
  userId: string;
  productId: string;
  reviewId: string;
}

export type ReviewAuthorModel = Model<ReviewAuthorFields>;

const reviewAuthorSchema = new Schema<ReviewAuthorFields>(
  {
    _id: { type: String, required: true },
    userId: { type: String, required: true, index: true },
    productId: { type: String, required: true },
    reviewId: { type: String, required: true },
  },
  { versionKey: false },
);

export const reviewAuthorId = (productId: string, userId: string) => `${productId}:${userId}`;

/**
 * Claims (productId, userId) for `reviewId`. Resolves to the review id that holds the claim: the
 * one given when this call won it, else the one already claimed.
 */
export async function claimReview(ReviewAuthor: ReviewAuthorModel, productId: string, userId: string, reviewId: string): Promise<string> {
  const _id = reviewAuthorId(productId, userId);
  try {
    await ReviewAuthor.create({ _id, userId, productId, reviewId });
    return reviewId;
  } catch (err) {
    if (!isDuplicateKey(err)) throw err;
  }
  const existing = await ReviewAuthor.findById(_id).lean();
  if (!existing) throw new Error(`review claim ${_id} vanished after a duplicate key`);
  return existing.reviewId;
}

export function reviewAuthorModelOn(conn: Connection): ReviewAuthorModel {
  return modelOn<ReviewAuthorModel>(conn, 'ReviewAuthor', reviewAuthorSchema);
}
