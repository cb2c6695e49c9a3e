import { outboxEntry, Subjects } from '@jetmart/common';
import type { Address } from '@jetmart/common/contracts';
import { ordersCreated } from '../metrics';
import {
  anonymiseOrderAddress,
  failPendingOrder,
  isForgottenPerson,
  orderCreatedData,
  reserveUnits,
  settleHolds,
  type OrderDoc,
  type OrderLine,
} from '../models';
import type { LifecycleDeps } from './deps';
import { cancelOrder } from './end-order';

export interface OrderRequestLine {
  productId: string;
  quantity: number;
}

export interface OrderRequest {
  items: OrderRequestLine[];
  /** Stored as a snapshot: later address-book edits do not change the order. */
  shippingAddress: Address;
}

export interface PlaceOrderOptions {
  expirationSeconds: number;
  /**
   * Holding stops after this long; the sweeper only fails pending orders older than
   * PENDING_ORDER_TIMEOUT_MS, so it never releases units this call is still holding.
   */
  holdingDeadlineMs?: number;
}

/** `line` is the index of the request line concerned. Nothing is held unless `placed`. */
export type PlaceResult =
  | { kind: 'placed'; order: OrderDoc }
  | { kind: 'unknown-product'; line: number; productId: string }
  | { kind: 'own-product'; line: number }
  | { kind: 'unlisted'; line: number; title: string }
  | { kind: 'short'; line: number; title: string }
  | { kind: 'too-slow' }
  /** The buyer's account was deleted (user.deleted reached orders): nothing is held or kept. */
  | { kind: 'account-deleted' };

type Failure = Exclude<PlaceResult, { kind: 'placed' }>;

/** Pending orders older than this are taken to be abandoned (their process died) by the sweeper. */
export const PENDING_ORDER_TIMEOUT_MS = 30_000;
const HOLDING_DEADLINE_MS = 10_000;

/**
 * Creates an order holding every line's units, or nothing at all.
 *
 * Without multi-document transactions: the order is first stored `pending`; each line's units
 * are then held by one conditional update of that product's replica; when all are held, one
 * conditional update makes the order `created` and queues order.created in its outbox. If a
 * line is short, the lines already held are released and the order is marked failed. If the
 * process dies midway, the sweeper finds the pending order and does the same.
 * A database error is rethrown after undoing what can be undone.
 */
async function placeHolding(deps: LifecycleDeps, userId: string, request: OrderRequest, opts: PlaceOrderOptions): Promise<PlaceResult> {
  const now = deps.now ?? Date.now;
  const { Order, ProductReplica } = deps.models;
  // One read by _id per line rather than `_id: {$in: [...]}`: FerretDB pushes down only _id
  // equality, so $in would read every product replica on each order.
  const found = await Promise.all(request.items.map((l) => ProductReplica.findById(l.productId).lean()));
  const items: OrderLine[] = [];
  for (const [i, line] of request.items.entries()) {
    const product = found[i];
    if (!product) return { kind: 'unknown-product', line: i, productId: line.productId };
    if (product.userId === userId) return { kind: 'own-product', line: i };
    // Off the catalog (its seller unlisted it): orders already placed keep their units.
    if (product.listed === false) return { kind: 'unlisted', line: i, title: product.title };
    // The seller as the replica knows it now: shipping splits the paid order by it.
    items.push({
      productId: line.productId,
      sellerId: product.userId,
      title: product.title,
      priceMinor: product.priceMinor,
      quantity: line.quantity,
    });
  }
  // Fast answer for what is visibly short; the conditional holds below are what decide.
  const shortLine = items.findIndex((l, i) => found[i]!.available < l.quantity);
  if (shortLine >= 0) return { kind: 'short', line: shortLine, title: items[shortLine].title };

  const started = now();
  const order = await Order.create({
    userId,
    status: 'pending',
    items,
    totalMinor: items.reduce((sum, l) => sum + l.priceMinor * l.quantity, 0),
    shippingAddress: request.shippingAddress,
    expiresAt: new Date(started + opts.expirationSeconds * 1000),
  });

  let failure: Failure | undefined;
  let error: unknown;
  try {
    for (const [i, line] of items.entries()) {
      if (now() - started > (opts.holdingDeadlineMs ?? HOLDING_DEADLINE_MS)) {
        failure = { kind: 'too-slow' };
        break;
      }
      if (!(await reserveUnits(ProductReplica, line.productId, order.id, line.quantity))) {
        failure = { kind: 'short', line: i, title: line.title };
        break;
      }
    }
    if (!failure) {
      // All held: pending → created with order.created, in one conditional single-document
      // write that leaves the version at 0 (the first published version of an order).
      const confirmed = await Order.updateOne(
        { _id: order._id, status: 'pending' },
        { $set: { status: 'created' }, $push: { outbox: outboxEntry(Subjects.OrderCreated, orderCreatedData(order)) } },
      );
      if (confirmed.modifiedCount === 1) {
        order.status = 'created';
        ordersCreated.inc();
        return { kind: 'placed', order };
      }
      failure = { kind: 'too-slow' }; // the sweeper took it for abandoned
    }
  } catch (err) {
    error = err; // e.g. the database went away: undo what can be undone, the sweeper does the rest
  }

  if (!(await failPendingOrder(Order, order._id))) {
    // Not pending any more: failed by the sweeper, or confirmed by a write whose answer was lost.
    const current = await Order.findById(order._id);
    if (current?.status === 'created') {
      ordersCreated.inc();
      return { kind: 'placed', order: current };
    }
  }
  // Release every line even if the sweeper failed the order first: holds taken after it ran would leak.
  await settleHolds(deps.models, { _id: order._id, id: order.id, items: order.items, holdAction: 'release' });
  if (failure) return failure;
  throw error;
}

/**
 * placeOrder for a buyer whose account may be gone (SPEC invariant 13): a session can outlive its
 * account for a moment. A buyer orders has forgotten places nothing; one forgotten while the order
 * was being placed (forgetBuyer remembered them before it read their orders, and may have missed
 * this one) gets it cancelled and its address anonymised, as forgetBuyer does with unpaid orders.
 */
export async function placeOrder(
  deps: LifecycleDeps,
  userId: string,
  request: OrderRequest,
  opts: PlaceOrderOptions,
): Promise<PlaceResult> {
  const { Order, ForgottenPerson } = deps.models;
  if (await isForgottenPerson(ForgottenPerson, userId)) return { kind: 'account-deleted' };
  const result = await placeHolding(deps, userId, request, opts);
  if (result.kind !== 'placed' || !(await isForgottenPerson(ForgottenPerson, userId))) return result;
  await cancelOrder(deps, result.order.id as string, 'buyer');
  await anonymiseOrderAddress(Order, result.order.id as string);
  return { kind: 'account-deleted' };
}
