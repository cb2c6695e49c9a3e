import { Subjects, type EventData } from '@jetmart/common';
import { recordSold } from '../../models';
import { refreshStocks } from '../../stock';
import { OrderLinesListener } from './order-lines-listener';

/** A paid order's held units are sold. */
export class OrderCompletedListener extends OrderLinesListener<typeof Subjects.OrderCompleted> {
  readonly subject = Subjects.OrderCompleted;

  async onMessage(data: EventData<typeof Subjects.OrderCompleted>): Promise<void> {
    const changed = await recordSold(this.models.UnitLedger, data.id, data.items);
    // After the ledger write: the stock signal of each product whose units taken may have moved
    // (published only when it flips).
    await refreshStocks(this.models, changed);
  }
}
