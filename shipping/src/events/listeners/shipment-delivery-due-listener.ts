import { Listener, Subjects, type EventBus, type EventData, type ListenerOptions, type MessageContext } from '@jetmart/common';
import { autoDeliverShipment, type DeliveryDeps } from '../../fulfilment';

/**
 * The auto-delivery time of a shipped shipment has come (the expiration service's timer): deliver
 * it, `by: 'auto'`, if it is still shipped at the version the timer was set for.
 */
export class ShipmentDeliveryDueListener extends Listener<typeof Subjects.ShipmentDeliveryDue> {
  readonly subject = Subjects.ShipmentDeliveryDue;

  constructor(
    bus: EventBus,
    private readonly deps: DeliveryDeps,
    options: ListenerOptions = {},
  ) {
    super(bus, 'shipping', { concurrency: 8, ...options });
  }

  async onMessage(
    data: EventData<typeof Subjects.ShipmentDeliveryDue>,
    { log }: MessageContext<typeof Subjects.ShipmentDeliveryDue>,
  ): Promise<void> {
    const result = await autoDeliverShipment(this.deps, data);
    // Acked either way: an unknown shipment cannot appear later (the timer follows its shipped event).
    if (result.kind === 'not-found') log.warn({ shipmentId: data.shipmentId }, 'delivery due for an unknown shipment');
  }
}
