import { Listener, Subjects, type EventBus, type EventData, type ListenerOptions, type MessageContext } from '@jetmart/common';
import { applyShipmentStep, restockUnits, type OrdersModels } from '../../models';
import { projectShipment } from '../../sales';

/**
 * A buyer cancelled a part before it shipped: its units go back on sale (a cancelled part never
 * left its seller; once per shipment and product) and the replica shows it cancelled (applied
 * only onto the pending version). Both are idempotent, so a redelivery finishes what a crash left.
 */
export class ShipmentCancelledListener extends Listener<typeof Subjects.ShipmentCancelled> {
  readonly subject = Subjects.ShipmentCancelled;

  constructor(
    bus: EventBus,
    private readonly deps: { models: OrdersModels },
    options?: ListenerOptions,
  ) {
    super(bus, 'orders', options);
  }

  async onMessage(
    data: EventData<typeof Subjects.ShipmentCancelled>,
    { log }: MessageContext<typeof Subjects.ShipmentCancelled>,
  ): Promise<void> {
    for (const line of data.items) await restockUnits(this.deps.models.ProductReplica, line.productId, data.id, line.quantity);
    const outcome = await applyShipmentStep(this.deps.models.ShipmentReplica, data, 'cancelled');
    await projectShipment(this.deps, data.id);
    log.debug(
      { shipmentId: data.id, orderId: data.orderId, version: data.version, outcome },
      'shipment replica cancelled, units restocked',
    );
  }
}
