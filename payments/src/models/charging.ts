import mongoose from 'mongoose';
import {
  BadRequestError,
  ConflictError,
  NotFoundError,
  PaymentDeclinedError,
  RetryLater,
  ServiceUnavailableError,
  type CustomError,
} from '@jetmart/common';
import { GatewayUnavailableError, type PaymentGateway } from '../gateway/payment-gateway';
import { paymentCharges } from '../metrics';
import { Order, orderReplicated, reasonOrderCannotBePaid, type OrderDoc } from './order';
import { answerForExistingPayment, Payment, refundIdempotencyKey, type PaymentDoc } from './payment';

/**
 * How one charge per order holds without transactions, across crashes and replicas:
 *   1. claim   — the payment document is inserted (or a failed one moved to a new attempt) in
 *                state `pending`; the unique `orderId` index lets exactly one request win.
 *   2. recheck — the order is read again after the claim. The cancel listener writes the order
 *                first and looks for payments second, this request does the opposite, so at least
 *                one of them sees the other: either we see the cancellation and charge nothing, or
 *                the listener sees our pending payment and waits for it (then refunds).
 *   3. charge  — with an idempotency key derived from the order id and attempt number, so any
 *                repeat of this attempt (SDK retry, the sweeper after a crash) returns this charge.
 *   4. settle  — status and the `payment.created` event in one single-document save (outbox).
 */
export interface ChargingDeps {
  gateway: PaymentGateway;
  currency: string;
  /** Publish outbox events now instead of at the next poll. */
  kick?: () => void;
  now?: () => Date;
  /**
   * A buyer pays right after ordering, and order.created reaches this replica a moment later
   * (eventual consistency): wait this long for an order we do not know yet before answering 404.
   */
  orderReplicaWaitMs?: number;
}

export interface PayOrderInput {
  orderId: string;
  userId: string;
  token: string;
  clientKey?: string;
}

const isDuplicateKey = (err: unknown) => (err as { code?: number })?.code === 11000;
const MAX_CLAIM_ROUNDS = 5;

/**
 * How often a waiting payment looks for its order again. The replica's insert in this process
 * wakes it at once; the look-ups are for a replica written by another replica of payments.
 * (At 50 ms, 16 waiting requests were 320 reads/s on a database that was already the bottleneck.)
 */
const ORDER_RECHECK_MS = 250;

/** The order replica, waiting up to `waitMs` for one that may not have been replicated yet. */
async function findOrderSoon(orderId: string, waitMs: number): Promise<OrderDoc | null> {
  const until = Date.now() + waitMs;
  // Only ids that could be an order are worth waiting for (ids are ObjectIds; anything else is unknown).
  const waitable = waitMs > 0 && mongoose.isObjectIdOrHexString(orderId);
  for (;;) {
    // Listen before reading, so an insert between the read and the wait is not missed.
    const wait = waitable ? orderReplicated(orderId, Math.min(ORDER_RECHECK_MS, until - Date.now())) : undefined;
    const order = await Order.findById(orderId);
    if (order || !wait || Date.now() >= until) {
      wait?.cancel();
      return order;
    }
    await wait.arrived;
  }
}

/** Pays an order for its buyer; returns the payment to answer 201 with, or throws the HTTP error. */
export async function payOrder(input: PayOrderInput, deps: ChargingDeps): Promise<PaymentDoc> {
  const now = deps.now ?? (() => new Date());
  const order = await findOrderSoon(input.orderId, deps.orderReplicaWaitMs ?? 0);
  // Another buyer's order is reported exactly like an unknown one: ids reveal nothing.
  if (!order || order.userId !== input.userId) throw new NotFoundError('Order not found');

  const payment = await claimOrder(order, input, deps.currency, now);
  if (payment.status !== 'pending') return payment; // the same client key again: the first answer

  const current = await Order.findById(input.orderId);
  const lateReason = current ? reasonOrderCannotBePaid(current, now()) : 'Order not found';
  if (lateReason) {
    payment.abandon(lateReason);
    await payment.save();
    throw new ConflictError(lateReason);
  }

  let settled: PaymentDoc;
  try {
    settled = await chargePendingPayment(payment, deps);
  } catch (err) {
    if (err instanceof GatewayUnavailableError) {
      // Unknown whether money moved: the attempt stays pending and the sweeper repeats it with the
      // same idempotency key, which completes it exactly once either way.
      throw new ServiceUnavailableError('The payment provider did not answer; the payment is being processed, check the order shortly');
    }
    throw err;
  }
  const error = errorForSettledPayment(settled);
  if (error) throw error;
  return settled;
}

/** Takes the order for a new attempt, or returns the payment to replay; throws 409 when it cannot. */
async function claimOrder(order: OrderDoc, input: PayOrderInput, currency: string, now: () => Date): Promise<PaymentDoc> {
  const fields = () => ({
    orderId: order.id,
    userId: input.userId,
    amountMinor: order.totalMinor,
    currency,
    status: 'pending' as const,
    attempt: 1,
    token: input.token,
    clientKey: input.clientKey,
  });
  // The usual case, the first payment of a payable order: insert at once and let the unique
  // orderId index say whether a payment exists. Looking first (`findOne({orderId})`) reads the
  // whole collection on FerretDB. A duplicate falls through to the look-up below.
  if (!reasonOrderCannotBePaid(order, now())) {
    try {
      return await Payment.create(fields());
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
    }
  }
  for (let round = 0; round < MAX_CLAIM_ROUNDS; round++) {
    const existing = await Payment.findOne({ orderId: order.id });
    if (existing) {
      const answer = answerForExistingPayment(existing, input.clientKey);
      if (answer.kind === 'replay') return existing;
      if (answer.kind === 'conflict') throw new ConflictError(answer.message);
    }
    const reason = reasonOrderCannotBePaid(order, now());
    if (reason) throw new ConflictError(reason);
    try {
      if (existing) {
        existing.retryWith(input.token, input.userId, input.clientKey);
        return await existing.save();
      }
      return await Payment.create(fields());
    } catch (err) {
      // Another request claimed the order between our read and write: answer from its record.
      if (isDuplicateKey(err) || err instanceof mongoose.Error.VersionError) continue;
      throw err;
    }
  }
  throw new ConflictError('A payment for this order is already being processed');
}

/**
 * Charges the pending attempt (again, if it was tried before: same idempotency key) and records
 * the result. If another request or replica settled it meanwhile, returns that record instead.
 * Throws GatewayUnavailableError when the processor did not answer (the payment stays pending).
 */
export async function chargePendingPayment(payment: PaymentDoc, deps: Pick<ChargingDeps, 'gateway' | 'kick'>): Promise<PaymentDoc> {
  const result = await deps.gateway.charge(payment.chargeRequest());
  payment.settle(result);
  try {
    await payment.save();
  } catch (err) {
    if (!(err instanceof mongoose.Error.VersionError)) throw err;
    const fresh = await Payment.findById(payment.id);
    if (!fresh) throw err;
    return fresh;
  }
  paymentCharges.inc({ outcome: result.outcome });
  if (result.outcome === 'succeeded') deps.kick?.();
  return payment;
}

/** The HTTP answer for an attempt that ended without a charge (undefined: it was charged). */
export function errorForSettledPayment(p: PaymentDoc): CustomError | undefined {
  if (p.status === 'succeeded' || p.status === 'refunded') return undefined;
  if (p.status === 'pending') return new ConflictError('A payment for this order is already being processed');
  switch (p.failureReason) {
    case 'declined':
      return new PaymentDeclinedError(p.failureMessage);
    case 'invalid_token':
      return new BadRequestError(p.failureMessage ?? 'Invalid card token', 'token');
    default:
      return new ConflictError(p.failureMessage ?? 'Order cannot be paid');
  }
}

/** How long the cancel listener waits before looking again at a charge in flight or a refund that failed. */
export const REFUND_RECHECK_MS = 5_000;

/**
 * Called once an order is known to be cancelled: a charge that went through anyway (the buyer paid
 * in the last moment and expiry won at orders) is refunded. Idempotent: a refunded or failed
 * payment is left alone, and the refund's idempotency key makes a repeat return the first refund.
 * Throws RetryLater while a charge is in flight or the processor is unreachable.
 */
export async function refundIfCharged(orderId: string, gateway: PaymentGateway): Promise<'refunded' | 'nothing-charged'> {
  const payment = await Payment.findOne({ orderId });
  if (!payment || payment.status === 'failed' || payment.status === 'refunded') return 'nothing-charged';
  if (payment.status === 'pending') throw new RetryLater(`charge of order ${orderId} still in flight`, REFUND_RECHECK_MS);
  let refundId: string;
  try {
    ({ refundId } = await gateway.refund({ chargeId: payment.chargeId!, amountMinor: payment.amountMinor, idempotencyKey: refundIdempotencyKey(orderId) }));
  } catch (err) {
    if (err instanceof GatewayUnavailableError) throw new RetryLater(err.message, REFUND_RECHECK_MS * 3);
    throw err;
  }
  payment.markRefunded(refundId);
  await payment.save();
  return 'refunded';
}
