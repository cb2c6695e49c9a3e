import { appendEntry, type LedgerEntryAttrs, type PaymentsModels, type RefundLine } from '../models';
import { refundSplit } from './commission';

export type PostRefundOutcome =
  | { kind: 'posted'; posted: number }
  /** No such refund here (nothing to post). */
  | { kind: 'unknown-refund' }
  /** The order's sale is not on the books yet (its payment.created is behind): post it first. */
  | { kind: 'sale-not-posted'; orderId: string }
  /** The order was never credited (its replica predates the ledger): nothing to debit. */
  | { kind: 'no-sale' }
  /** A refunded line matches no sold line, or more units than were sold: someone must look. */
  | { kind: 'mismatch'; message: string };

export const refundEntryId = (refundId: string, line: number): string => `refund-${refundId}-${line}`;

/**
 * Debits the sellers of a refund's lines and gives back their commission share (`refundSplit`:
 * the sale's commission × units / sold units, rounded down). A whole-order refund (a cancelled
 * order, no lines) debits every sold line in full. Keyed by (refund, line): a repeat posts nothing.
 */
export async function postRefund(deps: { models: PaymentsModels }, refundId: string): Promise<PostRefundOutcome> {
  const { Refund, LedgerEntry, Order } = deps.models;
  const refund = await Refund.findById(refundId).lean();
  if (!refund) return { kind: 'unknown-refund' };
  const sales = await LedgerEntry.find({ orderId: refund.orderId, kind: 'sale' }).sort({ _id: 1 }).lean<LedgerEntryAttrs[]>();
  if (!sales.length) {
    const order = await Order.findById(refund.orderId, { items: 1 }).lean();
    const creditable = !!order?.items?.length && order.items.every((l) => l.sellerId);
    return creditable ? { kind: 'sale-not-posted', orderId: refund.orderId } : { kind: 'no-sale' };
  }
  const lines: RefundLine[] = refund.items.length
    ? refund.items
    : sales.map((s) => ({ productId: s.productId!, quantity: s.quantity!, priceMinor: s.grossMinor / s.quantity! }));

  // Match each refunded line to the sold line of the same product (an order has one line per product).
  const planned: Array<Omit<LedgerEntryAttrs, 'createdAt'>> = [];
  for (const [i, line] of lines.entries()) {
    const sale = sales.find((s) => s.productId === line.productId);
    if (!sale || line.quantity > sale.quantity!)
      return {
        kind: 'mismatch',
        message: `refund ${refundId} line ${i} (${line.productId} × ${line.quantity}) matches no sold line of order ${refund.orderId}`,
      };
    const split = refundSplit(sale, sale.quantity!, line.priceMinor, line.quantity);
    planned.push({
      _id: refundEntryId(refundId, i),
      sellerId: sale.sellerId,
      kind: 'refund',
      orderId: refund.orderId,
      productId: line.productId,
      quantity: line.quantity,
      sourceId: refundId,
      ...split,
      commissionPercent: sale.commissionPercent,
    });
  }
  let posted = 0;
  for (const entry of planned) if (await appendEntry(LedgerEntry, entry)) posted++;
  return { kind: 'posted', posted };
}
