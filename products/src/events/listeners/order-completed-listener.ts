import { Listener, Subjects, type EventBus, type EventData, type ListenerOptions } from '@jetmart/common';
import { recordSold, type UnitLedgerModel } from '../../models';

/** A paid order's held units are sold. */
export class OrderCompletedListener extends Listener<typeof Subjects.OrderCompleted> {
  readonly subject = Subjects.OrderCompleted;

  constructor(
    bus: EventBus,
    private readonly ledger: UnitLedgerModel,
    options?: ListenerOptions,
  ) {
    super(bus, 'products', options);
  }

  async onMessage(data: EventData<typeof Subjects.OrderCompleted>): Promise<void> {
    await recordSold(this.ledger, data.id, data.items);
  }
}
