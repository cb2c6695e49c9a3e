import { Listener, Subjects, type EventBus, type EventData, type ListenerOptions, type MessageContext } from '@jetmart/common';
import type { ProductsModels } from '../../models';
import { recordDelivery } from '../../reviews';

/** A shipment reached its buyer: its products become reviewable by them (verified buyer). */
export class ShipmentDeliveredListener extends Listener<typeof Subjects.ShipmentDelivered> {
  readonly subject = Subjects.ShipmentDelivered;

  constructor(
    bus: EventBus,
    private readonly deps: { models: ProductsModels },
    options?: ListenerOptions,
  ) {
    super(bus, 'products', options);
  }

  async onMessage(
    data: EventData<typeof Subjects.ShipmentDelivered>,
    { log }: MessageContext<typeof Subjects.ShipmentDelivered>,
  ): Promise<void> {
    const result = await recordDelivery(this.deps, {
      shipmentId: data.id,
      buyerId: data.buyerId,
      deliveredAt: data.deliveredAt,
      items: data.items,
    });
    // An event from before shipping carried its lines: acked (retrying would never help); its
    // buyer cannot review these products until a later delivery of them.
    if (result.kind === 'no-lines') log.warn({ shipmentId: data.id }, 'shipment.delivered without items: no delivered lines recorded');
  }
}
