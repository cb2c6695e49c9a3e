import { Schema, type Connection, type Model } from 'mongoose';
import { isDuplicateKey, modelOn, readEach } from '@jetmart/common';

/**
 * What this service knows about the units each order line takes: one document per
 * (order, product), moved `held` → `released` | `sold` by order events.
 *
 * Why a ledger and not counters on the product: order.created, order.cancelled and
 * order.completed arrive through separate durable consumers, so a cancel can be handled
 * before the create it undoes. Each entry is written by one idempotent single-document
 * upsert that never goes back from an end state, so any delivery order and any number of
 * duplicates give the same result; held/sold are sums over the ledger.
 *
 * Units that come back after a sale (a cancelled shipment, a returned parcel the seller restocks)
 * are entries of their own, one per (order, product, source), in state `restocked`, rather than a
 * change to the `sold` entry: a line can come back in parts from several sources, and an insert
 * with a unique `_id` is the one write FerretDB applies atomically, so a redelivered source
 * restocks once. Units taken = held + sold − restocked.
 */
export type UnitState = 'held' | 'released' | 'sold' | 'restocked';

export interface UnitLedgerEntry {
  _id: string;
  orderId: string;
  productId: string;
  quantity: number;
  state: UnitState;
  /** Restock entries only: the shipment or return the units came back with. */
  sourceId?: string;
}

export type UnitLedgerModel = Model<UnitLedgerEntry>;

const unitLedgerSchema = new Schema<UnitLedgerEntry>(
  {
    _id: { type: String, required: true },
    orderId: { type: String, required: true },
    productId: { type: String, required: true },
    quantity: { type: Number, required: true, min: 1 },
    state: { type: String, required: true, enum: ['held', 'released', 'sold', 'restocked'] },
    sourceId: { type: String },
  },
  { versionKey: false, timestamps: true },
);
unitLedgerSchema.index({ productId: 1, state: 1 });

export interface OrderLine {
  productId: string;
  quantity: number;
}

const entryId = (orderId: string, productId: string) => `${orderId}:${productId}`;

/** What moveLine did: `moved` from one of the `from` states, `created` in `to`, or left it `unchanged`. */
export type LineMove = 'moved' | 'created' | 'unchanged';

/**
 * Moves the line to `to` if it is in one of the `from` states; a missing entry is created
 * directly in `to` (an end event that overtook its order.created); an entry in any other state
 * is left as is (already there, or at an end it must not leave). A concurrent writer of the same
 * line makes a step miss, so it looks again.
 */
async function moveLine(Ledger: UnitLedgerModel, orderId: string, line: OrderLine, to: UnitState, from: UnitState[]): Promise<LineMove> {
  const _id = entryId(orderId, line.productId);
  for (let attempt = 1; attempt <= 5; attempt++) {
    if (from.length && (await Ledger.updateOne({ _id, state: { $in: from } }, { $set: { state: to } })).matchedCount === 1) return 'moved';
    // Nothing to move from (order.created): the entry is new on every first delivery, so the insert
    // comes first and its duplicate key is the look-up (one round trip instead of read + insert).
    const existing = from.length ? await Ledger.findById(_id, { state: 1 }).lean() : null;
    if (existing) {
      if (!from.includes(existing.state)) return 'unchanged';
      continue; // it became movable after our update looked
    }
    try {
      await Ledger.create({ _id, orderId, productId: line.productId, quantity: line.quantity, state: to });
      return 'created';
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
      if (!from.length) return 'unchanged'; // any state it is in stays: a repeat, or its end overtook it
    }
  }
  throw new Error(`ledger entry ${_id} kept changing; retry later`);
}

/** order.created: the lines' units are held (unless the order already ended). */
export async function recordHeld(Ledger: UnitLedgerModel, orderId: string, lines: OrderLine[]): Promise<void> {
  for (const line of lines) await moveLine(Ledger, orderId, line, 'held', []);
}

/** order.cancelled: held units go back on sale. */
export async function recordReleased(Ledger: UnitLedgerModel, orderId: string, lines: OrderLine[]): Promise<void> {
  for (const line of lines) await moveLine(Ledger, orderId, line, 'released', ['held']);
}

/**
 * order.completed: held units are sold. Returns the products whose units taken may have changed:
 * held → sold moved by this call leaves held + sold as it was (no stock can flip), so only lines
 * created directly as sold (the completion overtook its order.created) or found already ended
 * (a repeat whose first delivery may have died before its recompute) need a stock recompute.
 */
export async function recordSold(Ledger: UnitLedgerModel, orderId: string, lines: OrderLine[]): Promise<string[]> {
  const moved: string[] = [];
  for (const line of lines) if ((await moveLine(Ledger, orderId, line, 'sold', ['held'])) !== 'moved') moved.push(line.productId);
  return moved;
}

/**
 * What a restock did: `restocked` (some line's units went back on sale now), `already-restocked`
 * (every line was, by an earlier delivery of the same source), or `not-sold-yet` (a line's sale is
 * not recorded yet: its order.completed comes through another consumer and may not have been
 * handled; try again later).
 */
export type RestockOutcome = 'restocked' | 'already-restocked' | 'not-sold-yet';

const restockId = (orderId: string, productId: string, sourceId: string) => `${entryId(orderId, productId)}:restock:${sourceId}`;

/**
 * Units of one sold line back on sale from every other source. Its own entry is left out: a
 * concurrent delivery of the same source may have written it in the meantime, and counting it
 * would refuse the repeat of a restock that is within the limit.
 */
async function restockedByOthers(Ledger: UnitLedgerModel, orderId: string, productId: string, ownId: string): Promise<number> {
  const entries = await Ledger.find({ _id: { $ne: ownId }, orderId, productId, state: 'restocked' }, { quantity: 1 }).lean();
  return entries.reduce((sum, e) => sum + e.quantity, 0);
}

/**
 * Units that came back from `sourceId` (a cancelled shipment's id, a received return's id) go back
 * on sale, once per line and source. Only onto a sale: before the line's `sold` entry exists there
 * is nothing to undo yet (`not-sold-yet`; lines already restocked stay so and count as done on the
 * next try). More units back than the line sold is a contradiction upstream (orders counts what
 * may still be returned): it throws, so the event dead-letters where someone sees it, rather than
 * putting units on sale that were never taken.
 */
export async function recordRestocked(
  Ledger: UnitLedgerModel,
  orderId: string,
  sourceId: string,
  lines: OrderLine[],
): Promise<RestockOutcome> {
  let restockedNow = false;
  for (const line of lines) {
    const sale = await Ledger.findById(entryId(orderId, line.productId), { state: 1, quantity: 1 }).lean();
    if (!sale || sale.state === 'held') return 'not-sold-yet';
    if (sale.state !== 'sold') {
      throw new Error(`cannot restock ${line.productId} of order ${orderId} from ${sourceId}: the line was ${sale.state}, never sold`);
    }
    const _id = restockId(orderId, line.productId, sourceId);
    if (await Ledger.exists({ _id })) continue;
    const overLimit = (already: number) =>
      new Error(
        `cannot restock ${line.quantity} of ${line.productId} of order ${orderId} from ${sourceId}: ` +
          `${already} of the ${sale.quantity} sold are back on sale already`,
      );
    const before = await restockedByOthers(Ledger, orderId, line.productId, _id);
    if (before + line.quantity > sale.quantity) throw overLimit(before);
    try {
      await Ledger.create({ _id, orderId, productId: line.productId, quantity: line.quantity, state: 'restocked', sourceId });
    } catch (err) {
      if (isDuplicateKey(err)) continue;
      throw err;
    }
    // Two different sources of one line checked the limit at once: whoever finds the sum over it
    // takes its own entry back and fails (retried, then dead-lettered), so the limit holds.
    const after = await restockedByOthers(Ledger, orderId, line.productId, _id);
    if (after + line.quantity > sale.quantity) {
      await Ledger.deleteOne({ _id });
      throw overLimit(after);
    }
    restockedNow = true;
  }
  return restockedNow ? 'restocked' : 'already-restocked';
}

/** Units held by live orders plus units sold, less units restocked, per product id (0 when absent). */
export async function unitsTaken(Ledger: UnitLedgerModel, productIds: string[]): Promise<Map<string, number>> {
  // One aggregate per product, each matching its product by equality: FerretDB pushes that down
  // (on PostgreSQL to the ledger's productId index) but never `$in`, which read the whole ledger
  // for every page of products (2.3 s at 25,000 entries: docs/BENCHMARKS.md, bench/product-reads.js).
  const unique = [...new Set(productIds)];
  const sums = await readEach(unique, (productId) =>
    Ledger.aggregate<{ _id: UnitState; units: number }>([
      { $match: { productId, state: { $in: ['held', 'sold', 'restocked'] } } },
      { $group: { _id: '$state', units: { $sum: '$quantity' } } },
    ]),
  );
  const units = new Map(productIds.map((id) => [id, 0]));
  unique.forEach((id, i) => {
    for (const r of sums[i]) units.set(id, units.get(id)! + (r._id === 'restocked' ? -r.units : r.units));
  });
  return units;
}

export function unitLedgerModelOn(conn: Connection): UnitLedgerModel {
  return modelOn<UnitLedgerModel>(conn, 'UnitLedger', unitLedgerSchema);
}
