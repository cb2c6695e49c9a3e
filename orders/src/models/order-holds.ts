import type { OrderDoc, OrderModel, HoldAction } from './order';
import { releaseUnits, sellUnits, type ProductReplicaModel } from './product-replica';

export interface HoldModels {
  Order: OrderModel;
  ProductReplica: ProductReplicaModel;
}

type OrderRef = Pick<OrderDoc, '_id' | 'id' | 'items'>;

/**
 * Carries out the order's pending hold action (release or sell every line), then clears it.
 * Idempotent: the sweeper repeats it for orders whose process died before clearing.
 */
export async function settleHolds(models: HoldModels, order: OrderRef & { holdAction?: HoldAction | null }): Promise<void> {
  const action = order.holdAction;
  if (!action) return;
  const orderId = String(order._id);
  for (const line of order.items) {
    if (action === 'release') await releaseUnits(models.ProductReplica, line.productId, orderId, line.quantity);
    else await sellUnits(models.ProductReplica, line.productId, orderId, line.quantity);
  }
  // A raw update, so the order's (published) version does not move.
  await models.Order.updateOne({ _id: order._id, holdAction: action }, { $set: { holdAction: null } });
}

/**
 * pending → failed, marked to release its units. Conditional on `pending`, so it and the
 * pending → created confirmation cannot both happen. True if this call failed the order.
 */
export async function failPendingOrder(Order: OrderModel, orderId: unknown): Promise<boolean> {
  const res = await Order.updateOne({ _id: orderId, status: 'pending' }, { $set: { status: 'failed', holdAction: 'release' } });
  return res.modifiedCount === 1;
}
