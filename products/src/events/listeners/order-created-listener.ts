import { Subjects, type EventData } from '@jetmart/common';
import { recordHeld } from '../../models';
import { refreshStocks } from '../../stock';
import { OrderLinesListener } from './order-lines-listener';

/** An order now holds units: they stop counting as available here. */
export class OrderCreatedListener extends OrderLinesListener<typeof Subjects.OrderCreated> {
  readonly subject = Subjects.OrderCreated;

  async onMessage(data: EventData<typeof Subjects.OrderCreated>): Promise<void> {
    await recordHeld(this.models.UnitLedger, data.id, data.items);
    // After the ledger write: the stock signal of each product (published only when it flips).
    await refreshStocks(
      this.models,
      data.items.map((l) => l.productId),
    );
  }
}
