import { balanceOf, type Balance } from '../ledger/balance';
import { closeSellerAccount, type CloseOutcome, type PaymentsModels } from '../models';

/**
 * A deleted user's money (docs/SPEC.md "A deleted seller's balance"): the marketplace still owes it,
 * so the account is only marked closed. It keeps the seller id and the connected account id (a
 * Stripe reference, not the email, name or address invariant 13 forbids keeping); the ledger
 * entries it is computed from hold ids and amounts only.
 */
export async function closeDeletedSeller(
  models: Pick<PaymentsModels, 'SellerAccount' | 'LedgerEntry'>,
  sellerId: string,
  at = new Date(),
): Promise<CloseOutcome> {
  const hasBooks = (await models.LedgerEntry.exists({ sellerId })) !== null;
  return closeSellerAccount(models.SellerAccount, sellerId, at, hasBooks);
}

export interface UnclaimedBalance extends Balance {
  sellerId: string;
  closedAt: Date;
}

/** How many closed accounts the admin list shows (newest closed first). */
export const UNCLAIMED_LIST_LIMIT = 200;

/**
 * Closed accounts that cannot be paid (no connected account, or the processor refused their last
 * automatic payout) with money still on their books (available or pending, either sign: a negative
 * one is owed to the platform).
 */
export async function unclaimedBalances(
  models: Pick<PaymentsModels, 'SellerAccount' | 'LedgerEntry' | 'Release'>,
): Promise<UnclaimedBalance[]> {
  const accounts = await models.SellerAccount.find(
    { closedAt: { $exists: true }, $or: [{ stripeAccountId: { $exists: false } }, { payoutsRefusedAt: { $exists: true } }] },
    { closedAt: 1 },
  )
    .sort({ closedAt: -1, _id: 1 })
    .limit(UNCLAIMED_LIST_LIMIT)
    .lean();
  const out: UnclaimedBalance[] = [];
  for (const a of accounts) {
    const balance = await balanceOf(models, a._id);
    if (balance.availableMinor !== 0 || balance.pendingMinor !== 0) out.push({ sellerId: a._id, closedAt: a.closedAt!, ...balance });
  }
  return out;
}
