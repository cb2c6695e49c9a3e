import { Listener, Subjects, type EventBus, type EventData, type ListenerOptions } from '@jetmart/common';
import { recordSold, type ProductsModels } from '../../models';
import { refreshStocks } from '../../stock';

/** A paid order's held units are sold. */
export class OrderCompletedListener extends Listener<typeof Subjects.OrderCompleted> {
  readonly subject = Subjects.OrderCompleted;

  constructor(
    bus: EventBus,
    private readonly models: ProductsModels,
    options?: ListenerOptions,
  ) {
    super(bus, 'products', options);
  }

  async onMessage(data: EventData<typeof Subjects.OrderCompleted>): Promise<void> {
    const changed = await recordSold(this.models.UnitLedger, data.id, data.items);
    // After the ledger write: the stock signal of each product whose units taken may have moved
    // (published only when it flips).
    await refreshStocks(this.models, changed);
  }
}
