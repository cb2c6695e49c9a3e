import { Listener, Subjects, type EventBus, type EventData, type ListenerOptions, type MessageContext } from '@jetmart/common';
import { createShipmentsForOrder } from '../../fulfilment';
import type { ShippingModels } from '../../models';

/**
 * A paid order: one shipment per seller. Handled several at once: each message is another order,
 * and the unique {orderId, sellerId} index makes a repeat (or a replica handling the same message
 * after a redelivery) a no-op.
 */
export class OrderCompletedListener extends Listener<typeof Subjects.OrderCompleted> {
  readonly subject = Subjects.OrderCompleted;

  constructor(
    bus: EventBus,
    private readonly deps: { models: ShippingModels },
    options: ListenerOptions = {},
  ) {
    super(bus, 'shipping', { concurrency: 8, ...options });
  }

  async onMessage(data: EventData<typeof Subjects.OrderCompleted>, { log }: MessageContext<typeof Subjects.OrderCompleted>): Promise<void> {
    const outcome = await createShipmentsForOrder(this.deps.models, data);
    if (outcome.kind === 'predates-fulfilment') {
      // Acked: orders placed before fulfilment existed have nothing to ship from (no seller or address).
      log.info({ orderId: data.id, missing: outcome.missing }, 'order.completed without fulfilment data: no shipment');
    }
  }
}
