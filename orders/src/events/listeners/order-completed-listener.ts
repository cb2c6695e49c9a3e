import { Listener, stringField, Subjects, type EventBus, type EventData, type ListenerOptions, type MessageContext } from '@jetmart/common';
import type { OrdersModels } from '../../models';
import { recordSale } from '../../sales';

/**
 * This service's own order.completed feeds the sellers' sales read model (recordSale): one line
 * per paid line, once, dated when the order was paid (the event's occurredAt).
 */
export class OrderCompletedListener extends Listener<typeof Subjects.OrderCompleted> {
  readonly subject = Subjects.OrderCompleted;

  constructor(
    bus: EventBus,
    private readonly deps: { models: OrdersModels },
    options?: ListenerOptions,
  ) {
    // Orders at once, each order's deliveries in turn (its sale lines are written by one at a time).
    super(bus, 'orders', { concurrency: 4, ...options });
  }

  protected orderingKey(data: unknown): string | undefined {
    return stringField(data, 'id');
  }

  async onMessage(
    data: EventData<typeof Subjects.OrderCompleted>,
    { event, log }: MessageContext<typeof Subjects.OrderCompleted>,
  ): Promise<void> {
    const result = await recordSale(this.deps, data, event.occurredAt);
    log.debug({ orderId: data.id, ...result }, 'sale recorded');
  }
}
