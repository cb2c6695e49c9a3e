import { bumpRatingRevision, storeRating, type ProductsModels } from '../models';

export type RatingModels = Pick<ProductsModels, 'Review' | 'ProductRating'>;

/** Attempts before leaving the recompute to the writer that moved the revision (it recomputes after its bump). */
const ATTEMPTS = 20;

/**
 * A review of `productId` changed (written already): bump the aggregate's revision, then
 * recompute it (see models/product-rating.ts for why this is race-free).
 */
export async function refreshRating(models: RatingModels, productId: string): Promise<void> {
  await bumpRatingRevision(models.ProductRating, productId);
  await recomputeRating(models, productId);
}

/**
 * Reads revision r, counts the visible reviews and stores them conditionally on r; on a miss
 * (another change or recompute got there first) reads again. Stops as soon as the stored result
 * was computed at the current revision: whoever stored it counted after every change up to it.
 */
export async function recomputeRating(models: RatingModels, productId: string): Promise<'changed' | 'unchanged' | 'left-to-others'> {
  for (let i = 0; i < ATTEMPTS; i++) {
    const read = await models.ProductRating.findById(productId).lean();
    if (!read || read.computedRevision === read.revision) return 'unchanged';
    const visible = await models.Review.find({ productId, status: 'visible' }, { rating: 1 }).lean();
    const counted = { ratingCount: visible.length, ratingSum: visible.reduce((s, r) => s + r.rating, 0) };
    const outcome = await storeRating(models.ProductRating, read, counted);
    if (outcome !== 'stale') return outcome;
  }
  return 'left-to-others';
}
