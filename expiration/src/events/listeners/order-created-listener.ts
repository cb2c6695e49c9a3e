import { Listener, RetryLater, Subjects, type EventBus, type EventData, type ListenerOptions } from '@jetmart/common';
import { expirationEventId, expiryDecision } from '../../models/expiry';

export interface ExpirySchedulingOptions {
  /** Longest single hold of a message (see `expiryDecision`). */
  maxHoldMs: number;
  /** How long after `expiresAt` the expiry fires (see `expiryDecision`). */
  graceMs?: number;
}

/** Every outstanding order is one unacknowledged message: room for 10,000+ at once (issue 4). */
export const MAX_OUTSTANDING_EXPIRIES = 50_000;

/**
 * Holds each order.created message until the order expires, then publishes expiration.complete
 * and acks. Durable `expiration-order-created` is shared by all replicas: a message is with one
 * replica at a time, and when it is held (nak with delay) it stays on the server, so a restart or
 * a crash loses nothing; the deterministic event id makes a repeated publish a dropped duplicate.
 */
export class OrderCreatedListener extends Listener<typeof Subjects.OrderCreated> {
  readonly subject = Subjects.OrderCreated;

  constructor(
    bus: EventBus,
    private readonly scheduling: ExpirySchedulingOptions,
    options: ListenerOptions = {},
  ) {
    super(bus, 'expiration', {
      // Holding is waiting, not failing: a 900 s order with a 300 s hold cap waits 3+ times, and
      // no number of waits may send an order to the dead-letter stream.
      maxWaits: Number.MAX_SAFE_INTEGER,
      maxAckPending: MAX_OUTSTANDING_EXPIRIES,
      concurrency: 32,
      ...options,
    });
  }

  async onMessage(data: EventData<typeof Subjects.OrderCreated>): Promise<void> {
    const decision = expiryDecision(new Date(data.expiresAt), new Date(), this.scheduling.maxHoldMs, this.scheduling.graceMs);
    if (!decision.due) throw new RetryLater(`order ${data.id} expires at ${data.expiresAt}`, decision.waitMs);
    await this.bus.emit(Subjects.ExpirationComplete, { orderId: data.id, version: data.version }, expirationEventId(data.id));
  }
}
