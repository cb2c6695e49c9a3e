import { Schema, type Connection, type Model } from 'mongoose';

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

function isDuplicateKey(err: unknown): boolean {
  return (err as { code?: number })?.code === 11000;
}

/**
 * Sets the line's state. `from` lists the states it may move from; a missing entry is created
 * directly in `to` (an end event that overtook its order.created). A concurrent upsert of the
 * same line loses with a duplicate key and is retried once, now seeing the entry.
 */
async function moveLine(Ledger: UnitLedgerModel, orderId: string, line: OrderLine, to: UnitState, from: UnitState[]): Promise<void> {
  const _id = entryId(orderId, line.productId);
  for (let attempt = 0; ; attempt++) {
    try {
      const res = await Ledger.updateOne(
        { _id, state: { $in: from } },
        { $set: { state: to } },
      );
      if (res.matchedCount === 1) return;
      const existing = await Ledger.exists({ _id });
      if (existing) return; // already at `to` or at an end it must not leave
      await Ledger.create({ _id, orderId, productId: line.productId, quantity: line.quantity, state: to });
      return;
    } catch (err) {
      if (isDuplicateKey(err) && attempt === 0) continue;
      throw err;
    }
  }
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
  return (conn.models.UnitLedger as UnitLedgerModel) ?? conn.model<UnitLedgerEntry>('UnitLedger', unitLedgerSchema);
}
