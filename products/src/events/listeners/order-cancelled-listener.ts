import { Listener, Subjects, type EventBus, type EventData, type ListenerOptions } from '@jetmart/common';
import { recordReleased, type ProductsModels } from '../../models';
import { refreshStocks } from '../../stock';

/** A cancelled (or expired) order's units are on sale again. */
export class OrderCancelledListener extends Listener<typeof Subjects.OrderCancelled> {
  readonly subject = Subjects.OrderCancelled;

  constructor(
    bus: EventBus,
    private readonly models: ProductsModels,
    options?: ListenerOptions,
  ) {
    super(bus, 'products', options);
  }

  async onMessage(data: EventData<typeof Subjects.OrderCancelled>): Promise<void> {
    await recordReleased(this.models.UnitLedger, data.id, data.items);
    // After the ledger write: the stock signal of each product (published only when it flips).
    await refreshStocks(
      this.models,
      data.items.map((l) => l.productId),
    );
  }
}
