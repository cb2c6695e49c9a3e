/**
 * When a timer fires. There is no store: the message that starts a timer (order.created,
 * shipment.shipped, shipment.delivered) is itself held on JetStream (negative ack with a delay) until it is due, so
 * the schedule survives restarts and is shared by every replica through the durable consumer.
 */
export type TimerDecision = { due: true } | { due: false; waitMs: number };

/**
 * Due at or after `dueAt`. Otherwise wait until then, but at most `maxHoldMs` at a time, so a held
 * message is looked at again regularly (a changed configuration or a clock correction takes effect
 * within one hold; nothing is parked for days in one server timer).
 */
export function timerDecision(dueAt: Date, now: Date, maxHoldMs: number): TimerDecision {
  const remaining = dueAt.getTime() - now.getTime();
  if (remaining <= 0) return { due: true };
  return { due: false, waitMs: Math.min(remaining, maxHoldMs) };
}

/**
 * When an order's expiry fires: `graceMs` after `expiresAt`. The grace belongs to payments: it
 * stops accepting a payment at `expiresAt`, and a charge that began just before then gets `graceMs`
 * for its payment.created to reach orders before the expiry does, so an order paid in time is
 * completed rather than cancelled and refunded.
 */
export function orderExpiryDueAt(expiresAt: Date, graceMs = 0): Date {
  return new Date(expiresAt.getTime() + graceMs);
}

/**
 * The event id (= JetStream message id) of an order's expiry. Deterministic, so a second publish
 * for the same order (another replica after an ack timeout, a redelivery after a crash between
 * publish and ack, order.created delivered twice) is dropped by the stream's duplicate window
 * instead of reaching orders twice.
 */
export function expirationEventId(orderId: string): string {
  return `expiration-${orderId}`;
}

/**
 * The event id of a shipment's delivery-due event, deterministic for the same reasons. The version
 * is part of it: a timer scheduled for another shipped version is another timer.
 */
export function deliveryDueEventId(shipmentId: string, version: number): string {
  return `shipment-delivery-due-${shipmentId}-${version}`;
}

/**
 * The event id of a shipment's return-window-closed event, deterministic for the same reasons.
 * The version (the delivered version) is part of it, like the delivery-due timer's: another
 * delivered version would be another window.
 */
export function returnWindowClosedEventId(shipmentId: string, version: number): string {
  return `return-window-closed-${shipmentId}-${version}`;
}
