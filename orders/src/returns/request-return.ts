import { Types } from 'mongoose';
import { objectIdPattern } from '@jetmart/common';
import type { ReturnReason } from '@jetmart/common/contracts';
import {
  newReturn,
  reserveReturnable,
  returnableKey,
  VISIBLE_STATUSES,
  type OrdersModels,
  type ReturnDoc,
  type ShipmentReplicaFields,
} from '../models';

export interface ReturnRequestLine {
  productId: string;
  quantity: number;
}

export interface ReturnRequest {
  orderId: string;
  buyerId: string;
  items: ReturnRequestLine[];
  reason: ReturnReason;
  note?: string;
}

/**
 * Why a return was not requested (nothing was reserved, nothing stored):
 *   not-found        no such order of this buyer
 *   unknown-product  a line names a product that is not on the order (`line`: its index)
 *   several-sellers  the lines belong to more than one seller's part (one return per shipment)
 *   not-delivered    the order is not paid, or the seller's part is not (yet) delivered
 *   window-closed    the return window of that part closed (`until`: its end, when known)
 *   too-many         more units than bought minus those in live returns (`line`: the first short line)
 */
export type RequestReturnResult =
  | { kind: 'requested'; ret: ReturnDoc }
  | { kind: 'not-found' }
  | { kind: 'unknown-product'; line: number }
  | { kind: 'several-sellers'; line: number }
  | { kind: 'not-delivered' }
  | { kind: 'window-closed'; until?: Date }
  | { kind: 'too-many'; line: number };

type Replica = Pick<ShipmentReplicaFields, '_id' | 'status' | 'returnable' | 'returnableUntil' | 'returnWindowClosed'>;

/** Why the part cannot take this return, read from its replica (null: it can, as far as it says). */
function refusal(replica: Replica | null, items: readonly ReturnRequestLine[], key: (p: string) => string): RequestReturnResult | null {
  if (!replica || replica.status !== 'delivered') return { kind: 'not-delivered' };
  if (replica.returnWindowClosed) return { kind: 'window-closed', ...(replica.returnableUntil ? { until: replica.returnableUntil } : {}) };
  const short = items.findIndex((l) => (replica.returnable?.[key(l.productId)] ?? 0) < l.quantity);
  return short >= 0 ? { kind: 'too-many', line: short } : null;
}

/**
 * A buyer asks to return units of one seller's delivered part. The units are reserved first, by
 * one conditional update of the part's `returnable` counts (reserveReturnable: delivered, window
 * open, enough units of every line), so concurrent requests never return more than was bought;
 * then the return is inserted with return.requested in its outbox.
 *
 * Crash window: a process that dies between the reservation and the insert leaves those units
 * reserved with no return holding them: the buyer can return that many fewer units. Decided: we
 * accept it (fail-safe: never more returned, or refunded, than bought; a crash at exactly that
 * point is rare and support can put the units back). The other order (insert, then reserve)
 * would publish return.requested for a return whose units may not exist.
 */
export async function requestReturn(deps: { models: OrdersModels }, input: ReturnRequest): Promise<RequestReturnResult> {
  const { Order, ShipmentReplica, Return } = deps.models;
  if (!objectIdPattern.test(input.orderId)) return { kind: 'not-found' };
  const order = await Order.findOne({ _id: input.orderId, userId: input.buyerId, status: { $in: VISIBLE_STATUSES } }).lean();
  if (!order) return { kind: 'not-found' };

  const lines = [];
  let sellerId: string | undefined;
  for (const [i, item] of input.items.entries()) {
    const line = order.items.find((l) => l.productId === item.productId);
    if (!line) return { kind: 'unknown-product', line: i };
    // A line without a seller was placed before fulfilment: it has no shipment to return.
    if (!line.sellerId) return { kind: 'not-delivered' };
    if (sellerId !== undefined && line.sellerId !== sellerId) return { kind: 'several-sellers', line: i };
    sellerId = line.sellerId;
    if (item.quantity > line.quantity) return { kind: 'too-many', line: i };
    lines.push({ productId: line.productId, title: line.title, priceMinor: line.priceMinor, quantity: item.quantity });
  }
  if (order.status !== 'complete' || sellerId === undefined) return { kind: 'not-delivered' };

  // One live shipment per seller and order; a cancelled one has nothing to return.
  const replica = await ShipmentReplica.findOne({ orderId: input.orderId, sellerId, status: { $ne: 'cancelled' } }).lean();
  const refused = refusal(replica, input.items, returnableKey);
  if (refused) return refused;

  if (!(await reserveReturnable(ShipmentReplica, replica!._id, input.items))) {
    // Lost a race (another return, the window closing): say which, from the state now.
    const now = await ShipmentReplica.findById(replica!._id).lean();
    return refusal(now, input.items, returnableKey) ?? { kind: 'too-many', line: 0 };
  }
  const ret = newReturn(Return, {
    _id: new Types.ObjectId().toHexString(),
    orderId: input.orderId,
    shipmentId: replica!._id,
    sellerId,
    buyerId: input.buyerId,
    items: lines,
    reason: input.reason,
    ...(input.note !== undefined ? { note: input.note } : {}),
  });
  await ret.save();
  return { kind: 'requested', ret };
}
