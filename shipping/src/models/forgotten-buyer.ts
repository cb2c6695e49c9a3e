import { Schema, type Connection, type Model } from 'mongoose';
import { isDuplicateKey, modelOn } from '@jetmart/common';

/**
 * The ids of buyers whose accounts were deleted (user.deleted), and nothing else: no name, no
 * address. An order.completed can reach shipping after user.deleted (a redelivery, a backlog, a
 * payment completing an order while the person was leaving); this record is how the shipment it
 * creates learns that its address must not be kept (SPEC invariant 13).
 */
export interface ForgottenBuyerFields {
  _id: string;
  forgottenAt: Date;
}

export type ForgottenBuyerModel = Model<ForgottenBuyerFields>;

const forgottenBuyerSchema = new Schema<ForgottenBuyerFields>(
  {
    _id: { type: String, required: true },
    forgottenAt: { type: Date, required: true },
  },
  { versionKey: false },
);

/** Records that `buyerId` is gone; a repeat is a no-op (an insert with a unique `_id`, atomic on FerretDB). */
export async function rememberForgottenBuyer(ForgottenBuyer: ForgottenBuyerModel, buyerId: string, now = new Date()): Promise<void> {
  try {
    await ForgottenBuyer.create({ _id: buyerId, forgottenAt: now });
  } catch (err) {
    if (!isDuplicateKey(err)) throw err;
  }
}

export async function isForgottenBuyer(ForgottenBuyer: ForgottenBuyerModel, buyerId: string): Promise<boolean> {
  return (await ForgottenBuyer.exists({ _id: buyerId })) !== null;
}

export function forgottenBuyerModelOn(conn: Connection): ForgottenBuyerModel {
  return modelOn<ForgottenBuyerModel>(conn, 'ForgottenBuyer', forgottenBuyerSchema);
}
