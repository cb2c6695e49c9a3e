import { Schema, type Connection, type HydratedDocument, type Model } from 'mongoose';
import { isDuplicateKey, modelOn } from '@jetmart/common';

/** A payout reserved on the account and not yet settled (sent or refused). */
export interface OpenPayout {
  id: string;
  amountMinor: number;
  /** The connected account it goes to (fixed at reservation: a later account change does not redirect it). */
  destination: string;
  /** The seller's available balance when it was reserved (the payout is all of it). */
  availableMinor: number;
  createdAt: Date;
}

/**
 * A seller's payout account (`_id` = the seller's user id). `paidOutMinor` is the sum of every
 * payout reserved and not refused; it only changes together with `openPayout`, in one conditional
 * update (`reservePayout`), which is what makes a payout never exceed the available balance and
 * never happen twice.
 */
export interface SellerAccountAttrs {
  _id: string;
  stripeAccountId?: string;
  paidOutMinor: number;
  openPayout?: OpenPayout;
  /**
   * Set once when the seller's user account is deleted (user.deleted). The marketplace still owes
   * the balance: the ClosedAccountPayer pays it to `stripeAccountId` as it becomes available; with
   * no connected account it stays on the books as unclaimed (GET /api/payments/unclaimed-balances).
   */
  closedAt?: Date;
  /**
   * On a closed account: when the processor refused a payout to its connected account (e.g. the
   * Stripe account is gone). The seller can no longer fix the destination, so automatic payouts
   * stop (one failed payout, not one a minute) and the balance is listed as unclaimed.
   */
  payoutsRefusedAt?: Date;
  updatedAt: Date;
}

export type SellerAccountModel = Model<SellerAccountAttrs>;
export type SellerAccountDoc = HydratedDocument<SellerAccountAttrs>;

const openPayoutSchema = new Schema<OpenPayout>(
  {
    id: { type: String, required: true },
    amountMinor: { type: Number, required: true, min: 1 },
    destination: { type: String, required: true },
    availableMinor: { type: Number, required: true },
    createdAt: { type: Date, required: true },
  },
  { _id: false },
);

const sellerAccountSchema = new Schema<SellerAccountAttrs, SellerAccountModel>(
  {
    _id: { type: String, required: true },
    stripeAccountId: { type: String },
    paidOutMinor: { type: Number, required: true, default: 0, min: 0 },
    openPayout: { type: openPayoutSchema, required: false },
    closedAt: { type: Date, required: false },
    payoutsRefusedAt: { type: Date, required: false },
  },
  { timestamps: { createdAt: false, updatedAt: true }, versionKey: false, collection: 'selleraccounts' },
);
sellerAccountSchema.index({ 'openPayout.createdAt': 1 }, { sparse: true });
sellerAccountSchema.index({ closedAt: 1 }, { sparse: true });

/**
 * Reserves `open` on the account: adds its amount to `paidOutMinor` and records it as the open
 * payout, only if no payout is open and `paidOutMinor` is still what the caller computed the
 * available balance against. One conditional update (serialised by the document lock on FerretDB):
 * of any number of concurrent requests, one reserves and the others find the account changed.
 */
export async function reservePayout(
  SellerAccount: SellerAccountModel,
  sellerId: string,
  paidOutBefore: number,
  open: OpenPayout,
): Promise<boolean> {
  const res = await SellerAccount.updateOne(
    { _id: sellerId, paidOutMinor: paidOutBefore, openPayout: { $exists: false } },
    { $inc: { paidOutMinor: open.amountMinor }, $set: { openPayout: open } },
  );
  return res.modifiedCount === 1;
}

/** Closes the open payout `payoutId`; `refused` gives its amount back to the available balance. */
export async function closePayout(SellerAccount: SellerAccountModel, sellerId: string, open: OpenPayout, refused: boolean): Promise<void> {
  await SellerAccount.updateOne(
    { _id: sellerId, 'openPayout.id': open.id },
    { $unset: { openPayout: 1 }, ...(refused ? { $inc: { paidOutMinor: -open.amountMinor } } : {}) },
  );
}

/** Sets where the seller's payouts go (an open payout keeps the destination it was reserved with). */
export async function setPayoutAccount(SellerAccount: SellerAccountModel, sellerId: string, stripeAccountId: string): Promise<void> {
  try {
    await SellerAccount.updateOne({ _id: sellerId }, { $set: { stripeAccountId }, $setOnInsert: { paidOutMinor: 0 } }, { upsert: true });
  } catch (err) {
    // Two first PUTs racing: the loser's insert hits the key; the account exists now, so update it.
    if (!isDuplicateKey(err)) throw err;
    await SellerAccount.updateOne({ _id: sellerId }, { $set: { stripeAccountId } });
  }
}

export type CloseOutcome = 'closed' | 'already-closed' | 'no-account';

/**
 * Marks the seller's account closed at `at`, once. `createIfMissing` (the seller has books but never
 * set a payout account) records a closed account without a connected account, so the balance shows
 * as unclaimed; a user who never sold gets no account.
 */
export async function closeSellerAccount(
  SellerAccount: SellerAccountModel,
  sellerId: string,
  at: Date,
  createIfMissing: boolean,
): Promise<CloseOutcome> {
  const res = await SellerAccount.updateOne({ _id: sellerId, closedAt: { $exists: false } }, { $set: { closedAt: at } });
  if (res.modifiedCount === 1) return 'closed';
  if (await SellerAccount.exists({ _id: sellerId })) return 'already-closed';
  if (!createIfMissing) return 'no-account';
  try {
    await SellerAccount.create({ _id: sellerId, paidOutMinor: 0, closedAt: at });
    return 'closed';
  } catch (err) {
    // A concurrent delivery (or a PUT of the account) inserted it first: close that one.
    if (!isDuplicateKey(err)) throw err;
    return (await SellerAccount.updateOne({ _id: sellerId, closedAt: { $exists: false } }, { $set: { closedAt: at } })).modifiedCount === 1
      ? 'closed'
      : 'already-closed';
  }
}

/** Stops automatic payouts to a closed account whose destination the processor refused (see `payoutsRefusedAt`). */
export async function markPayoutsRefused(SellerAccount: SellerAccountModel, sellerId: string, at: Date): Promise<void> {
  await SellerAccount.updateOne(
    { _id: sellerId, closedAt: { $exists: true }, payoutsRefusedAt: { $exists: false } },
    { $set: { payoutsRefusedAt: at } },
  );
}

export function sellerAccountModelOn(conn: Connection): SellerAccountModel {
  return modelOn<SellerAccountModel>(conn, 'SellerAccount', sellerAccountSchema);
}
