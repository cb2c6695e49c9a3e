import mongoose, { Schema, type Connection, type HydratedDocument, type Model } from 'mongoose';
import { apiJson, ConflictError, fromMinor, outboxPlugin, recordEvent, Subjects, type WithOutbox } from '@jetmart/common';

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
  expiresAt: Date;
  cancelReason?: CancelReason;
  holdAction?: HoldAction | null;
  version: number;
  createdAt: Date;
  updatedAt: Date;
}

interface OrderMethods {
  /** created → cancelled, queuing order.cancelled; false if already cancelled; 409 if complete. */
  cancel(reason: CancelReason): boolean;
  /** created → complete (paid), queuing order.completed; false if already complete; 409 if cancelled. */
  complete(): boolean;
}

export type OrderModel = Model<OrderFields, object, OrderMethods>;
export type OrderDoc = HydratedDocument<OrderFields, OrderMethods>;

export interface OrderJson {
  id: string;
  userId: string;
  status: OrderStatus;
  items: { productId: string; title: string; price: number; quantity: number }[];
  total: number;
  expiresAt: string;
  version: number;
}

const lineSchema = new Schema<OrderLine>(
  {
    productId: { type: String, required: true },
    title: { type: String, required: true },
    priceMinor: { type: Number, required: true },
    quantity: { type: Number, required: true, min: 1 },
  },
  { _id: false },
);

const orderJson = apiJson();

const orderSchema = new Schema<OrderFields, OrderModel, OrderMethods>(
  {
    userId: { type: String, required: true },
    status: { type: String, required: true, enum: ['pending', 'created', 'complete', 'cancelled', 'failed'] },
    items: { type: [lineSchema], required: true },
    totalMinor: { type: Number, required: true },
    expiresAt: { type: Date, required: true },
    cancelReason: { type: String, enum: ['buyer', 'expired', 'unavailable'] },
    holdAction: { type: String, enum: ['release', 'sell', null], default: null },
  },
  {
    timestamps: true,
    optimisticConcurrency: true,
    versionKey: 'version',
    toJSON: {
      ...orderJson,
      transform(doc: unknown, ret: Record<string, unknown>): OrderJson {
        orderJson.transform(doc, ret);
        return {
          id: ret.id as string,
          userId: ret.userId as string,
          status: ret.status as OrderStatus,
          items: (ret.items as OrderLine[]).map((l) => ({ productId: l.productId, title: l.title, price: fromMinor(l.priceMinor), quantity: l.quantity })),
          total: fromMinor(ret.totalMinor as number),
          expiresAt: (ret.expiresAt as Date).toISOString(),
          version: ret.version as number,
        };
      },
    },
  },
);
orderSchema.plugin(outboxPlugin);
orderSchema.index({ userId: 1, createdAt: -1 });
orderSchema.index({ status: 1, createdAt: 1 });
orderSchema.index({ holdAction: 1, updatedAt: 1 });

const lines = (order: OrderDoc) => order.items.map((l) => ({ productId: l.productId, quantity: l.quantity }));

orderSchema.methods.cancel = function (this: OrderDoc, reason: CancelReason): boolean {
  if (this.status === 'cancelled') return false;
  if (this.status === 'complete') throw new ConflictError('This order is paid and can no longer be cancelled');
  if (this.status !== 'created') throw new ConflictError(`An order that is ${this.status} cannot be cancelled`);
  this.status = 'cancelled';
  this.cancelReason = reason;
  this.holdAction = 'release';
  // save() with optimisticConcurrency raises the version by one.
  recordEvent(this, Subjects.OrderCancelled, { id: this.id, userId: this.userId, reason, items: lines(this), version: this.version + 1 });
  return true;
};

orderSchema.methods.complete = function (this: OrderDoc): boolean {
  if (this.status === 'complete') return false;
  if (this.status === 'cancelled') throw new ConflictError('This order was cancelled and cannot be paid');
  if (this.status !== 'created') throw new ConflictError(`An order that is ${this.status} cannot be paid`);
  this.status = 'complete';
  this.holdAction = 'sell';
  recordEvent(this, Subjects.OrderCompleted, { id: this.id, userId: this.userId, items: lines(this), version: this.version + 1 });
  return true;
};

/** The order.created payload (the order is created at version 0; see placeOrder). */
export function orderCreatedData(order: OrderDoc) {
  return {
    id: order.id as string,
    userId: order.userId,
    status: 'created' as const,
    expiresAt: order.expiresAt.toISOString(),
    items: order.items.map((l) => ({ productId: l.productId, quantity: l.quantity, title: l.title, priceMinor: l.priceMinor })),
    totalMinor: order.totalMinor,
    version: order.version,
  };
}

/**
 * Loads an order, applies `change` and saves it, reloading and trying again when another
 * writer got there first (VersionError): so a racing cancel and payment cannot both win, and
 * the loser sees the winner's state. Returns the order and whether it changed.
 */
export async function changeOrder(
  Order: OrderModel,
  id: string,
  change: (order: OrderDoc) => boolean,
  attempts = 5,
): Promise<{ order: OrderDoc; changed: boolean } | null> {
  for (let i = 1; ; i++) {
    const order = await Order.findById(id);
    if (!order) return null;
    if (!change(order)) return { order, changed: false };
    try {
      await order.save();
      return { order, changed: true };
    } catch (err) {
      if (!(err instanceof mongoose.Error.VersionError) || i >= attempts) throw err;
    }
  }
}

export function orderModelOn(conn: Connection): OrderModel {
  return (conn.models.Order as OrderModel) ?? conn.model<OrderFields, OrderModel>('Order', orderSchema);
}
