import { Listener, Subjects, type EventBus, type EventData, type ListenerOptions, type MessageContext } from '@jetmart/common';
import { applyShipmentStep, type ShipmentReplicaModel } from '../../models';

/** A shipment was delivered: applied only onto the shipped version (a delivery that overtook it waits). */
export class ShipmentDeliveredListener extends Listener<typeof Subjects.ShipmentDelivered> {
  readonly subject = Subjects.ShipmentDelivered;

  constructor(
    bus: EventBus,
    private readonly replicas: ShipmentReplicaModel,
    options?: ListenerOptions,
  ) {
    super(bus, 'orders', options);
  }

  async onMessage(
    data: EventData<typeof Subjects.ShipmentDelivered>,
    { log }: MessageContext<typeof Subjects.ShipmentDelivered>,
  ): Promise<void> {
    const outcome = await applyShipmentStep(this.replicas, data, 'delivered');
    log.debug({ shipmentId: data.id, orderId: data.orderId, version: data.version, outcome }, 'shipment replica delivered');
  }
}
