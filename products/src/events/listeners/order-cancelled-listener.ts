import { Listener, Subjects, type EventBus, type EventData, type ListenerOptions } from '@jetmart/common';
import { recordReleased, type UnitLedgerModel } from '../../models';

/** A cancelled (or expired) order's units are on sale again. */
export class OrderCancelledListener extends Listener<typeof Subjects.OrderCancelled> {
  readonly subject = Subjects.OrderCancelled;

  constructor(
    bus: EventBus,
    private readonly ledger: UnitLedgerModel,
    options?: ListenerOptions,
  ) {
    super(bus, 'products', options);
  }

  async onMessage(data: EventData<typeof Subjects.OrderCancelled>): Promise<void> {
    await recordReleased(this.ledger, data.id, data.items);
  }
}
