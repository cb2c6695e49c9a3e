import { Schema, type Connection, type HydratedDocument, type Model } from 'mongoose';
import { addressSnapshotSchema, modelOn, outboxPlugin, recordEvent, Subjects, type WithOutbox } from '@jetmart/common';
import { anonymisedAddress, isAnonymisedAddress, type Address } from '@jetmart/common/contracts';
import { sweeperCandidatesPlugin } from './sweeper-candidates';

/**
 * `pending` (units being held, never shown) → `created` → `complete` | `cancelled`;
 * `pending` → `failed` (could not hold every line, or died trying; never shown).
 */
export type OrderStatus = 'pending' | 'created' | 'complete' | 'cancelled' | 'failed';
export const VISIBLE_STATUSES: OrderStatus[] = ['created', 'complete', 'cancelled'];

/**
 * What still has to happen to the units an order holds on the product replicas. It is set in
 * the same single-document write as the status change that requires it, cleared once done, and
 * redone by the sweeper if the process died in between (release and sell are idempotent).
 */
export type HoldAction = 'release' | 'sell';

export interface OrderLine {
  productId: string;
  /** The product's seller when ordered (the replica's userId). Orders placed before fulfilment have none. */
  sellerId?: string;
  /** Title and price as they were when ordered. */
  title: string;
  priceMinor: number;
  quantity: number;
}

export type CancelReason = 'buyer' | 'expired' | 'unavailable';

export interface OrderFields extends WithOutbox {
  userId: string;
  status: OrderStatus;
  items: OrderLine[];
  totalMinor: number;
  /** The address the order was placed with, a snapshot. Orders placed before fulfilment have none. */
  shippingAddress?: Address;
  expiresAt: Date;
  cancelReason?: CancelReason;
  holdAction?: HoldAction | null;
  /**
   * The latest charge attempts payments started and ended without a charge (payment.started /
   * payment.failed), kept as maxima by raw conditional updates that leave `version` alone (the
   * order's published version must not move). started > failed: an attempt is in progress.
   */
  paymentStartedAttempt?: number;
  paymentFailedAttempt?: number;
  version: number;
  createdAt: Date;
  updatedAt: Date;
}

/**
 * What a transition did. Only `cancelled` / `completed` changed the document (save it); the others
 * leave it as it was. `not-placed`: the order is pending or failed, never shown to its buyer.
 */
export type CancelOutcome = 'cancelled' | 'already-cancelled' | 'is-complete' | 'not-placed';
export type CompleteOutcome = 'completed' | 'already-complete' | 'is-cancelled' | 'not-placed';

interface OrderMethods {
  /** created → cancelled, marked to release its units, queuing order.cancelled. */
  cancel(reason: CancelReason): CancelOutcome;
  /** created → complete (paid), marked to sell its units, queuing order.completed. */
  complete(): CompleteOutcome;
}

export type OrderModel = Model<OrderFields, object, OrderMethods>;
export type OrderDoc = HydratedDocument<OrderFields, OrderMethods>;

const lineSchema = new Schema<OrderLine>(
  {
    productId: { type: String, required: true },
    sellerId: { type: String },
    title: { type: String, required: true },
    priceMinor: { type: Number, required: true },
    quantity: { type: Number, required: true, min: 1 },
  },
  { _id: false },
);

// Validated at the route (common's addressSchema); stored exactly as given.
const addressSchema = addressSnapshotSchema();

const orderSchema = new Schema<OrderFields, OrderModel, OrderMethods>(
  {
    userId: { type: String, required: true },
    status: { type: String, required: true, enum: ['pending', 'created', 'complete', 'cancelled', 'failed'] },
    items: { type: [lineSchema], required: true },
    totalMinor: { type: Number, required: true },
    shippingAddress: { type: addressSchema },
    expiresAt: { type: Date, required: true },
    cancelReason: { type: String, enum: ['buyer', 'expired', 'unavailable'] },
    holdAction: { type: String, enum: ['release', 'sell', null], default: null },
    paymentStartedAttempt: { type: Number },
    paymentFailedAttempt: { type: Number },
  },
  {
    timestamps: true,
    optimisticConcurrency: true,
    versionKey: 'version',
  },
);
orderSchema.plugin(outboxPlugin);
orderSchema.plugin(sweeperCandidatesPlugin);
orderSchema.index({ userId: 1, createdAt: -1 });
orderSchema.index({ status: 1, createdAt: 1 });
orderSchema.index({ holdAction: 1, updatedAt: 1 });

/** Optional fields leave the events only when stored: orders placed before fulfilment have none. */
const seller = (l: OrderLine) => (l.sellerId ? { sellerId: l.sellerId } : {});
const address = (order: OrderDoc) => (order.shippingAddress ? { shippingAddress: plainAddress(order.shippingAddress) } : {});
const lines = (order: OrderDoc) => order.items.map((l) => ({ productId: l.productId, quantity: l.quantity, ...seller(l) }));

/** The address as a plain object with only the fields that were given (for events and the API). */
export function plainAddress(a: Address): Address {
  return {
    name: a.name,
    line1: a.line1,
    ...(a.line2 != null ? { line2: a.line2 } : {}),
    city: a.city,
    postalCode: a.postalCode,
    country: a.country,
    ...(a.phone != null ? { phone: a.phone } : {}),
  };
}

orderSchema.methods.cancel = function (this: OrderDoc, reason: CancelReason): CancelOutcome {
  if (this.status === 'cancelled') return 'already-cancelled';
  if (this.status === 'complete') return 'is-complete';
  if (this.status !== 'created') return 'not-placed';
  this.status = 'cancelled';
  this.cancelReason = reason;
  this.holdAction = 'release';
  // save() with optimisticConcurrency raises the version by one.
  recordEvent(this, Subjects.OrderCancelled, { id: this.id, userId: this.userId, reason, items: lines(this), version: this.version + 1 });
  return 'cancelled';
};

orderSchema.methods.complete = function (this: OrderDoc): CompleteOutcome {
  if (this.status === 'complete') return 'already-complete';
  if (this.status === 'cancelled') return 'is-cancelled';
  if (this.status !== 'created') return 'not-placed';
  this.status = 'complete';
  this.holdAction = 'sell';
  // Shipping splits the order per seller from this event alone, so it carries the lines' titles,
  // prices and sellers and the address.
  recordEvent(this, Subjects.OrderCompleted, {
    id: this.id,
    userId: this.userId,
    items: this.items.map((l) => ({
      productId: l.productId,
      quantity: l.quantity,
      ...seller(l),
      title: l.title,
      priceMinor: l.priceMinor,
    })),
    ...address(this),
    version: this.version + 1,
  });
  return 'completed';
};

/**
 * Records a payment attempt's start or failure as a maximum (an older or repeated attempt number
 * changes nothing). A raw conditional update: no version change, no event.
 */
export async function recordPaymentAttempt(
  Order: OrderModel,
  orderId: string,
  field: 'paymentStartedAttempt' | 'paymentFailedAttempt',
  attempt: number,
): Promise<boolean> {
  const res = await Order.updateOne(
    { _id: orderId, $or: [{ [field]: { $exists: false } }, { [field]: { $lt: attempt } }] },
    { $set: { [field]: attempt } },
    { timestamps: false },
  );
  return res.modifiedCount === 1;
}

/** An attempt to charge the order started and has not ended without a charge (it may still succeed). */
export function paymentInProgress(order: Pick<OrderFields, 'paymentStartedAttempt' | 'paymentFailedAttempt'>): boolean {
  return (order.paymentStartedAttempt ?? 0) > (order.paymentFailedAttempt ?? 0);
}

/**
 * Replaces the order's address snapshot with the anonymised one (true when this call changed it;
 * false when the order has none, is gone, or was anonymised already). A plain update of one
 * document (locked like every write by `_id`) that leaves `version` and the outbox alone: no
 * event carries it and the order's published version must not move.
 */
export async function anonymiseOrderAddress(Order: OrderModel, orderId: string): Promise<boolean> {
  const found = await Order.findById(orderId, { shippingAddress: 1 }).lean();
  if (!found?.shippingAddress || isAnonymisedAddress(found.shippingAddress)) return false;
  const res = await Order.updateOne(
    { _id: orderId },
    { $set: { shippingAddress: anonymisedAddress(found.shippingAddress.country) } },
    { timestamps: false },
  );
  return res.modifiedCount === 1;
}

/** The order.created payload (the order is created at version 0; see placeOrder). */
export function orderCreatedData(order: OrderDoc) {
  return {
    id: order.id as string,
    userId: order.userId,
    status: 'created' as const,
    expiresAt: order.expiresAt.toISOString(),
    items: order.items.map((l) => ({
      productId: l.productId,
      quantity: l.quantity,
      ...seller(l),
      title: l.title,
      priceMinor: l.priceMinor,
    })),
    totalMinor: order.totalMinor,
    ...address(order),
    version: order.version,
  };
}

export function orderModelOn(conn: Connection): OrderModel {
  return modelOn<OrderModel>(conn, 'Order', orderSchema);
}
