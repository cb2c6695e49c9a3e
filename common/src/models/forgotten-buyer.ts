import { Schema, type Connection, type Model } from 'mongoose';
import { isDuplicateKey, modelOn } from '../database';

/**
 * The ids of buyers whose accounts were deleted (user.deleted), and nothing else: no name, no
 * address. Every service that forgets a buyer keeps one, because work for that buyer can still
 * arrive after the deletion was handled, and it must learn that the person is gone (SPEC
 * invariant 13): in orders, an order placed with a session that outlived its account for a moment
 * (auth revokes it just after the deletion); in shipping, an order.completed that reaches it
 * after user.deleted (a redelivery, a backlog, a payment completing an order while the person
 * was leaving). Remember the id first, then forget the records, then check again after creating.
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
