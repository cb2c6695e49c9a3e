import { Schema, type Connection, type Model } from 'mongoose';
import { isDuplicateKey, modelOn, outboxEntry, outboxPlugin, Subjects, type WithOutbox } from '@jetmart/common';

/**
 * A product's stock signal (`product.stock-changed`): whether buyers can order any unit, published
 * only when that flips. One document per product (`_id` = the product's id), apart from the product:
 *
 * - Stock moves with every order event; on the product document each move would contend with the
 *   seller's edits for the product's lock and outbox, and the product's `version` (what orders'
 *   replica applies) must not move for it.
 * - `revision` counts the moves (a unit-ledger move, a change of the listed quantity) that may
 *   change availability. Each move bumps it AFTER its own write, then recomputes (../stock). A
 *   recompute reads the revision first, then the product and the ledger, and writes a flip only
 *   with a conditional update on that revision and on the stock version it read: a move that
 *   landed in between makes the write miss and the recompute read again, and two recomputes that
 *   saw the same state cannot both publish the same flip. The conditional update is the only place
 *   that decides what is published; a move that lands after it runs its own recompute.
 * - `version` is the STOCK version: 0 is the state implied by the product events (quantity > 0),
 *   each flip publishes version + 1.
 */
export interface ProductStockFields extends WithOutbox {
  _id: string;
  revision: number;
  /** The state last published; absent until the first flip (then: the product's quantity > 0). */
  inStock?: boolean;
  /** Units available at the last flip. */
  available?: number;
  version: number;
}

export type ProductStockModel = Model<ProductStockFields>;

const productStockSchema = new Schema<ProductStockFields>(
  {
    _id: { type: String, required: true },
    revision: { type: Number, required: true, default: 0, min: 0 },
    inStock: { type: Boolean },
    available: { type: Number, min: 0 },
    version: { type: Number, required: true, default: 0, min: 0 },
  },
  // `version` is ours (bumped by flips only), not mongoose's key: no versionKey.
  { versionKey: false, timestamps: true },
);
productStockSchema.plugin(outboxPlugin);

/**
 * Records that the product's availability may have changed (call AFTER the change is written,
 * then recompute). Creates the document on the first move. Returns the stock as this bump left
 * it: read in the same atomic write, it is what a read right after the bump would see, so a
 * recompute's first attempt needs no read of its own.
 */
export async function noteStockMove(
  ProductStock: ProductStockModel,
  productId: string,
): Promise<{ revision: number; version: number; inStock?: boolean }> {
  for (let attempt = 1; ; attempt++) {
    try {
      const stock = await ProductStock.findOneAndUpdate(
        { _id: productId },
        { $inc: { revision: 1 }, $setOnInsert: { version: 0 } },
        // No projection: FerretDB's findAndModify does not take one (the document is small).
        { upsert: true, new: true },
      ).lean();
      return stock!;
    } catch (err) {
      // Two first moves upserted at once: the loser's insert collides; the document exists now.
      if (!isDuplicateKey(err) || attempt >= 3) throw err;
    }
  }
}

/** What a recompute read: the revision and stock version its decision rests on. */
export interface StockSnapshot {
  revision: number;
  version: number;
  /** The published state: the stored one, else the product's quantity > 0 (what product events imply). */
  inStock: boolean;
}

export async function readStock(
  ProductStock: ProductStockModel,
  productId: string,
): Promise<{ revision: number; version: number; inStock?: boolean } | null> {
  return ProductStock.findById(productId, { revision: 1, version: 1, inStock: 1 }).lean();
}

/**
 * Publishes the flip to `inStock` if nothing moved since `seen` was read: `flipped` (stored and
 * queued as `product.stock-changed` at version + 1, in one write), or `moved` (a move or another
 * flip came in between: read again).
 */
export async function recordStockFlip(
  ProductStock: ProductStockModel,
  productId: string,
  seen: StockSnapshot,
  state: { inStock: boolean; available: number },
): Promise<'flipped' | 'moved'> {
  const version = seen.version + 1;
  const entry = outboxEntry(Subjects.ProductStockChanged, { id: productId, inStock: state.inStock, available: state.available, version });
  const res = await ProductStock.updateOne(
    { _id: productId, revision: seen.revision, version: seen.version },
    { $set: { inStock: state.inStock, available: state.available, version }, $push: { outbox: entry } },
  );
  return res.matchedCount === 1 ? 'flipped' : 'moved';
}

export function productStockModelOn(conn: Connection): ProductStockModel {
  return modelOn<ProductStockModel>(conn, 'ProductStock', productStockSchema);
}
