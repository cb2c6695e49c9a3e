import { objectIdPattern } from '@jetmart/common';
import { noteStockMove, readStock, recordStockFlip, unitsTaken, type ProductsModels } from '../models';

export type StockOutcome =
  | { kind: 'flipped'; inStock: boolean; available: number; version: number }
  | { kind: 'unchanged'; inStock: boolean; available: number }
  | { kind: 'no-product' };

type StockModels = Pick<ProductsModels, 'Product' | 'UnitLedger' | 'ProductStock'>;

/** Recomputes read again this often when moves keep landing between their read and their write. */
const MAX_ATTEMPTS = 50;

/**
 * After a move of the product's units (a ledger move, a change of the listed quantity, written
 * already): bumps the product's stock revision, then recomputes whether it is in stock and
 * publishes `product.stock-changed` if that flipped (see models/product-stock.ts for why this is
 * race-free). Idempotent: a redelivered event recomputes the same state and publishes nothing.
 * An unknown product (an order event naming a product this service never listed) has no stock.
 */
export async function refreshStock(models: StockModels, productId: string): Promise<StockOutcome> {
  // An id that is no ObjectId names no product of ours (and would be a cast error, not an answer).
  if (!objectIdPattern.test(productId) || !(await models.Product.exists({ _id: productId }))) return { kind: 'no-product' };
  // The revision first: every move whose bump this read sees has its own write in what follows.
  // The first read is the bump's own answer; later attempts read again.
  let bumped: Awaited<ReturnType<typeof readStock>> | undefined = await noteStockMove(models.ProductStock, productId);
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    const stock = bumped ?? (await readStock(models.ProductStock, productId));
    bumped = undefined;
    const product = await models.Product.findById(productId, { quantity: 1 }).lean();
    if (!stock || !product) throw new Error(`stock of product ${productId} vanished`);
    const taken = (await unitsTaken(models.UnitLedger, [productId])).get(productId) ?? 0;
    const available = Math.max(0, product.quantity - taken);
    const inStock = available > 0;
    // Before the first flip the published state is what the product events imply.
    const published = stock.inStock ?? product.quantity > 0;
    if (inStock === published) {
      // Nothing to publish. A move that landed after our read bumped the revision after its write
      // and runs its own recompute, so returning here loses nothing.
      return { kind: 'unchanged', inStock, available };
    }
    const outcome = await recordStockFlip(
      models.ProductStock,
      productId,
      { revision: stock.revision, version: stock.version, inStock: published },
      {
        inStock,
        available,
      },
    );
    if (outcome === 'flipped') return { kind: 'flipped', inStock, available, version: stock.version + 1 };
    // A move or a concurrent flip came in between: wait a little (spread the racers), read again.
    await new Promise((r) => setTimeout(r, Math.random() * Math.min(50, attempt * 5)));
  }
  throw new Error(`stock of product ${productId} kept moving; retry later`);
}

/** refreshStock for each distinct product of an event's lines, one after another. */
export async function refreshStocks(models: StockModels, productIds: string[]): Promise<StockOutcome[]> {
  const out: StockOutcome[] = [];
  for (const id of new Set(productIds)) out.push(await refreshStock(models, id));
  return out;
}
