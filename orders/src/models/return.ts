import { Schema, type Connection, type HydratedDocument, type Model } from 'mongoose';
import { modelOn, outboxPlugin, recordEvent, Subjects, type WithOutbox } from '@jetmart/common';
import { RETURN_REASONS, type ReturnReason, type ReturnStatus } from '@jetmart/common/contracts';

/**
 * A buyer's return of (some of) one seller's delivered part: `requested` → `approved` |
 * `rejected` (seller) | `cancelled` (buyer, while requested); `approved` → `received` (seller,
 * restocking or not) → `refunded` (payments refunded it: payment.refunded, reason `return`).
 * Each transition is guarded (acts only from the right state) and records its event in the same
 * save (outbox); `optimisticConcurrency` makes a save of a stale copy fail (VersionError), so two
 * racing steps cannot both win.
 */
export interface ReturnLine {
  productId: string;
  /** Title and price as ordered. */
  title: string;
  priceMinor: number;
  quantity: number;
}

export interface ReturnFields extends WithOutbox {
  orderId: string;
  shipmentId: string;
  sellerId: string;
  buyerId: string;
  items: ReturnLine[];
  reason: ReturnReason;
  note?: string;
  message?: string;
  restock?: boolean;
  /** The refund that paid this return back (payment.refunded id). */
  refundId?: string;
  status: ReturnStatus;
  version: number;
  createdAt: Date;
  updatedAt: Date;
}

/**
 * What a transition did. Only the first outcome of each changed the document (save it); an
 * `already-…` is a repeat of the step that was taken (answered as a success); `wrong-state` is
 * any other state (the return's status says which).
 */
export type ApproveOutcome = 'approved' | 'already-approved' | 'wrong-state';
export type RejectOutcome = 'rejected' | 'already-rejected' | 'wrong-state';
export type CancelReturnOutcome = 'cancelled' | 'already-cancelled' | 'wrong-state';
export type ReceiveOutcome = 'received' | 'already-received' | 'wrong-state';
export type RefundedOutcome = 'refunded' | 'already-refunded' | 'wrong-state';

interface ReturnMethods {
  approve(): ApproveOutcome;
  reject(message: string): RejectOutcome;
  cancel(): CancelReturnOutcome;
  receive(restock: boolean): ReceiveOutcome;
  refunded(refundId: string, amountMinor: number): RefundedOutcome;
}

export type ReturnModel = Model<ReturnFields, object, ReturnMethods>;
export type ReturnDoc = HydratedDocument<ReturnFields, ReturnMethods>;

const lineSchema = new Schema<ReturnLine>(
  {
    productId: { type: String, required: true },
    title: { type: String, required: true },
    priceMinor: { type: Number, required: true, min: 0 },
    quantity: { type: Number, required: true, min: 1 },
  },
  { _id: false },
);

const returnSchema = new Schema<ReturnFields, ReturnModel, ReturnMethods>(
  {
    orderId: { type: String, required: true },
    shipmentId: { type: String, required: true },
    sellerId: { type: String, required: true },
    buyerId: { type: String, required: true },
    items: { type: [lineSchema], required: true },
    reason: { type: String, required: true, enum: RETURN_REASONS },
    note: { type: String },
    message: { type: String },
    restock: { type: Boolean },
    refundId: { type: String },
    status: {
      type: String,
      required: true,
      enum: ['requested', 'approved', 'rejected', 'cancelled', 'received', 'refunded'],
    },
  },
  { timestamps: true, optimisticConcurrency: true, versionKey: 'version' },
);
returnSchema.plugin(outboxPlugin);
// Lists, newest first: the buyer's, the seller's, an order's.
returnSchema.index({ buyerId: 1, createdAt: -1 });
returnSchema.index({ sellerId: 1, createdAt: -1 });
returnSchema.index({ orderId: 1, createdAt: -1 });

/** What a return refunds once received: the sum of its lines. */
export function returnAmountMinor(r: Pick<ReturnFields, 'items'>): number {
  return r.items.reduce((sum, l) => sum + l.priceMinor * l.quantity, 0);
}

const ref = (r: ReturnDoc) => ({
  id: r.id as string,
  orderId: r.orderId,
  shipmentId: r.shipmentId,
  sellerId: r.sellerId,
  buyerId: r.buyerId,
});
const pricedLines = (r: ReturnDoc) => r.items.map((l) => ({ productId: l.productId, quantity: l.quantity, priceMinor: l.priceMinor }));

returnSchema.methods.approve = function (this: ReturnDoc): ApproveOutcome {
  // Approving is a step every later state has passed through.
  if (this.status === 'approved' || this.status === 'received' || this.status === 'refunded') return 'already-approved';
  if (this.status !== 'requested') return 'wrong-state';
  this.status = 'approved';
  // save() with optimisticConcurrency raises the version by one.
  recordEvent(this, Subjects.ReturnApproved, { ...ref(this), version: this.version + 1 });
  return 'approved';
};

returnSchema.methods.reject = function (this: ReturnDoc, message: string): RejectOutcome {
  if (this.status === 'rejected') return 'already-rejected';
  if (this.status !== 'requested') return 'wrong-state';
  this.status = 'rejected';
  this.message = message;
  recordEvent(this, Subjects.ReturnRejected, { ...ref(this), message, version: this.version + 1 });
  return 'rejected';
};

returnSchema.methods.cancel = function (this: ReturnDoc): CancelReturnOutcome {
  if (this.status === 'cancelled') return 'already-cancelled';
  if (this.status !== 'requested') return 'wrong-state';
  this.status = 'cancelled';
  recordEvent(this, Subjects.ReturnCancelled, { ...ref(this), version: this.version + 1 });
  return 'cancelled';
};

returnSchema.methods.receive = function (this: ReturnDoc, restock: boolean): ReceiveOutcome {
  if (this.status === 'received' || this.status === 'refunded') return 'already-received';
  if (this.status !== 'approved') return 'wrong-state';
  this.status = 'received';
  this.restock = restock;
  recordEvent(this, Subjects.ReturnReceived, {
    ...ref(this),
    items: pricedLines(this),
    amountMinor: returnAmountMinor(this),
    restock,
    version: this.version + 1,
  });
  return 'received';
};

returnSchema.methods.refunded = function (this: ReturnDoc, refundId: string, amountMinor: number): RefundedOutcome {
  if (this.status === 'refunded') return 'already-refunded';
  if (this.status !== 'received') return 'wrong-state';
  this.status = 'refunded';
  this.refundId = refundId;
  recordEvent(this, Subjects.ReturnRefunded, { ...ref(this), refundId, amountMinor, version: this.version + 1 });
  return 'refunded';
};

/** A new return at version 0 with return.requested queued; stored by its first save. */
export function newReturn(
  Return: ReturnModel,
  fields: Pick<ReturnFields, 'orderId' | 'shipmentId' | 'sellerId' | 'buyerId' | 'items' | 'reason' | 'note'> & { _id?: string },
): ReturnDoc {
  const ret = new Return({ ...fields, status: 'requested' });
  recordEvent(ret, Subjects.ReturnRequested, {
    ...ref(ret),
    items: pricedLines(ret),
    reason: fields.reason,
    ...(fields.note !== undefined ? { note: fields.note } : {}),
    version: 0,
  });
  return ret;
}

/**
 * Removes the buyer's free-text note (their words; SPEC invariant 13). True when this call
 * removed one. Leaves `version` alone: no event carries it.
 */
export async function forgetReturnNote(Return: ReturnModel, returnId: string): Promise<boolean> {
  const res = await Return.updateOne({ _id: returnId, note: { $exists: true } }, { $unset: { note: 1 } }, { timestamps: false });
  return res.modifiedCount === 1;
}

export function returnModelOn(conn: Connection): ReturnModel {
  return modelOn<ReturnModel>(conn, 'Return', returnSchema);
}
