import { Listener, RetryLater, Subjects, type EventBus, type EventData, type ListenerOptions } from '@jetmart/common';
import { recordRestocked, type UnitLedgerModel } from '../../models';

/** A cancelled part never left the seller: every line's units go back on sale, once. */
export class ShipmentCancelledListener extends Listener<typeof Subjects.ShipmentCancelled> {
  readonly subject = Subjects.ShipmentCancelled;

  constructor(
    bus: EventBus,
    private readonly ledger: UnitLedgerModel,
    options?: ListenerOptions,
  ) {
    super(bus, 'products', options);
  }

  async onMessage(data: EventData<typeof Subjects.ShipmentCancelled>): Promise<void> {
    const outcome = await recordRestocked(this.ledger, data.orderId, data.id, data.items);
    if (outcome === 'not-sold-yet') throw new RetryLater(`order ${data.orderId} is not recorded as sold yet`);
  }
}
