import type { OrderPaymentStatus } from '@jetmart/common/contracts';
import type { OrderStatus } from '../models';

/**
 * Where an order's money is, from its status and the sum of its refunds (minor units); never
 * stored. A cancelled order with refunds was charged and paid back in full (the race with
 * expiry), so it reads `refunded`; without, it was never charged. A paid order is `refunded` once
 * its refunds add up to its total, `partially_refunded` before that.
 */
export function derivePayment(order: { status: OrderStatus; totalMinor: number }, refundedMinor: number): OrderPaymentStatus {
  if (order.status === 'cancelled') return refundedMinor > 0 ? 'refunded' : 'unpaid';
  if (order.status !== 'complete') return 'unpaid';
  if (refundedMinor >= order.totalMinor && refundedMinor > 0) return 'refunded';
  if (refundedMinor > 0) return 'partially_refunded';
  return 'paid';
}
