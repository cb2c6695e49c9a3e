import { Schema, type Connection, type Model } from 'mongoose';
import { isDuplicateKey, modelOn } from '@jetmart/common';

/**
 * The ids of buyers whose accounts were deleted (user.deleted), and nothing else: no name, no
 * address. A session can outlive its account for a moment (auth revokes it just after the
 * deletion, and a crash between the two leaves it working until it expires), so an order placed
 * with it could arrive after orders forgot the buyer; this record is how placing an order learns
 * that the account is gone (SPEC invariant 13).
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
