import { Listener, Subjects, type EventBus, type EventData, type ListenerOptions } from '@jetmart/common';
import { recordHeld, type UnitLedgerModel } from '../../models';

/** An order now holds units: they stop counting as available here. */
export class OrderCreatedListener extends Listener<typeof Subjects.OrderCreated> {
  readonly subject = Subjects.OrderCreated;

  constructor(
    bus: EventBus,
    private readonly ledger: UnitLedgerModel,
    options?: ListenerOptions,
  ) {
    super(bus, 'products', options);
  }

  async onMessage(data: EventData<typeof Subjects.OrderCreated>): Promise<void> {
    await recordHeld(this.ledger, data.id, data.items);
  }
}
