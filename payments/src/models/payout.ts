import { Schema, type Connection, type HydratedDocument, type Model } from 'mongoose';
import { modelOn, outboxPlugin, recordEvent, Subjects, type WithOutbox } from '@jetmart/common';

/**
 * A payout to a seller's connected account, recorded (pending) before the processor is asked and
 * settled once after: `sent` with the transfer id and `payment.payout-sent` in its outbox, or
 * `failed` when the processor refused the transfer (its amount is back in the available balance).
 * `_id` is the (ObjectId) id reserved on the account; the transfer's idempotency key is derived from it.
 */
export type PayoutStatus = 'pending' | 'sent' | 'failed';

export interface PayoutAttrs extends WithOutbox {
  sellerId: string;
  amountMinor: number;
  currency: string;
  destination: string;
  /** The available balance it was reserved against (the invariant checker compares). */
  availableMinor: number;
  status: PayoutStatus;
  transferId?: string;
  failureMessage?: string;
  /** When it was reserved (the account's open payout's createdAt). */
  createdAt: Date;
  sentAt?: Date;
  version: number;
}

export interface PayoutMethods {
  /** pending → sent, with its event in the same save; false from any other state. */
  markSent(transferId: string, at?: Date): boolean;
  /** pending → failed; false from any other state. */
  markFailed(message: string): boolean;
}

export type PayoutModel = Model<PayoutAttrs, object, PayoutMethods>;
export type PayoutDoc = HydratedDocument<PayoutAttrs, PayoutMethods>;

const payoutSchema = new Schema<PayoutAttrs, PayoutModel, PayoutMethods>(
  {
    sellerId: { type: String, required: true },
    amountMinor: { type: Number, required: true, min: 1 },
    currency: { type: String, required: true },
    destination: { type: String, required: true },
    availableMinor: { type: Number, required: true },
    status: { type: String, required: true, enum: ['pending', 'sent', 'failed'] },
    transferId: { type: String },
    failureMessage: { type: String },
    createdAt: { type: Date, required: true },
    sentAt: { type: Date },
  },
  { optimisticConcurrency: true, versionKey: 'version' },
);
payoutSchema.plugin(outboxPlugin);
payoutSchema.index({ sellerId: 1, createdAt: -1 });

/** The processor idempotency key of a payout's transfer: a repeat after a crash returns the first transfer. */
export function payoutIdempotencyKey(payoutId: string): string {
  return `jetmart-payout-${payoutId}`;
}

payoutSchema.methods.markSent = function (this: PayoutDoc, transferId: string, at: Date = new Date()): boolean {
  if (this.status !== 'pending') return false;
  this.status = 'sent';
  this.transferId = transferId;
  this.sentAt = at;
  recordEvent(this, Subjects.PayoutSent, {
    id: this.id as string,
    sellerId: this.sellerId,
    amountMinor: this.amountMinor,
    currency: this.currency,
    transferId,
    version: this.version + 1,
  });
  return true;
};

payoutSchema.methods.markFailed = function (this: PayoutDoc, message: string): boolean {
  if (this.status !== 'pending') return false;
  this.status = 'failed';
  this.failureMessage = message.slice(0, 500);
  return true;
};

export function payoutModelOn(conn: Connection): PayoutModel {
  return modelOn<PayoutModel>(conn, 'Payout', payoutSchema);
}
