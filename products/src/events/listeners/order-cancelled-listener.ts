import { Subjects, type EventData } from '@jetmart/common';
import { recordReleased } from '../../models';
import { refreshStocks } from '../../stock';
import { OrderLinesListener } from './order-lines-listener';

/** A cancelled (or expired) order's units are on sale again. */
export class OrderCancelledListener extends OrderLinesListener<typeof Subjects.OrderCancelled> {
  readonly subject = Subjects.OrderCancelled;

  async onMessage(data: EventData<typeof Subjects.OrderCancelled>): Promise<void> {
    await recordReleased(this.models.UnitLedger, data.id, data.items);
    // After the ledger write: the stock signal of each product (published only when it flips).
    await refreshStocks(
      this.models,
      data.items.map((l) => l.productId),
    );
  }
}
