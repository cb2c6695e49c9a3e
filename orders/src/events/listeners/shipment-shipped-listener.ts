import { Listener, Subjects, type EventBus, type EventData, type ListenerOptions, type MessageContext } from '@jetmart/common';
import { applyShipmentStep, type OrdersModels } from '../../models';
import { projectShipment } from '../../sales';

/** A shipment was shipped: applied only onto the previous version (gaps wait, duplicates are dropped). */
export class ShipmentShippedListener extends Listener<typeof Subjects.ShipmentShipped> {
  readonly subject = Subjects.ShipmentShipped;

  constructor(
    bus: EventBus,
    private readonly deps: { models: OrdersModels },
    options?: ListenerOptions,
  ) {
    super(bus, 'orders', options);
  }

  async onMessage(
    data: EventData<typeof Subjects.ShipmentShipped>,
    { log }: MessageContext<typeof Subjects.ShipmentShipped>,
  ): Promise<void> {
    const outcome = await applyShipmentStep(this.deps.models.ShipmentReplica, data, 'shipped');
    // The sales read model takes the replica's state (also on a duplicate: finishes what a crash left).
    await projectShipment(this.deps, data.id);
    log.debug({ shipmentId: data.id, orderId: data.orderId, version: data.version, outcome }, 'shipment replica shipped');
  }
}
