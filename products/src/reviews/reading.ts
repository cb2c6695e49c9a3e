import { objectIdPattern } from '@jetmart/common';
import type { RatingSummary } from '@jetmart/common/contracts';
import {
  afterPosition,
  hasReceived,
  ratingSummaries,
  reviewAuthorId,
  type ListingPosition,
  type ProductsModels,
  type ReviewDoc,
} from '../models';

export interface ReviewsPage {
  items: ReviewDoc[];
  /** Where the next page starts; undefined on the last page. */
  next?: ListingPosition;
}

async function page(models: ProductsModels, filter: Record<string, unknown>, at: ListingPosition | undefined, limit: number) {
  const found = await models.Review.find({ ...filter, ...afterPosition(at) })
    .sort({ createdAt: -1, _id: -1 })
    .limit(limit + 1);
  const items = found.slice(0, limit);
  const last = items[items.length - 1];
  return { items, next: found.length > limit && last ? { createdAt: last.createdAt, id: last._id } : undefined };
}

/** A product's visible reviews, newest first, with its rating; null for an unknown product. */
export async function productReviews(
  models: ProductsModels,
  productId: string,
  opts: { at?: ListingPosition; limit: number },
): Promise<(ReviewsPage & { rating: RatingSummary }) | null> {
  const id = productId.toLowerCase();
  if (!objectIdPattern.test(id) || !(await models.Product.exists({ _id: id }))) return null;
  const [reviews, ratings] = await Promise.all([
    page(models, { productId: id, status: 'visible' }, opts.at, opts.limit),
    ratingSummaries(models.ProductRating, [id]),
  ]);
  return { ...reviews, rating: ratings.get(id)! };
}

/** Whether the caller may review the product, and their review of it (any status); null for an unknown product. */
export async function myReviewOf(
  models: ProductsModels,
  productId: string,
  userId: string,
): Promise<{ eligible: boolean; review: ReviewDoc | null } | null> {
  const id = productId.toLowerCase();
  if (!objectIdPattern.test(id) || !(await models.Product.exists({ _id: id }))) return null;
  const claim = await models.ReviewAuthor.findById(reviewAuthorId(id, userId)).lean();
  const review = claim ? await models.Review.findById(claim.reviewId) : null;
  return { eligible: await hasReceived(models.DeliveredLine, userId, id), review };
}

/** The caller's reviews, newest first (removed ones included: they are the author's). */
export function myReviews(models: ProductsModels, userId: string, opts: { at?: ListingPosition; limit: number }): Promise<ReviewsPage> {
  return page(models, { userId }, opts.at, opts.limit);
}

/** The moderation queue: reviews hidden by reports, newest first. */
export function reportedReviews(models: ProductsModels, opts: { at?: ListingPosition; limit: number }): Promise<ReviewsPage> {
  return page(models, { status: 'hidden' }, opts.at, opts.limit);
}

/** A report someone made, as their data export lists it. */
export interface ReportByPerson {
  reviewId: string;
  productId: string;
  reason: string;
  at: Date;
}

/**
 * What the reviews hold about one person, for their data export: every review they wrote (oldest
 * first, removed ones included) and every report they made on others' reviews. Not a hot path: the
 * reports are found by the `reports.by` index on MongoDB (a scan on FerretDB, once per export).
 */
export async function reviewsByPerson(
  models: ProductsModels,
  userId: string,
): Promise<{ reviews: ReviewDoc[]; reports: ReportByPerson[] }> {
  const [reviews, reported] = await Promise.all([
    models.Review.find({ userId }).sort({ createdAt: 1, _id: 1 }),
    models.Review.find({ 'reports.by': userId }, { productId: 1, reports: 1 }).sort({ _id: 1 }).lean(),
  ]);
  const reports = reported.flatMap((r) =>
    r.reports.filter((x) => x.by === userId).map((x) => ({ reviewId: String(r._id), productId: r.productId, reason: x.reason, at: x.at })),
  );
  return { reviews, reports };
}
