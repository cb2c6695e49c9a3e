/**
 * The order tickets of the orders this tab has just placed (issue 21): the answer to
 * POST /api/orders carries one, and sending it with POST /api/payments lets payments take the
 * order before its order.created event has reached it (under load that can be seconds; without
 * the ticket, payments waits a little and may answer 404).
 *
 * Held in this module's memory only: it survives the client-side navigation from the cart to the
 * order page, and is gone on a reload or in another tab, where payments has long had the order.
 * Never put in localStorage, sessionStorage or a cookie: it is a signed statement about the
 * buyer's order and of no use once the order is paid, cancelled or expired.
 */
const tickets = new Map<string, { ticket: string; expiresAt: number }>();

/** Keeps the ticket of an order just placed, until the order's `expiresAt` (ISO 8601). */
export function keepOrderTicket(order: { id: string; expiresAt: string; orderTicket?: string }): void {
  if (typeof order.orderTicket !== 'string' || !order.orderTicket) return; // an older orders service
  tickets.set(order.id, { ticket: order.orderTicket, expiresAt: Date.parse(order.expiresAt) });
}

/** The ticket of `orderId` if this tab placed it and it has not expired; an expired one is dropped. */
export function orderTicketFor(orderId: string, now: number = Date.now()): string | undefined {
  const kept = tickets.get(orderId);
  if (!kept) return undefined;
  if (!(kept.expiresAt > now)) {
    tickets.delete(orderId);
    return undefined;
  }
  return kept.ticket;
}

/** Drops the ticket once the order no longer needs it (paid, or it can no longer be paid). */
export function forgetOrderTicket(orderId: string): void {
  tickets.delete(orderId);
}

/** The body of POST /api/payments: with the order's ticket when this tab has one. */
export function paymentBody(
  orderId: string,
  token: string,
  now: number = Date.now(),
): { orderId: string; token: string; orderTicket?: string } {
  const orderTicket = orderTicketFor(orderId, now);
  return orderTicket ? { orderId, token, orderTicket } : { orderId, token };
}
