import type { PaymentGateway } from '../gateway/payment-gateway';
import { refundIdOf, type PaymentsModels } from '../models';
import { refundPayment } from './refund-payment';

/** How a cancelled order's payment was settled; the listener acks the first two and retries the others. */
export type RefundOutcome =
  | { kind: 'refunded'; refundId: string }
  /** No payment, a failed one, or one refunded before refunds were records: nothing to give back. */
  | { kind: 'nothing-charged' }
  /** A charge is in flight: look again once it has settled. */
  | { kind: 'charge-in-flight' }
  /** The charge was refunded in part already (cannot happen before the order completes): someone must look. */
  | { kind: 'would-exceed-charge'; message: string }
  | { kind: 'processor-unavailable'; message: string };

/**
 * Called once an order is known to be cancelled: a charge that went through anyway (the buyer paid
 * in the last moment and expiry won at orders) is refunded in full, as refund
 * `order-cancelled-<orderId>` through `refundPayment` (so the buyer sees it and orders gets
 * `payment.refunded`). Idempotent: every step of that refund is keyed by its id.
 */
export async function refundIfCharged(deps: { models: PaymentsModels; gateway: PaymentGateway }, orderId: string): Promise<RefundOutcome> {
  const payment = await deps.models.Payment.findOne({ orderId });
  if (!payment || payment.status === 'failed') return { kind: 'nothing-charged' };
  if (payment.status === 'pending') return { kind: 'charge-in-flight' };
  const refundId = refundIdOf('order-cancelled', orderId);
  // Refunded before this refund had a record (no key on the payment): it was given back then.
  if (payment.status === 'refunded' && !payment.refundKeys.includes(refundId)) return { kind: 'nothing-charged' };
  const outcome = await refundPayment(deps, {
    orderId,
    reason: 'order-cancelled',
    sourceId: orderId,
    amountMinor: payment.amountMinor,
    items: [],
  });
  switch (outcome.kind) {
    case 'refunded':
    case 'already-refunded':
      return { kind: 'refunded', refundId: outcome.refund.processorRefundId };
    case 'nothing-to-refund':
      return { kind: 'nothing-charged' };
    case 'no-charge-yet':
      return { kind: 'charge-in-flight' };
    case 'would-exceed-charge':
    case 'processor-unavailable':
      return outcome;
  }
}
