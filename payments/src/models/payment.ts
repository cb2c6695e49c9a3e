import { Schema, type Connection, type HydratedDocument, type Model } from 'mongoose';
import { modelOn, outboxPlugin, RecoveryCandidates, recordEvent, Subjects, type WithOutbox } from '@jetmart/common';
import type { ChargeRequest, ChargeResult } from '../gateway/payment-gateway';
import { orderLineSchema, type OrderReplicaLine } from './order';

/**
 * One document per order (unique `orderId`): it is the claim on the order and the record of its
 * charge attempts.
 *   pending   — an attempt is being charged (or its request crashed; the sweeper finishes it)
 *   succeeded — charged; `payment.created` is in the outbox
 *   failed    — the last attempt was declined / had a bad token, or the order ended before the
 *               charge; nothing was charged and the buyer may try again (attempt + 1)
 *   refunded  — charged, but the order was cancelled meanwhile (expiry won the race), so the
 *               whole charge is refunded (refund `order-cancelled-<orderId>`)
 * Refunds of parts (a cancelled shipment, a return) leave a succeeded payment succeeded; what has
 * been given back is `refundedMinor`, reserved by `reserveRefund` before the processor is asked.
 */
export type PaymentStatus = 'pending' | 'succeeded' | 'failed' | 'refunded';
export type FailureReason = 'declined' | 'invalid_token' | 'order_not_payable';

export interface PaymentAttrs extends WithOutbox {
  orderId: string;
  userId: string;
  amountMinor: number;
  currency: string;
  status: PaymentStatus;
  /** 1 for the first attempt; each attempt has its own processor idempotency key. */
  attempt: number;
  /** The card token of the pending attempt, kept only so a crashed attempt can be repeated exactly. */
  token?: string;
  /** The client's `Idempotency-Key` of the attempt that created this state. */
  clientKey?: string;
  chargeId?: string;
  failureReason?: FailureReason;
  failureMessage?: string;
  /** Set by refunds written before refunds were records of their own (read only). */
  refundId?: string;
  /** The sum of the refunds reserved on this charge (never more than `amountMinor`). */
  refundedMinor: number;
  /** The ids of those refunds (`<reason>-<sourceId>`): a refund is reserved at most once. */
  refundKeys: string[];
  /**
   * The order's lines when it was claimed (an order's lines never change), so the sale is
   * credited from the payment without reading the order again (postSale). Absent on payments
   * written before, and on orders replicated without lines.
   */
  lines?: OrderReplicaLine[];
  version: number;
  createdAt: Date;
  updatedAt: Date;
}

export interface PaymentMethods {
  chargeRequest(): ChargeRequest;
  /** Records the processor's answer for the pending attempt; stores it with its event in one save. */
  settle(result: ChargeResult): void;
  /** Gives up the pending attempt without charging (the order ended while it was being claimed). */
  abandon(reason: string): void;
  /** Starts another attempt after a failed one. */
  retryWith(token: string, userId: string, clientKey: string | undefined): void;
}

export type PaymentModel = Model<PaymentAttrs, object, PaymentMethods>;
export type PaymentDoc = HydratedDocument<PaymentAttrs, PaymentMethods>;

const paymentSchema = new Schema<PaymentAttrs, PaymentModel, PaymentMethods>(
  {
    orderId: { type: String, required: true },
    userId: { type: String, required: true },
    amountMinor: { type: Number, required: true, min: 0 },
    currency: { type: String, required: true },
    status: { type: String, required: true, enum: ['pending', 'succeeded', 'failed', 'refunded'] },
    attempt: { type: Number, required: true, min: 1 },
    token: { type: String },
    clientKey: { type: String },
    chargeId: { type: String },
    failureReason: { type: String, enum: ['declined', 'invalid_token', 'order_not_payable'] },
    failureMessage: { type: String },
    refundId: { type: String },
    refundedMinor: { type: Number, default: 0, min: 0 },
    refundKeys: { type: [String], default: [] },
    lines: { type: [orderLineSchema], default: undefined },
  },
  { timestamps: true, optimisticConcurrency: true, versionKey: 'version' },
);
paymentSchema.plugin(outboxPlugin);

/**
 * The payments this process left `pending` (a charge under way, or its request died), for the
 * sweeper to read by `_id` once they are old enough instead of scanning every payment each pass
 * (background/pending-payment-sweeper.ts). Noted by the save that makes a payment pending, and by
 * any failed save (its answer may be lost after the server applied it); forgotten by the save
 * that ends the attempt.
 */
export const pendingPaymentCandidates = (Payment: { db: { name: string } }) =>
  RecoveryCandidates.of<'pending'>(Payment.db, 'pending payments');
paymentSchema.post('save', function (this: PaymentDoc) {
  const candidates = pendingPaymentCandidates(this.constructor as PaymentModel);
  if (this.status === 'pending') candidates.note(this._id, 'pending');
  else candidates.forget(this._id);
});
paymentSchema.post(
  'save',
  { errorHandler: true } as never,
  function (this: PaymentDoc) {
    pendingPaymentCandidates(this.constructor as PaymentModel).note(this._id, 'pending');
  } as never,
);
// One payment per order: the unique index is what makes two concurrent requests (or replicas) unable
// to both claim an order.
paymentSchema.index({ orderId: 1 }, { unique: true });
// The sweeper's query: pending payments, oldest first.
paymentSchema.index({ status: 1, updatedAt: 1 });

/** The processor idempotency key of an attempt: a repeat of the attempt never charges twice. */
export function chargeIdempotencyKey(orderId: string, attempt: number): string {
  return `jetmart-order-${orderId}-attempt-${attempt}`;
}

/**
 * A new payment of an order, claiming it for attempt 1, with `payment.started` in the insert that
 * claims it: orders learns that a charge may be under way before the processor is asked.
 */
export function newPaymentAttempt(
  Payment: PaymentModel,
  attrs: Pick<PaymentAttrs, 'orderId' | 'userId' | 'amountMinor' | 'currency' | 'token' | 'clientKey' | 'lines'>,
): PaymentDoc {
  const payment = new Payment({ ...attrs, status: 'pending', attempt: 1 });
  recordEvent(payment, Subjects.PaymentStarted, {
    id: payment.id as string,
    orderId: payment.orderId,
    userId: payment.userId,
    attempt: 1,
    version: 0,
  });
  return payment;
}

paymentSchema.methods.chargeRequest = function (this: PaymentDoc): ChargeRequest {
  if (this.status !== 'pending' || !this.token) throw new Error(`payment ${this.id} has no pending attempt to charge`);
  return {
    amountMinor: this.amountMinor,
    currency: this.currency,
    token: this.token,
    idempotencyKey: chargeIdempotencyKey(this.orderId, this.attempt),
    description: `jetmart order ${this.orderId}`,
    metadata: { orderId: this.orderId, paymentId: this.id, attempt: String(this.attempt) },
  };
};

paymentSchema.methods.settle = function (this: PaymentDoc, result: ChargeResult): void {
  if (this.status !== 'pending') throw new Error(`payment ${this.id} is ${this.status}, not pending`);
  this.token = undefined;
  if (result.outcome === 'succeeded') {
    this.status = 'succeeded';
    this.chargeId = result.chargeId;
    this.failureReason = undefined;
    this.failureMessage = undefined;
    recordEvent(this, Subjects.PaymentCreated, {
      id: this.id,
      orderId: this.orderId,
      userId: this.userId,
      amountMinor: this.amountMinor,
      // The version this save gives the document (optimistic concurrency bumps it by one).
      version: this.version + 1,
    });
  } else {
    this.status = 'failed';
    this.failureReason = result.outcome;
    this.failureMessage = result.message;
    recordFailed(this, result.outcome);
  }
};

paymentSchema.methods.abandon = function (this: PaymentDoc, reason: string): void {
  if (this.status !== 'pending') throw new Error(`payment ${this.id} is ${this.status}, not pending`);
  this.status = 'failed';
  this.token = undefined;
  this.failureReason = 'order_not_payable';
  this.failureMessage = reason;
  recordFailed(this, 'order_not_payable');
};

/** The attempt ended without a charge: orders stops waiting for it (`payment.failed`, same save). */
function recordFailed(payment: PaymentDoc, reason: FailureReason): void {
  recordEvent(payment, Subjects.PaymentFailed, {
    id: payment.id as string,
    orderId: payment.orderId,
    userId: payment.userId,
    attempt: payment.attempt,
    reason,
    version: payment.version + 1,
  });
}

paymentSchema.methods.retryWith = function (this: PaymentDoc, token: string, userId: string, clientKey: string | undefined): void {
  if (this.status !== 'failed') throw new Error(`payment ${this.id} is ${this.status}, not failed`);
  this.status = 'pending';
  this.attempt += 1;
  this.token = token;
  this.userId = userId;
  this.clientKey = clientKey;
  this.failureReason = undefined;
  this.failureMessage = undefined;
  recordEvent(this, Subjects.PaymentStarted, {
    id: this.id as string,
    orderId: this.orderId,
    userId: this.userId,
    attempt: this.attempt,
    version: this.version + 1,
  });
};

export function paymentModelOn(conn: Connection): PaymentModel {
  return modelOn<PaymentModel>(conn, 'Payment', paymentSchema);
}

/**
 * What a new request for an order that already has a payment gets, before anything else is tried:
 *   replay   — the same client key as the successful attempt: answer its 201 again, charge nothing
 *   retry    — the last attempt failed (nothing charged): a new attempt may start
 *   conflict — paid, refunded or in flight: 409 with this message
 */
export type ExistingPaymentAnswer = { kind: 'replay' } | { kind: 'retry' } | { kind: 'conflict'; message: string };

export function answerForExistingPayment(
  p: Pick<PaymentAttrs, 'status' | 'clientKey'>,
  clientKey: string | undefined,
): ExistingPaymentAnswer {
  const sameKey = clientKey !== undefined && p.clientKey === clientKey;
  switch (p.status) {
    case 'succeeded':
    case 'refunded':
      if (sameKey) return { kind: 'replay' };
      return {
        kind: 'conflict',
        message: p.status === 'succeeded' ? 'Order has already been paid' : 'Order has been cancelled; its payment was refunded',
      };
    case 'pending':
      return { kind: 'conflict', message: 'A payment for this order is already being processed' };
    case 'failed':
      return { kind: 'retry' };
  }
}

/** How a refund's reservation on a charge ended (see `reserveRefund`). */
export type RefundReservation =
  /** This call added the refund to the payment. */
  | 'reserved'
  /** An earlier call (a redelivery, a crashed attempt, a concurrent listener) reserved it already. */
  | 'already-reserved'
  /** The charge has no room left for this amount. */
  | 'would-exceed-charge';

/**
 * Reserves `amountMinor` of the payment's charge for refund `refundId`: one conditional update that
 * adds the refund's key only if absent and only if the charge still covers it, so neither a repeat
 * nor refunds racing each other can give back more than was charged (on FerretDB the document lock
 * serialises it). The whole-order refund also marks the payment `refunded` in the same write.
 * Only a `succeeded` payment is reserved on; the caller has checked that it was charged.
 */
export async function reserveRefund(
  Payment: PaymentModel,
  payment: Pick<PaymentAttrs, 'amountMinor'> & { _id: unknown },
  refundId: string,
  amountMinor: number,
  opts: { wholeOrder?: boolean } = {},
): Promise<RefundReservation> {
  if (amountMinor <= payment.amountMinor) {
    const res = await Payment.updateOne(
      {
        _id: payment._id,
        status: 'succeeded',
        refundKeys: { $ne: refundId },
        // A payment charged before refunds existed has no refundedMinor: nothing was refunded yet.
        $or: [{ refundedMinor: { $lte: payment.amountMinor - amountMinor } }, { refundedMinor: { $exists: false } }],
      },
      {
        $inc: { refundedMinor: amountMinor, version: 1 },
        $push: { refundKeys: refundId },
        ...(opts.wholeOrder ? { $set: { status: 'refunded' } } : {}),
      },
    );
    if (res.modifiedCount === 1) return 'reserved';
  }
  const fresh = await Payment.findById(payment._id, { refundKeys: 1 }).lean();
  return fresh?.refundKeys?.includes(refundId) ? 'already-reserved' : 'would-exceed-charge';
}
