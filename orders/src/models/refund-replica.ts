import { Schema, type Connection, type Model } from 'mongoose';
import { createReplica, modelOn, readEach, type EventData, type ReplicaOutcome, type Subjects } from '@jetmart/common';
import type { RefundReason } from '@jetmart/common/contracts';

/**
 * This service's copy of the refunds payments made (one document per payment.refunded id), read
 * to derive an order's `payment` and `refunded`. The sum is derived from these, never stored.
 */
export interface RefundReplicaFields {
  /** The refund's id (`<reason>-<sourceId>`). */
  _id: string;
  orderId: string;
  paymentId: string;
  reason: RefundReason;
  sourceId: string;
  amountMinor: number;
  /** A refund is written once: always 0. */
  version: number;
}

export type RefundReplicaModel = Model<RefundReplicaFields>;

const refundReplicaSchema = new Schema<RefundReplicaFields>(
  {
    _id: { type: String, required: true },
    orderId: { type: String, required: true },
    paymentId: { type: String, required: true },
    reason: { type: String, required: true },
    sourceId: { type: String, required: true },
    amountMinor: { type: Number, required: true },
    version: { type: Number, required: true },
  },
  { versionKey: false, timestamps: { createdAt: true, updatedAt: false } },
);
refundReplicaSchema.index({ orderId: 1 });

export function refundReplicaModelOn(conn: Connection): RefundReplicaModel {
  return modelOn<RefundReplicaModel>(conn, 'RefundReplica', refundReplicaSchema);
}

/** Inserts the refund once (its id is the _id): a redelivery is a duplicate and changes nothing. */
export function applyPaymentRefunded(
  Replica: RefundReplicaModel,
  data: EventData<typeof Subjects.PaymentRefunded>,
): Promise<ReplicaOutcome> {
  return createReplica(Replica, {
    _id: data.id,
    orderId: data.orderId,
    paymentId: data.paymentId,
    reason: data.reason,
    sourceId: data.sourceId,
    amountMinor: data.amountMinor,
    version: data.version,
  });
}

/**
 * The sum of the refunds (minor units) of the given orders, by order id: one query per order by
 * equality (FerretDB reads every refund for `orderId: {$in}`).
 */
export async function refundedByOrder(Replica: RefundReplicaModel, orderIds: readonly string[]): Promise<Map<string, number>> {
  const byOrder = new Map<string, number>();
  const found = await readEach([...new Set(orderIds)], (orderId) => Replica.find({ orderId }, { orderId: 1, amountMinor: 1 }).lean());
  for (const r of found.flat()) byOrder.set(r.orderId, (byOrder.get(r.orderId) ?? 0) + r.amountMinor);
  return byOrder;
}
