import { Schema, type Connection, type HydratedDocument, type Model } from 'mongoose';
import { modelOn, outboxEntry, outboxPlugin, Subjects, type WithOutbox } from '@jetmart/common';
import { REFUND_REASONS, type RefundReason } from '@jetmart/common/contracts';

export interface RefundLine {
  productId: string;
  quantity: number;
  /** The unit price as ordered. */
  priceMinor: number;
}

/**
 * Money given back on a payment, one document per source (the cancelled order, a cancelled
 * shipment, a received return). `_id` is the refund id `<reason>-<sourceId>`: inserting it twice
 * fails, which is what makes the record (and its `payment.refunded`) exactly-once. Written once,
 * after the processor refunded; never changed.
 */
export interface RefundAttrs extends WithOutbox {
  _id: string;
  paymentId: string;
  orderId: string;
  userId: string;
  reason: RefundReason;
  sourceId: string;
  amountMinor: number;
  /** The lines refunded; empty for a whole cancelled order. */
  items: RefundLine[];
  /** The processor's id of the refund (Stripe `re_…`). */
  processorRefundId: string;
  createdAt: Date;
}

export type RefundModel = Model<RefundAttrs>;
export type RefundDoc = HydratedDocument<RefundAttrs>;

const refundLineSchema = new Schema<RefundLine>(
  {
    productId: { type: String, required: true },
    quantity: { type: Number, required: true, min: 1 },
    priceMinor: { type: Number, required: true, min: 0 },
  },
  { _id: false },
);

const refundSchema = new Schema<RefundAttrs, RefundModel>(
  {
    _id: { type: String, required: true },
    paymentId: { type: String, required: true },
    orderId: { type: String, required: true },
    userId: { type: String, required: true },
    reason: { type: String, required: true, enum: REFUND_REASONS },
    sourceId: { type: String, required: true },
    amountMinor: { type: Number, required: true, min: 1 },
    items: { type: [refundLineSchema], default: [] },
    processorRefundId: { type: String, required: true },
  },
  { timestamps: { createdAt: true, updatedAt: false }, versionKey: false },
);
refundSchema.plugin(outboxPlugin);

/** The id of the refund of `sourceId` for `reason`: the document's `_id` and the processor key's suffix. */
export function refundIdOf(reason: RefundReason, sourceId: string): string {
  return `${reason}-${sourceId}`;
}

/** The processor idempotency key of a refund: a repeat after a crash returns the first refund. */
export function refundIdempotencyKey(refundId: string): string {
  return `jetmart-refund-${refundId}`;
}

/** A new refund record with `payment.refunded` in its outbox (stored by the insert, version 0). */
export function newRefund(Refund: RefundModel, attrs: Omit<RefundAttrs, 'outbox' | 'createdAt'>): RefundDoc {
  const refunded = outboxEntry(Subjects.PaymentRefunded, {
    id: attrs._id,
    paymentId: attrs.paymentId,
    orderId: attrs.orderId,
    userId: attrs.userId,
    reason: attrs.reason,
    sourceId: attrs.sourceId,
    amountMinor: attrs.amountMinor,
    items: attrs.items.map(({ productId, quantity, priceMinor }) => ({ productId, quantity, priceMinor })),
    version: 0,
  });
  return new Refund({ ...attrs, outbox: [refunded] });
}

export function refundModelOn(conn: Connection): RefundModel {
  return modelOn<RefundModel>(conn, 'Refund', refundSchema);
}
