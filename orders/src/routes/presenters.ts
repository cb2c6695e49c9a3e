import { fromMinor } from '@jetmart/common';
import type { Order } from '@jetmart/common/contracts';
import type { OrderFields } from '../models';

type StoredOrder = Pick<OrderFields, 'userId' | 'status' | 'items' | 'totalMinor' | 'expiresAt' | 'cancelReason' | 'version' | 'createdAt'> & { _id: unknown };

/** An order as the API shows it. Only visible orders (created, complete, cancelled) are presented. */
export function presentOrder(doc: StoredOrder): Order {
  return {
    id: String(doc._id),
    userId: doc.userId,
    status: doc.status as Order['status'], // the routes read visible statuses only
    items: doc.items.map((l) => ({ productId: l.productId, title: l.title, price: fromMinor(l.priceMinor), quantity: l.quantity })),
    total: fromMinor(doc.totalMinor),
    expiresAt: doc.expiresAt.toISOString(),
    createdAt: doc.createdAt.toISOString(),
    ...(doc.status === 'cancelled' && doc.cancelReason ? { cancelReason: doc.cancelReason } : {}),
    version: doc.version,
  };
}
