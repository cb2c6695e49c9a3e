import { Schema, type Connection, type HydratedDocument, type Model } from 'mongoose';
import { createReplica, modelOn, type ReplicaOutcome } from '@jetmart/common';

export type OrderStatus = 'created' | 'cancelled' | 'complete';

/** An order line as the ledger needs it: whose it is and what the buyer pays for it. */
export interface OrderReplicaLine {
  productId: string;
  /** Absent on orders placed before fulfilment existed (the ledger cannot credit such a line). */
  sellerId?: string;
  priceMinor: number;
  quantity: number;
}

/**
 * payments' replica of an order: just what deciding "can this order be paid, for how much, by
 * whom" needs. Written only by the order listeners (version-checked); `_id` is the order id.
 */
export interface OrderReplica {
  _id: string;
  userId: string;
  status: OrderStatus;
  totalMinor: number;
  expiresAt: Date;
  /** The lines (replicas written before the ledger existed have none). */
  items?: OrderReplicaLine[];
  version: number;
}

/** An order line's schema, also for the copy a payment keeps (models/payment.ts). */
export const orderLineSchema = new Schema<OrderReplicaLine>(
  {
    productId: { type: String, required: true },
    sellerId: { type: String },
    priceMinor: { type: Number, required: true, min: 0 },
    quantity: { type: Number, required: true, min: 1 },
  },
  { _id: false },
);

const orderSchema = new Schema<OrderReplica>(
  {
    _id: { type: String, required: true },
    userId: { type: String, required: true },
    status: { type: String, required: true, enum: ['created', 'cancelled', 'complete'] },
    totalMinor: { type: Number, required: true, min: 0 },
    expiresAt: { type: Date, required: true },
    items: { type: [orderLineSchema], default: undefined },
    // The order's own version, set by applyVersion/createReplica; mongoose must not manage it.
    version: { type: Number, required: true },
  },
  { versionKey: false, collection: 'orders' },
);

/**
 * Requests waiting in this process for an order's replica (a payment sent right after the order):
 * woken by the replica's insert instead of each polling the database every few milliseconds.
 */
const replicaWaiters = new Map<string, Set<() => void>>();

orderSchema.post('save', function (doc: OrderReplica) {
  const waiters = replicaWaiters.get(String(doc._id));
  if (waiters) for (const wake of waiters) wake();
});

/** Resolves when a replica of `orderId` is saved in this process, or after `ms`, whichever is first. */
export function orderReplicated(orderId: string, ms: number): { arrived: Promise<void>; cancel(): void } {
  let wake!: () => void;
  let timer: NodeJS.Timeout | undefined;
  const arrived = new Promise<void>((resolve) => {
    wake = resolve;
    timer = setTimeout(resolve, Math.max(0, ms));
  });
  let waiters = replicaWaiters.get(orderId);
  if (!waiters) replicaWaiters.set(orderId, (waiters = new Set()));
  waiters.add(wake);
  const cancel = () => {
    clearTimeout(timer);
    waiters!.delete(wake);
    if (!waiters!.size && replicaWaiters.get(orderId) === waiters) replicaWaiters.delete(orderId);
    wake();
  };
  void arrived.then(cancel);
  return { arrived, cancel };
}

export type OrderModel = Model<OrderReplica>;
export type OrderDoc = HydratedDocument<OrderReplica>;

export function orderModelOn(conn: Connection): OrderModel {
  return modelOn<OrderModel>(conn, 'Order', orderSchema);
}

/**
 * What payments learns of a new order, from its `order.created` event or from the order ticket
 * its buyer shows (the ticket's claims are this same part of the event).
 */
export interface NewOrderFacts {
  id: string;
  userId: string;
  totalMinor: number;
  /** ISO 8601, as the event and the ticket carry it. */
  expiresAt: string;
  items: readonly OrderReplicaLine[];
  version: number;
}

/** The replica of a new order as both ways of learning of it write it. */
export function newOrderReplica(order: NewOrderFacts): OrderReplica {
  return {
    _id: order.id,
    userId: order.userId,
    status: 'created',
    totalMinor: order.totalMinor,
    expiresAt: new Date(order.expiresAt),
    items: order.items.map(({ productId, sellerId, priceMinor, quantity }) => ({ productId, sellerId, priceMinor, quantity })),
    version: order.version,
  };
}

/**
 * Starts the replica of a new order: the one insert shared by the order.created listener and a
 * payment carrying an order ticket. Whichever comes second is a duplicate and changes nothing;
 * later versions (cancelled, completed) apply onto it in order through applyVersion.
 */
export function startOrderReplica(orders: OrderModel, order: NewOrderFacts): Promise<ReplicaOutcome> {
  return createReplica(orders, newOrderReplica(order) as unknown as Record<string, unknown> & { _id: string; version: number });
}

/**
 * Why `order` cannot be paid now, or undefined when it can. An order past `expiresAt` is
 * refused even before its cancellation event arrives: expiry is decided by the clock, the event
 * only tells us about it.
 */
export function reasonOrderCannotBePaid(order: Pick<OrderReplica, 'status' | 'expiresAt'>, now: Date = new Date()): string | undefined {
  if (order.status === 'cancelled') return 'Order has been cancelled';
  if (order.status === 'complete') return 'Order has already been paid';
  if (order.expiresAt.getTime() <= now.getTime()) return 'Order has expired';
  return undefined;
}
