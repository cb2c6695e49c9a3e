import { Schema, type Connection, type Model } from 'mongoose';
import { isDuplicateKey, modelOn } from '../database';

/**
 * The ids of people whose accounts were deleted (user.deleted), and nothing else: no name, no
 * address. Every service that forgets a person keeps one, because work for that person can still
 * arrive after the deletion was handled, and it must learn that they are gone (SPEC invariant 13):
 * in orders, an order placed with a session that outlived its account for a moment (auth revokes
 * it just after the deletion); in shipping, an order.completed that reaches it after user.deleted
 * (a redelivery, a backlog, a payment completing an order while the person was leaving), whether
 * they are its buyer (address anonymised) or one of its sellers (their part cancelled). Remember
 * the id first, then forget the records, then check again after creating.
 */
export interface ForgottenPersonFields {
  _id: string;
  forgottenAt: Date;
}

export type ForgottenPersonModel = Model<ForgottenPersonFields>;

const forgottenPersonSchema = new Schema<ForgottenPersonFields>(
  {
    _id: { type: String, required: true },
    forgottenAt: { type: Date, required: true },
  },
  { versionKey: false },
);

/** Records that `userId` is gone; a repeat is a no-op (an insert with a unique `_id`, atomic on FerretDB). */
export async function rememberForgottenPerson(ForgottenPerson: ForgottenPersonModel, userId: string, now = new Date()): Promise<void> {
  try {
    await ForgottenPerson.create({ _id: userId, forgottenAt: now });
  } catch (err) {
    if (!isDuplicateKey(err)) throw err;
  }
}

export async function isForgottenPerson(ForgottenPerson: ForgottenPersonModel, userId: string): Promise<boolean> {
  return (await ForgottenPerson.exists({ _id: userId })) !== null;
}

export function forgottenPersonModelOn(conn: Connection): ForgottenPersonModel {
  return modelOn<ForgottenPersonModel>(conn, 'ForgottenPerson', forgottenPersonSchema);
}
