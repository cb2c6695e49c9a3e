import { Listener, Subjects, type EventBus, type EventData, type ListenerOptions } from '@jetmart/common';
import { startOrderReplica, type OrderModel } from '../../models';

/**
 * Starts the replica of a new order at version 0. Handled many at once: each message is a
 * different order, the insert is idempotent (a duplicate is a no-op) and later versions wait for
 * it through applyVersion's version check, so delivery order does not matter. One at a time, the
 * replica fell seconds behind under checkout load while buyers' payments waited for it.
 */
export class OrderCreatedListener extends Listener<typeof Subjects.OrderCreated> {
  readonly subject = Subjects.OrderCreated;

  constructor(
    bus: EventBus,
    private readonly orders: OrderModel,
    options: ListenerOptions = {},
  ) {
    super(bus, 'payments', { concurrency: 16, ...options });
  }

  async onMessage(data: EventData<typeof Subjects.OrderCreated>): Promise<void> {
    await startOrderReplica(this.orders, data);
  }
}
