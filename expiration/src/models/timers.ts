/**
 * When an order's expiry fires. There is no store: the order.created message itself is held on
 * JetStream (negative ack with a delay) until the order is due, so the schedule survives restarts
 * and is shared by every replica through the durable consumer.
 */
export type ExpiryDecision = { due: true } | { due: false; waitMs: number };

/**
 * Due at or after `expiresAt + graceMs`. The grace belongs to payments: it stops accepting a
 * payment at `expiresAt`, and a charge that began just before then gets `graceMs` for its
 * payment.created to reach orders before the expiry does, so an order paid in time is completed
 * rather than cancelled and refunded. Otherwise wait until then, but at most `maxHoldMs` at a time, so a
 * held message is looked at again regularly (a changed configuration or a clock correction takes
 * effect within one hold; nothing is parked for hours in one server timer).
 */
export function expiryDecision(expiresAt: Date, now: Date, maxHoldMs: number, graceMs = 0): ExpiryDecision {
  const remaining = expiresAt.getTime() + graceMs - now.getTime();
  if (remaining <= 0) return { due: true };
  return { due: false, waitMs: Math.min(remaining, maxHoldMs) };
}

/**
 * The event id (= JetStream message id) of an order's expiry. Deterministic, so a second publish
 * for the same order (another replica after an ack timeout, a redelivery after a crash between
 * publish and ack) is dropped by the stream's duplicate window instead of reaching orders twice.
 */
export function expirationEventId(orderId: string): string {
  return `expiration-${orderId}`;
}
