import { isDuplicateKey } from '@jetmart/common';
import type { RefundReason } from '@jetmart/common/contracts';
import { GatewayUnavailableError, type PaymentGateway } from '../gateway/payment-gateway';
import { paymentRefunds } from '../metrics';
import {
  newRefund,
  refundIdempotencyKey,
  refundIdOf,
  reserveRefund,
  type PaymentsModels,
  type RefundDoc,
  type RefundLine,
} from '../models';

export interface RefundPaymentInput {
  orderId: string;
  reason: RefundReason;
  /** The order (order-cancelled), shipment (shipment-cancelled) or return (return) refunded. */
  sourceId: string;
  amountMinor: number;
  items: RefundLine[];
}

/** How a refund ended; listeners ack the first three, wait on `no-charge-yet` and retry the rest. */
export type RefundPaymentOutcome =
  | { kind: 'refunded'; refund: RefundDoc }
  /** Recorded before (a redelivery, or a concurrent caller finished first): nothing moved now. */
  | { kind: 'already-refunded'; refund: RefundDoc }
  /** A zero amount: there is no money to give back. */
  | { kind: 'nothing-to-refund' }
  /** The order has no charge (yet): no payment, or one pending or failed. */
  | { kind: 'no-charge-yet' }
  /** The charge has no room left for this amount (other refunds took it); nothing was reserved. */
  | { kind: 'would-exceed-charge'; message: string }
  /** The processor did not answer: the refund stays reserved and a repeat completes it with the same key. */
  | { kind: 'processor-unavailable'; message: string };

/**
 * Gives `amountMinor` of an order's charge back for one source, exactly once. Each step is safe to
 * repeat after a crash anywhere, because each is keyed by the refund id `<reason>-<sourceId>`:
 *   1. reserve — one conditional update on the payment adds the id to `refundKeys` and the amount
 *                to `refundedMinor`, only if the id is absent and the charge still covers it (the
 *                only place that decides; a repeat finds the id there and goes on);
 *   2. refund  — the processor call, with idempotency key `jetmart-refund-<id>`: a repeat (after a
 *                crash between the processor's answer and step 3) returns the first refund;
 *   3. record  — insert the Refund document (`_id` = the id) with `payment.refunded` in its outbox;
 *                a duplicate key means another caller recorded it.
 */
export async function refundPayment(
  deps: { models: PaymentsModels; gateway: PaymentGateway },
  input: RefundPaymentInput,
): Promise<RefundPaymentOutcome> {
  const { Payment, Refund } = deps.models;
  const refundId = refundIdOf(input.reason, input.sourceId);
  const recorded = await Refund.findById(refundId);
  if (recorded) return { kind: 'already-refunded', refund: recorded };
  if (input.amountMinor <= 0) return { kind: 'nothing-to-refund' };

  const payment = await Payment.findOne({ orderId: input.orderId });
  if (!payment || payment.status === 'pending' || payment.status === 'failed' || !payment.chargeId) return { kind: 'no-charge-yet' };

  const reservation = await reserveRefund(Payment, payment, refundId, input.amountMinor, {
    wholeOrder: input.reason === 'order-cancelled',
  });
  if (reservation === 'would-exceed-charge') {
    return {
      kind: 'would-exceed-charge',
      message: `refund ${refundId} of ${input.amountMinor} exceeds what is left of payment ${payment.id} (${payment.amountMinor} charged)`,
    };
  }

  let processorRefundId: string;
  try {
    ({ refundId: processorRefundId } = await deps.gateway.refund({
      chargeId: payment.chargeId,
      amountMinor: input.amountMinor,
      idempotencyKey: refundIdempotencyKey(refundId),
    }));
  } catch (err) {
    if (err instanceof GatewayUnavailableError) return { kind: 'processor-unavailable', message: err.message };
    throw err;
  }

  const refund = newRefund(Refund, {
    _id: refundId,
    paymentId: payment.id as string,
    orderId: payment.orderId,
    userId: payment.userId,
    reason: input.reason,
    sourceId: input.sourceId,
    amountMinor: input.amountMinor,
    items: input.items,
    processorRefundId,
  });
  try {
    await refund.save();
  } catch (err) {
    if (!isDuplicateKey(err)) throw err;
    const first = await Refund.findById(refundId);
    if (!first) throw err;
    return { kind: 'already-refunded', refund: first };
  }
  paymentRefunds.inc({ reason: input.reason });
  return { kind: 'refunded', refund };
}
