import { appendEntry, type PaymentsModels } from '../models';
import { saleSplit } from './commission';

export type PostSaleOutcome =
  /** Every line of the order is on its seller's books (`posted` of them by this call). */
  | { kind: 'posted'; posted: number }
  /** No charge to credit: the payment is unknown here, or it never charged. */
  | { kind: 'not-charged' }
  /** The order replica predates the ledger (no lines) or has lines without a seller: nothing can be credited. */
  | { kind: 'no-lines'; orderId: string };

/** A sale entry's key: the payment and the line's position in the order. */
export const saleEntryId = (paymentId: string, line: number): string => `sale-${paymentId}-${line}`;

/**
 * Credits each seller of a charged order with its lines: `price × quantity − commission`
 * (commission at `commissionPercent`, recorded on the entry). Called for `payment.created`; a
 * payment charges once, so (payment, line) is the entry's key and a repeat posts nothing new. A
 * charge later refunded in full (order cancelled after the charge) is credited too: its refund's
 * debits cancel it, and the books show both.
 */
export async function postSale(deps: { models: PaymentsModels; commissionPercent: number }, paymentId: string): Promise<PostSaleOutcome> {
  const { Payment, Order, LedgerEntry } = deps.models;
  const payment = await Payment.findById(paymentId).lean();
  if (!payment || !payment.chargeId || (payment.status !== 'succeeded' && payment.status !== 'refunded')) return { kind: 'not-charged' };
  // The lines the payment copied when it claimed the order; the order's for a payment written before.
  const lines = payment.lines?.length ? payment.lines : ((await Order.findById(payment.orderId).lean())?.items ?? []);
  if (!lines.length || lines.some((l) => !l.sellerId)) return { kind: 'no-lines', orderId: payment.orderId };
  let posted = 0;
  for (const [i, line] of lines.entries()) {
    const split = saleSplit(line.priceMinor, line.quantity, deps.commissionPercent);
    const added = await appendEntry(LedgerEntry, {
      _id: saleEntryId(String(payment._id), i),
      sellerId: line.sellerId!,
      kind: 'sale',
      orderId: payment.orderId,
      productId: line.productId,
      quantity: line.quantity,
      sourceId: String(payment._id),
      ...split,
      commissionPercent: deps.commissionPercent,
    });
    if (added) posted++;
  }
  return { kind: 'posted', posted };
}
