import { Listener, Subjects, type EventBus, type EventData, type ListenerOptions } from '@jetmart/common';
import { recordHeld, type ProductsModels } from '../../models';
import { refreshStocks } from '../../stock';

/** An order now holds units: they stop counting as available here. */
export class OrderCreatedListener extends Listener<typeof Subjects.OrderCreated> {
  readonly subject = Subjects.OrderCreated;

  constructor(
    bus: EventBus,
    private readonly models: ProductsModels,
    options?: ListenerOptions,
  ) {
    super(bus, 'products', options);
  }

  async onMessage(data: EventData<typeof Subjects.OrderCreated>): Promise<void> {
    await recordHeld(this.models.UnitLedger, data.id, data.items);
    // After the ledger write: the stock signal of each product (published only when it flips).
    await refreshStocks(
      this.models,
      data.items.map((l) => l.productId),
    );
  }
}
