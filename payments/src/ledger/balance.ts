import { partIdOf, type PaymentsModels } from '../models';

export interface Balance {
  pendingMinor: number;
  availableMinor: number;
  paidOutMinor: number;
}

/**
 * A seller's balance, from the books: an entry of a part (order, seller) counts as available once
 * the part is released, pending before; payouts reserved are subtracted from available. A refund
 * posted after its part was released debits available, which may then be negative (the seller
 * owes it; later releases make it up, and no payout happens until they do).
 */
export async function balanceOf(
  models: Pick<PaymentsModels, 'LedgerEntry' | 'Release' | 'SellerAccount'>,
  sellerId: string,
): Promise<Balance> {
  const [entries, releases, account] = await Promise.all([
    models.LedgerEntry.find({ sellerId, kind: { $in: ['sale', 'refund'] } }, { orderId: 1, netMinor: 1 }).lean(),
    models.Release.find({ sellerId }, { _id: 1 }).lean(),
    models.SellerAccount.findById(sellerId, { paidOutMinor: 1 }).lean(),
  ]);
  const released = new Set(releases.map((r) => r._id));
  let pendingMinor = 0;
  let releasedMinor = 0;
  for (const e of entries) {
    if (released.has(partIdOf(e.orderId!, sellerId))) releasedMinor += e.netMinor;
    else pendingMinor += e.netMinor;
  }
  const paidOutMinor = account?.paidOutMinor ?? 0;
  return { pendingMinor, availableMinor: releasedMinor - paidOutMinor, paidOutMinor };
}
