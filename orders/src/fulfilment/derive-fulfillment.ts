import type { FulfillmentStatus } from '@jetmart/common/contracts';
import type { OrderStatus, ShipmentReplicaStatus } from '../models';

export interface FulfillmentInput {
  status: OrderStatus;
  items: readonly { sellerId?: string }[];
}

export interface ShipmentState {
  sellerId: string;
  status: ShipmentReplicaStatus;
}

const RANK: Record<Exclude<ShipmentReplicaStatus, 'cancelled'>, number> = { pending: 0, shipped: 1, delivered: 2 };

/**
 * Where an order's goods are, from the order and the replicas of its shipments; never stored.
 * A cancelled order is `cancelled`; an unpaid one `unfulfilled`. A paid order has one part per
 * distinct seller of its lines; a part whose shipment has not reached this replica yet counts as
 * pending. Then: all delivered → delivered, some → partially_delivered; all shipped or
 * delivered → shipped, some → partially_shipped; else unfulfilled. A paid order without sellers
 * (placed before fulfilment) gets no shipment and stays unfulfilled. Shipments of sellers that
 * are not on the order are ignored; should a seller have two, the furthest one counts.
 * A cancelled part (its buyer cancelled it before it shipped) is no part any more: it is left out,
 * unless its seller also has a live shipment; an order whose every part is cancelled is `cancelled`.
 */
export function deriveFulfillment(order: FulfillmentInput, shipments: readonly ShipmentState[]): FulfillmentStatus {
  if (order.status === 'cancelled') return 'cancelled';
  if (order.status !== 'complete') return 'unfulfilled';
  const parts = new Map<string, number>();
  for (const line of order.items) if (line.sellerId) parts.set(line.sellerId, RANK.pending);
  if (parts.size === 0) return 'unfulfilled';
  const live = new Set<string>();
  const cancelled = new Set<string>();
  for (const s of shipments) {
    const at = parts.get(s.sellerId);
    if (at === undefined) continue;
    if (s.status === 'cancelled') {
      cancelled.add(s.sellerId);
      continue;
    }
    live.add(s.sellerId);
    parts.set(s.sellerId, Math.max(at, RANK[s.status]));
  }
  for (const seller of cancelled) if (!live.has(seller)) parts.delete(seller);
  if (parts.size === 0) return 'cancelled';
  const ranks = [...parts.values()];
  const delivered = ranks.filter((r) => r === RANK.delivered).length;
  const shipped = ranks.filter((r) => r >= RANK.shipped).length;
  if (delivered === ranks.length) return 'delivered';
  if (delivered > 0) return 'partially_delivered';
  if (shipped === ranks.length) return 'shipped';
  if (shipped > 0) return 'partially_shipped';
  return 'unfulfilled';
}
