import { Listener, Subjects, type EventBus, type EventData, type ListenerOptions, type MessageContext } from '@jetmart/common';
import { restockUnits, type OrdersModels } from '../../models';
import { projectReturn } from '../../sales';

/**
 * This service's own return.received: the sales read model counts the units returned, and when
 * the seller chose to restock, the units go back on sale (each once per return and product). Consuming the event rather than restocking in the request means
 * a crash right after the return's save still restocks: the outbox publishes the event.
 */
export class ReturnReceivedListener extends Listener<typeof Subjects.ReturnReceived> {
  readonly subject = Subjects.ReturnReceived;

  constructor(
    bus: EventBus,
    private readonly deps: { models: OrdersModels },
    options?: ListenerOptions,
  ) {
    super(bus, 'orders', options);
  }

  async onMessage(data: EventData<typeof Subjects.ReturnReceived>, { log }: MessageContext<typeof Subjects.ReturnReceived>): Promise<void> {
    await projectReturn(this.deps, data);
    if (!data.restock) return;
    for (const line of data.items) await restockUnits(this.deps.models.ProductReplica, line.productId, data.id, line.quantity);
    log.debug({ returnId: data.id, orderId: data.orderId }, 'returned units restocked');
  }
}
