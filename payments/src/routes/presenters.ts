import { fromMinor } from '@jetmart/common';
import type { Payment, Refund } from '@jetmart/common/contracts';
import type { PaymentDoc, RefundAttrs } from '../models';

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
