import { GatewayUnavailableError, type PaymentGateway } from '../gateway/payment-gateway';
import { refundIdempotencyKey, type PaymentsModels } from '../models';

/** How a cancelled order's payment was settled; the listener acks the first two and retries the others. */
export type RefundOutcome =
  | { kind: 'refunded'; refundId: string }
  /** No payment, a failed one, or one already refunded: nothing to give back. */
  | { kind: 'nothing-charged' }
  /** A charge is in flight: look again once it has settled. */
  | { kind: 'charge-in-flight' }
  | { kind: 'processor-unavailable'; message: string };

/**
 * Called once an order is known to be cancelled: a charge that went through anyway (the buyer paid
 * in the last moment and expiry won at orders) is refunded. Idempotent: a refunded or failed
 * payment is left alone, and the refund's idempotency key makes a repeat return the first refund.
 */
export async function refundIfCharged(deps: { models: PaymentsModels; gateway: PaymentGateway }, orderId: string): Promise<RefundOutcome> {
  const payment = await deps.models.Payment.findOne({ orderId });
  if (!payment || payment.status === 'failed' || payment.status === 'refunded') return { kind: 'nothing-charged' };
  if (payment.status === 'pending') return { kind: 'charge-in-flight' };
  let refundId: string;
  try {
    ({ refundId } = await deps.gateway.refund({
      chargeId: payment.chargeId!,
      amountMinor: payment.amountMinor,
      idempotencyKey: refundIdempotencyKey(orderId),
    }));
  } catch (err) {
    if (err instanceof GatewayUnavailableError) return { kind: 'processor-unavailable', message: err.message };
    throw err;
  }
  payment.markRefunded(refundId);
  await payment.save();
  return { kind: 'refunded', refundId };
}
