import { Listener, stringField, Subjects, type EventBus, type EventData, type ListenerOptions, type MessageContext } from '@jetmart/common';
import { applyShipmentCreated, shipmentCreatedState, type OrdersModels } from '../../models';
import { projectShipment } from '../../sales';

/** A paid order's part for one seller: its replica starts pending, at version 0. */
export class ShipmentCreatedListener extends Listener<typeof Subjects.ShipmentCreated> {
  readonly subject = Subjects.ShipmentCreated;

  constructor(
    bus: EventBus,
    private readonly deps: { models: OrdersModels },
    options?: ListenerOptions,
  ) {
    // Orders at once, one order's shipments in turn: each projects onto that order's sale lines.
    super(bus, 'orders', { concurrency: 4, ...options });
  }

  protected orderingKey(data: unknown): string | undefined {
    return stringField(data, 'orderId');
  }

  async onMessage(
    data: EventData<typeof Subjects.ShipmentCreated>,
    { log }: MessageContext<typeof Subjects.ShipmentCreated>,
  ): Promise<void> {
    const outcome = await applyShipmentCreated(this.deps.models.ShipmentReplica, data);
    // The sales read model takes the replica's state (also on a duplicate: finishes what a crash
    // left, read back); the replica this delivery created is the event's, with nothing to read.
    const created = outcome === 'applied' ? shipmentCreatedState(data) : undefined;
    await projectShipment(this.deps, data.id, created);
    log.debug({ shipmentId: data.id, orderId: data.orderId, outcome }, 'shipment replica created');
  }
}
