import { Schema, type Connection, type Model } from 'mongoose';
import { isDuplicateKey, modelOn } from '@jetmart/common';

/**
 * What this service knows about the units each order line takes: one document per
 * (order, product), moved `held` → `released` | `sold` by order events.
 *
 * Why a ledger and not counters on the product: order.created, order.cancelled and
 * order.completed arrive through separate durable consumers, so a cancel can be handled
 * before the create it undoes. Each entry is written by one idempotent single-document
 * upsert that never goes back from an end state, so any delivery order and any number of
 * duplicates give the same result; held/sold are sums over the ledger.
 */
export type UnitState = 'held' | 'released' | 'sold';

export interface UnitLedgerEntry {
  _id: string;
  orderId: string;
  productId: string;
  quantity: number;
  state: UnitState;
}

export type UnitLedgerModel = Model<UnitLedgerEntry>;

const unitLedgerSchema = new Schema<UnitLedgerEntry>(
  {
    _id: { type: String, required: true },
    orderId: { type: String, required: true },
    productId: { type: String, required: true },
    quantity: { type: Number, required: true, min: 1 },
    state: { type: String, required: true, enum: ['held', 'released', 'sold'] },
  },
  { versionKey: false, timestamps: true },
);
unitLedgerSchema.index({ productId: 1, state: 1 });

export interface OrderLine {
  productId: string;
  quantity: number;
}

const entryId = (orderId: string, productId: string) => `${orderId}:${productId}`;

/**
 * Moves the line to `to` if it is in one of the `from` states; a missing entry is created
 * directly in `to` (an end event that overtook its order.created); an entry in any other state
 * is left as is (already there, or at an end it must not leave). A concurrent writer of the same
 * line makes a step miss, so it looks again.
 */
async function moveLine(Ledger: UnitLedgerModel, orderId: string, line: OrderLine, to: UnitState, from: UnitState[]): Promise<void> {
  const _id = entryId(orderId, line.productId);
  for (let attempt = 1; attempt <= 5; attempt++) {
    if (from.length && (await Ledger.updateOne({ _id, state: { $in: from } }, { $set: { state: to } })).matchedCount === 1) return;
    const existing = await Ledger.findById(_id, { state: 1 }).lean();
    if (existing) {
      if (!from.includes(existing.state)) return;
      continue; // it became movable after our update looked
    }
    try {
      await Ledger.create({ _id, orderId, productId: line.productId, quantity: line.quantity, state: to });
      return;
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
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

/** order.completed: held units are sold. */
export async function recordSold(Ledger: UnitLedgerModel, orderId: string, lines: OrderLine[]): Promise<void> {
  for (const line of lines) await moveLine(Ledger, orderId, line, 'sold', ['held']);
}

/** Units held by live orders plus units sold, per product id (0 when absent). */
export async function unitsTaken(Ledger: UnitLedgerModel, productIds: string[]): Promise<Map<string, number>> {
  const rows = await Ledger.aggregate<{ _id: string; units: number }>([
    { $match: { productId: { $in: productIds }, state: { $in: ['held', 'sold'] } } },
    { $group: { _id: '$productId', units: { $sum: '$quantity' } } },
  ]);
  const taken = new Map(productIds.map((id) => [id, 0]));
  for (const r of rows) taken.set(r._id, r.units);
  return taken;
}

export function unitLedgerModelOn(conn: Connection): UnitLedgerModel {
  return modelOn<UnitLedgerModel>(conn, 'UnitLedger', unitLedgerSchema);
}
