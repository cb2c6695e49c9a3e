import { Listener, Subjects, type EventBus, type EventData, type ListenerOptions, type MessageContext } from '@jetmart/common';
import { applyShipmentStep, type OrdersModels } from '../../models';
import { projectShipment } from '../../sales';

/** A shipment was delivered: applied only onto the shipped version (a delivery that overtook it waits). */
export class ShipmentDeliveredListener extends Listener<typeof Subjects.ShipmentDelivered> {
  readonly subject = Subjects.ShipmentDelivered;

  constructor(
    bus: EventBus,
    private readonly deps: { models: OrdersModels },
    options?: ListenerOptions,
  ) {
    super(bus, 'orders', options);
  }

  async onMessage(
    data: EventData<typeof Subjects.ShipmentDelivered>,
    { log }: MessageContext<typeof Subjects.ShipmentDelivered>,
  ): Promise<void> {
    const outcome = await applyShipmentStep(this.deps.models.ShipmentReplica, data, 'delivered');
    // The sales read model takes the replica's state (also on a duplicate: finishes what a crash left).
    await projectShipment(this.deps, data.id);
    log.debug({ shipmentId: data.id, orderId: data.orderId, version: data.version, outcome }, 'shipment replica delivered');
  }
}
