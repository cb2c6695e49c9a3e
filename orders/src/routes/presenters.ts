import { fromMinor } from '@jetmart/common';
import type { Order } from '@jetmart/common/contracts';
import { deriveFulfillment, type ShipmentState } from '../fulfilment';
import { plainAddress, type OrderFields } from '../models';

type StoredOrder = Pick<
  OrderFields,
  'userId' | 'status' | 'items' | 'totalMinor' | 'shippingAddress' | 'expiresAt' | 'cancelReason' | 'version' | 'createdAt'
> & {
  _id: unknown;
};

/**
 * An order as the API shows it, its fulfilment derived from `shipments` (the replicas of this
 * order's shipments). Only visible orders (created, complete, cancelled) are presented.
 */
export function presentOrder(doc: StoredOrder, shipments: readonly ShipmentState[]): Order {
  return {
    id: String(doc._id),
    userId: doc.userId,
    status: doc.status as Order['status'], // the routes read visible statuses only
    items: doc.items.map((l) => ({
      productId: l.productId,
      ...(l.sellerId ? { sellerId: l.sellerId } : {}),
      title: l.title,
      price: fromMinor(l.priceMinor),
      quantity: l.quantity,
    })),
    total: fromMinor(doc.totalMinor),
    expiresAt: doc.expiresAt.toISOString(),
    createdAt: doc.createdAt.toISOString(),
    ...(doc.status === 'cancelled' && doc.cancelReason ? { cancelReason: doc.cancelReason } : {}),
    ...(doc.shippingAddress ? { shippingAddress: plainAddress(doc.shippingAddress) } : {}),
    fulfillment: deriveFulfillment(doc, shipments),
    version: doc.version,
  };
}
