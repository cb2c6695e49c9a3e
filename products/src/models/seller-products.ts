import type { Types } from 'mongoose';
import type { ProductDoc, ProductModel } from './product';
import { unitsTaken, type UnitLedgerModel } from './unit-ledger';

/** A position in a newest-first listing: the (createdAt, _id) of the last product already shown. */
export interface ListingPosition {
  createdAt: Date;
  id: Types.ObjectId;
}

/** Products strictly after `at` in the (createdAt desc, _id desc) order. */
export function afterPosition(at: ListingPosition | undefined): Record<string, unknown> {
  if (!at) return {};
  return { $or: [{ createdAt: { $lt: at.createdAt } }, { createdAt: at.createdAt, _id: { $lt: at.id } }] };
}

export interface SellerProductsPage {
  /** Each product with its units taken (held by live orders + sold − restocked). */
  items: { product: ProductDoc; taken: number }[];
  /** Where the next page starts; undefined on the last page. */
  next?: ListingPosition;
}

const SCAN_BATCH = 200;

/**
 * A page of one seller's products, listed and unlisted, newest first (index userId, createdAt, _id).
 * With `lowStockAt`, only products with at most that many available units: availability is not
 * stored on the product (it is listed − taken, taken summed over the unit ledger), so the seller's
 * products are read in batches from `after` until a page is full; the cursor is the last product
 * shown, so pages neither repeat nor skip.
 */
export async function sellerProductsPage(
  models: { Product: ProductModel; UnitLedger: UnitLedgerModel },
  sellerId: string,
  opts: { after?: ListingPosition; limit: number; lowStockAt?: number },
): Promise<SellerProductsPage> {
  const matches: { product: ProductDoc; taken: number }[] = [];
  let after = opts.after;
  const batch = opts.lowStockAt === undefined ? opts.limit + 1 : SCAN_BATCH;
  for (;;) {
    const found = await models.Product.find({ userId: sellerId, ...afterPosition(after) })
      .sort({ createdAt: -1, _id: -1 })
      .limit(batch);
    const taken = await unitsTaken(
      models.UnitLedger,
      found.map((p) => p.id as string),
    );
    for (const product of found) {
      const t = taken.get(product.id) ?? 0;
      if (opts.lowStockAt === undefined || product.quantity - t <= opts.lowStockAt) matches.push({ product, taken: t });
      if (matches.length > opts.limit) break;
    }
    const last = found[found.length - 1];
    if (matches.length > opts.limit || found.length < batch || !last) break;
    after = { createdAt: last.createdAt, id: last._id };
  }
  const items = matches.slice(0, opts.limit);
  const end = items[items.length - 1]?.product;
  return { items, next: matches.length > opts.limit && end ? { createdAt: end.createdAt, id: end._id } : undefined };
}
