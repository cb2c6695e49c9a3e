import { fromMinor } from '@jetmart/common';
import type { CommissionDay, LedgerBalance, LedgerEntry, Payment, Payout, Refund, UnclaimedBalance } from '@jetmart/common/contracts';
import type { Balance } from '../ledger';
import type { UnclaimedBalance as UnclaimedBalanceRecord } from '../payouts';
import type { LedgerEntryAttrs, PaymentDoc, PayoutAttrs, RefundAttrs } from '../models';

export function presentRefund(r: Pick<RefundAttrs, '_id' | 'reason' | 'sourceId' | 'amountMinor' | 'createdAt'>): Refund {
  return { id: r._id, reason: r.reason, sourceId: r.sourceId, amount: fromMinor(r.amountMinor), createdAt: r.createdAt.toISOString() };
}

/**
 * A payment as the API shows it: `{id, orderId, amount, refunded, refunds}`. `refunds` are the
 * recorded refunds (oldest first) and `refunded` their sum; a refund still reserved at the
 * processor shows once it is recorded.
 */
export function presentPayment(p: PaymentDoc, refunds: RefundAttrs[] = []): Payment {
  const sorted = [...refunds].sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || a._id.localeCompare(b._id));
  return {
    id: p.id as string,
    orderId: p.orderId,
    amount: fromMinor(p.amountMinor),
    refunded: fromMinor(sorted.reduce((sum, r) => sum + r.amountMinor, 0)),
    refunds: sorted.map(presentRefund),
  };
}

/** A ledger entry as the seller sees it; `availableAt` is its part's release (null while pending). */
export function presentLedgerEntry(e: LedgerEntryAttrs, availableAt: Date | null): LedgerEntry {
  return {
    id: e._id,
    kind: e.kind,
    orderId: e.orderId ?? null,
    productId: e.productId ?? null,
    gross: fromMinor(e.grossMinor),
    commission: fromMinor(e.commissionMinor),
    net: fromMinor(e.netMinor),
    commissionPercent: e.commissionPercent,
    createdAt: e.createdAt.toISOString(),
    availableAt: availableAt ? availableAt.toISOString() : null,
  };
}

export function presentBalance(b: Balance): LedgerBalance {
  return { pending: fromMinor(b.pendingMinor), available: fromMinor(b.availableMinor), paidOut: fromMinor(b.paidOutMinor) };
}

export function presentPayout(p: Pick<PayoutAttrs, 'amountMinor' | 'status' | 'transferId' | 'createdAt'> & { id: string }): Payout {
  return {
    id: p.id,
    amount: fromMinor(p.amountMinor),
    status: p.status,
    transferId: p.transferId ?? null,
    createdAt: p.createdAt.toISOString(),
  };
}

export function fromMinorDays(days: Array<{ date: string; commissionMinor: number }>): CommissionDay[] {
  return days.map((d) => ({ date: d.date, commission: fromMinor(d.commissionMinor) }));
}

export function presentUnclaimedBalance(u: UnclaimedBalanceRecord): UnclaimedBalance {
  return {
    sellerId: u.sellerId,
    available: fromMinor(u.availableMinor),
    pending: fromMinor(u.pendingMinor),
    closedAt: u.closedAt.toISOString(),
  };
}
