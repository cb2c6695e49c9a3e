import type { Order, OrderCancelReason } from '@jetmart/common/contracts';

/** Why a cancelled order ended, as the buyer reads it (short form for the orders list). */
const CANCEL_REASONS: Record<OrderCancelReason, { short: string; sentence: string }> = {
  buyer: { short: 'Cancelled by you', sentence: 'You cancelled this order.' },
  expired: { short: 'Expired: not paid in time', sentence: 'This order expired: it was not paid in time.' },
  unavailable: {
    short: 'Items no longer available',
    sentence: 'This order was cancelled because some of its items are no longer available.',
  },
};

export function cancelReasonShort(reason: OrderCancelReason | undefined): string | undefined {
  return reason ? CANCEL_REASONS[reason]?.short : undefined;
}

export function cancelReasonSentence(reason: OrderCancelReason | undefined): string | undefined {
  return reason ? CANCEL_REASONS[reason]?.sentence : undefined;
}

/** Units across the order's lines ("3 items" for 2 lamps and a mug). */
export function itemCount(order: Pick<Order, 'items'>): number {
  return order.items.reduce((n, i) => n + i.quantity, 0);
}

export function itemCountText(order: Pick<Order, 'items'>): string {
  const n = itemCount(order);
  return `${n} ${n === 1 ? 'item' : 'items'}`;
}

/** The short number shown for an order (its id's last 8 characters). */
export function orderNumber(id: string): string {
  return `#${id.slice(-8)}`;
}
