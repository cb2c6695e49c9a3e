import { Schema, type Connection, type HydratedDocument, type Model } from 'mongoose';
import { isDuplicateKey, modelOn } from '@jetmart/common';

export type LedgerEntryKind = 'sale' | 'refund' | 'payout';

/**
 * One line of a seller's books, append-only: written once by an insert and never changed. `_id` is
 * the entry's stable key (`sale-<paymentId>-<line>`, `refund-<refundId>-<line>`, `payout-<payoutId>`),
 * so posting the same fact again (a redelivered event, a repeat after a crash) fails on the key and
 * changes nothing. Amounts are signed minor units: a sale credits (positive), a refund debits
 * (negative), a payout debits its net; `grossMinor = netMinor + commissionMinor` on every entry.
 */
export interface LedgerEntryAttrs {
  _id: string;
  sellerId: string;
  kind: LedgerEntryKind;
  /** The order of a sale or refund (none for a payout). */
  orderId?: string;
  productId?: string;
  quantity?: number;
  /** The payment (sale), refund (refund) or payout (payout) the entry comes from. */
  sourceId: string;
  grossMinor: number;
  commissionMinor: number;
  netMinor: number;
  /** PLATFORM_COMMISSION_PERCENT when the sale was posted (a refund repeats its sale's). */
  commissionPercent: number;
  createdAt: Date;
}

export type LedgerEntryModel = Model<LedgerEntryAttrs>;
export type LedgerEntryDoc = HydratedDocument<LedgerEntryAttrs>;

const ledgerEntrySchema = new Schema<LedgerEntryAttrs, LedgerEntryModel>(
  {
    _id: { type: String, required: true },
    sellerId: { type: String, required: true },
    kind: { type: String, required: true, enum: ['sale', 'refund', 'payout'] },
    orderId: { type: String },
    productId: { type: String },
    quantity: { type: Number, min: 1 },
    sourceId: { type: String, required: true },
    grossMinor: { type: Number, required: true },
    commissionMinor: { type: Number, required: true },
    netMinor: { type: Number, required: true },
    commissionPercent: { type: Number, required: true, min: 0, max: 100 },
  },
  { timestamps: { createdAt: true, updatedAt: false }, versionKey: false, collection: 'ledgerentries' },
);
// A seller's ledger, newest first (the page cursor is (createdAt, _id)).
ledgerEntrySchema.index({ sellerId: 1, createdAt: -1, _id: -1 });
// An order's entries (refunds find their sales; the invariant checker sums them).
ledgerEntrySchema.index({ orderId: 1, kind: 1 });
// The platform's commission per day.
ledgerEntrySchema.index({ createdAt: 1 });

/** Inserts the entry; false when an entry with its key exists already (posted before). */
export async function appendEntry(LedgerEntry: LedgerEntryModel, attrs: Omit<LedgerEntryAttrs, 'createdAt'>): Promise<boolean> {
  try {
    await LedgerEntry.create(attrs);
    return true;
  } catch (err) {
    if (isDuplicateKey(err)) return false;
    throw err;
  }
}

export function ledgerEntryModelOn(conn: Connection): LedgerEntryModel {
  return modelOn<LedgerEntryModel>(conn, 'LedgerEntry', ledgerEntrySchema);
}
