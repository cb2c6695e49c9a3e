import { Listener, Subjects, type EventBus, type EventData, type ListenerOptions, type MessageContext } from '@jetmart/common';
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
    super(bus, 'orders', options);
  }

  async onMessage(
    data: EventData<typeof Subjects.OrderCompleted>,
    { event, log }: MessageContext<typeof Subjects.OrderCompleted>,
  ): Promise<void> {
    const result = await recordSale(this.deps, data, event.occurredAt);
    log.debug({ orderId: data.id, ...result }, 'sale recorded');
  }
}
