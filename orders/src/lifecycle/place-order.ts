import { BadRequestError, ConflictError, NotFoundError, outboxEntry, Subjects } from '@jetmart/common';
import { orderCreatedData, type OrderDoc, type OrderLine } from './order';
import { failPendingOrder, settleHolds, type HoldModels } from './order-holds';
import { reserveUnits } from './product-replica';
import { ordersCreated } from '../metrics';

export interface OrderRequestLine {
  productId: string;
  quantity: number;
}

export interface PlaceOrderOptions {
  expirationSeconds: number;
  /**
   * Holding stops after this long; the sweeper only fails pending orders older than
   * PENDING_ORDER_TIMEOUT_MS, so it never releases units this call is still holding.
   */
  holdingDeadlineMs?: number;
  now?: () => number;
  /** Called after line `i`'s units are held (a seam for tests that interleave other writers). */
  afterHold?: (i: number) => Promise<void>;
}

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
 */
export async function placeOrder(models: HoldModels, userId: string, request: OrderRequestLine[], opts: PlaceOrderOptions): Promise<OrderDoc> {
  const now = opts.now ?? Date.now;
  const { Order, ProductReplica } = models;
  // One read by _id per line rather than `_id: {$in: [...]}`: FerretDB pushes down only _id
  // equality, so $in read every product replica on each order.
  const found = await Promise.all(request.map((l) => ProductReplica.findById(l.productId).lean()));
  const replicas = new Map(found.filter((r) => r !== null).map((r) => [r._id, r]));
  const items: OrderLine[] = request.map((line, i) => {
    const product = replicas.get(line.productId);
    if (!product) throw new NotFoundError(`Product ${line.productId} not found`);
    if (product.userId === userId) throw new BadRequestError('You cannot buy your own product', `items.${i}.productId`);
    return { productId: line.productId, title: product.title, priceMinor: product.priceMinor, quantity: line.quantity };
  });
  // Fast answer for what is visibly short; the conditional holds below are what decide.
  const shortLine = items.findIndex((l) => replicas.get(l.productId)!.available < l.quantity);
  if (shortLine >= 0) throw new ConflictError(`Not enough units of "${items[shortLine].title}" available`, `items.${shortLine}.quantity`);

  const started = now();
  const order = await Order.create({
    userId,
    status: 'pending',
    items,
    totalMinor: items.reduce((sum, l) => sum + l.priceMinor * l.quantity, 0),
    expiresAt: new Date(started + opts.expirationSeconds * 1000),
  });

  const tooSlow = () => new ConflictError('Placing the order took too long; nothing was held, please try again');
  let failure: Error | undefined;
  try {
    for (const [i, line] of items.entries()) {
      if (now() - started > (opts.holdingDeadlineMs ?? HOLDING_DEADLINE_MS)) {
        failure = tooSlow();
        break;
      }
      if (!(await reserveUnits(ProductReplica, line.productId, order.id, line.quantity))) {
        failure = new ConflictError(`Not enough units of "${line.title}" available`, `items.${i}.quantity`);
        break;
      }
      await opts.afterHold?.(i);
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
        return order;
      }
      failure = tooSlow(); // the sweeper took it for abandoned
    }
  } catch (err) {
    failure = err as Error; // e.g. the database went away: undo what can be undone, the sweeper does the rest
  }

  if (!(await failPendingOrder(Order, order._id))) {
    // Not pending any more: failed by the sweeper, or confirmed by a write whose answer was lost.
    const current = await Order.findById(order._id);
    if (current?.status === 'created') {
      ordersCreated.inc();
      return current;
    }
  }
  // Release every line even if the sweeper failed the order first: holds taken after it ran would leak.
  await settleHolds(models, { _id: order._id, id: order.id, items: order.items, holdAction: 'release' });
  throw failure;
}
