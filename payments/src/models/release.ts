import { Schema, type Connection, type Model } from 'mongoose';
import { isDuplicateKey, modelOn } from '@jetmart/common';

export type ReleaseReason = 'return-window-closed' | 'shipment-cancelled';

/**
 * A seller's part of an order (its shipment: one per order and seller) whose money is no longer
 * pending: its return window closed, or it was cancelled before shipping (and refunded). Inserted
 * once (`_id` = `<orderId>:<sellerId>`), never changed. Kept apart from the entries so a refund
 * posted after the release needs no update of anything: an entry is available when its part has
 * a release, whenever either was written.
 */
export interface ReleaseAttrs {
  _id: string;
  orderId: string;
  sellerId: string;
  reason: ReleaseReason;
  releasedAt: Date;
}

export type ReleaseModel = Model<ReleaseAttrs>;

const releaseSchema = new Schema<ReleaseAttrs, ReleaseModel>(
  {
    _id: { type: String, required: true },
    orderId: { type: String, required: true },
    sellerId: { type: String, required: true },
    reason: { type: String, required: true, enum: ['return-window-closed', 'shipment-cancelled'] },
    releasedAt: { type: Date, required: true },
  },
  { versionKey: false, collection: 'releases' },
);
releaseSchema.index({ sellerId: 1 });

export const partIdOf = (orderId: string, sellerId: string): string => `${orderId}:${sellerId}`;

/** Releases a seller's part of an order; false when it was released before (the first release stands). */
export async function releasePart(
  Release: ReleaseModel,
  part: { orderId: string; sellerId: string; reason: ReleaseReason },
  at: Date = new Date(),
): Promise<boolean> {
  try {
    await Release.create({ _id: partIdOf(part.orderId, part.sellerId), ...part, releasedAt: at });
    return true;
  } catch (err) {
    if (isDuplicateKey(err)) return false;
    throw err;
  }
}

export function releaseModelOn(conn: Connection): ReleaseModel {
  return modelOn<ReleaseModel>(conn, 'Release', releaseSchema);
}
