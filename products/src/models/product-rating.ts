import { Schema, type Connection, type Model } from 'mongoose';
import { isDuplicateKey, modelOn, outboxEntry, outboxPlugin, readEach, Subjects, type WithOutbox } from '@jetmart/common';
import { ratingSummary, type RatingSummary } from '@jetmart/common/contracts';

/**
 * A product's rating aggregate over its VISIBLE reviews (count and sum; the API shows the average),
 * published as `product.rating-changed` through its own outbox with its own `version` (+1 per
 * change of count or sum), apart from the product's version: a review must not make every replica
 * of the product re-apply its listing.
 *
 * Race-free recompute without transactions: every review change bumps `revision` (after the
 * review is written); a recompute reads revision r, sums the visible reviews, and writes the result
 * with a conditional update on `revision: r` (and the version it read). A change that lands in
 * between bumps the revision, the conditional update misses, and the recompute reads again; so
 * the last write that succeeds was computed after the last bump, and the stored aggregate is the
 * recount of the reviews as they are. The conditional update is the only place that decides
 * (on FerretDB it runs under the document lock, as every `_id` write does).
 */
export interface ProductRatingFields extends WithOutbox {
  /** The product's id. */
  _id: string;
  ratingCount: number;
  ratingSum: number;
  /** Bumped by every review change of the product. */
  revision: number;
  /** The revision the stored count and sum were computed at. */
  computedRevision: number;
  /** +1 per change of count or sum: the `version` of product.rating-changed (0: no review yet, never published). */
  version: number;
}

export type ProductRatingModel = Model<ProductRatingFields>;

const productRatingSchema = new Schema<ProductRatingFields>(
  {
    _id: { type: String, required: true },
    ratingCount: { type: Number, default: 0 },
    ratingSum: { type: Number, default: 0 },
    revision: { type: Number, default: 0 },
    computedRevision: { type: Number, default: 0 },
    version: { type: Number, default: 0 },
  },
  // `version` is ours (the event's counter), written only by the conditional update below.
  { versionKey: false },
);
productRatingSchema.plugin(outboxPlugin);

/** Notes a review change of `productId`: the aggregate must be recomputed. */
export async function bumpRatingRevision(ProductRating: ProductRatingModel, productId: string): Promise<void> {
  try {
    await ProductRating.create({ _id: productId, revision: 1 });
    return;
  } catch (err) {
    if (!isDuplicateKey(err)) throw err;
  }
  await ProductRating.updateOne({ _id: productId }, { $inc: { revision: 1 } });
}

export type StoreRatingOutcome = 'changed' | 'unchanged' | 'stale';

/**
 * Stores the count and sum computed at `read` (the aggregate as read before counting): `stale`
 * when a review changed since (the revision moved) or another recompute stored first (the version
 * moved); `changed` queues product.rating-changed at version + 1.
 */
export async function storeRating(
  ProductRating: ProductRatingModel,
  read: Pick<ProductRatingFields, '_id' | 'revision' | 'version' | 'ratingCount' | 'ratingSum'>,
  counted: { ratingCount: number; ratingSum: number },
): Promise<StoreRatingOutcome> {
  const filter = { _id: read._id, revision: read.revision, version: read.version };
  if (counted.ratingCount === read.ratingCount && counted.ratingSum === read.ratingSum) {
    const res = await ProductRating.updateOne(filter, { $set: { computedRevision: read.revision } });
    return res.matchedCount === 1 ? 'unchanged' : 'stale';
  }
  const version = read.version + 1;
  const res = await ProductRating.updateOne(filter, {
    $set: { ratingCount: counted.ratingCount, ratingSum: counted.ratingSum, computedRevision: read.revision, version },
    $push: { outbox: outboxEntry(Subjects.ProductRatingChanged, { id: read._id, ...counted, version }) },
  });
  return res.matchedCount === 1 ? 'changed' : 'stale';
}

/** The rating summaries of `productIds` (no reviews: average null, count 0). */
export async function ratingSummaries(ProductRating: ProductRatingModel, productIds: string[]): Promise<Map<string, RatingSummary>> {
  // By _id one at a time: `_id: {$in}` reads every rating on FerretDB, even for one product page.
  const found = await readEach([...new Set(productIds)], (id) => ProductRating.findById(id, { ratingCount: 1, ratingSum: 1 }).lean());
  const out = new Map<string, RatingSummary>(productIds.map((id) => [id, ratingSummary(0, 0)]));
  for (const r of found) if (r) out.set(r._id, ratingSummary(r.ratingCount, r.ratingSum));
  return out;
}

export function productRatingModelOn(conn: Connection): ProductRatingModel {
  return modelOn<ProductRatingModel>(conn, 'ProductRating', productRatingSchema);
}
