import { Subjects, type EventBus, type EventData, type ListenerOptions } from '@jetmart/common';
import { expirationEventId, orderExpiryDueAt } from '../../models/timers';
import { TimerListener, type TimerHoldOptions } from './timer-listener';

export interface ExpirySchedulingOptions extends TimerHoldOptions {
  /** How long after `expiresAt` the expiry fires (see `orderExpiryDueAt`). */
  graceMs?: number;
}

/** Holds each order.created message until the order expires, then publishes expiration.complete. */
export class OrderCreatedListener extends TimerListener<typeof Subjects.OrderCreated> {
  readonly subject = Subjects.OrderCreated;

  constructor(
    bus: EventBus,
    private readonly scheduling: ExpirySchedulingOptions,
    options: ListenerOptions = {},
  ) {
    super(bus, scheduling, options);
  }

  protected dueAt(data: EventData<typeof Subjects.OrderCreated>): Date {
    return orderExpiryDueAt(new Date(data.expiresAt), this.scheduling.graceMs);
  }

  protected async fire(data: EventData<typeof Subjects.OrderCreated>): Promise<void> {
    await this.bus.emit(Subjects.ExpirationComplete, { orderId: data.id, version: data.version }, expirationEventId(data.id));
  }

  protected describe(data: EventData<typeof Subjects.OrderCreated>): string {
    return `the expiry of order ${data.id}`;
  }
}
