import { Listener, RetryLater, Subjects, type EventBus, type EventData, type ListenerOptions } from '@jetmart/common';
import { recordRestocked, type ProductsModels } from '../../models';
import { refreshStocks } from '../../stock';

/**
 * A return reached the seller: its units go back on sale, once, only if the seller chose to
 * restock them (a damaged item does not).
 */
export class ReturnReceivedListener extends Listener<typeof Subjects.ReturnReceived> {
  readonly subject = Subjects.ReturnReceived;

  constructor(
    bus: EventBus,
    private readonly models: ProductsModels,
    options?: ListenerOptions,
  ) {
    super(bus, 'products', options);
  }

  async onMessage(data: EventData<typeof Subjects.ReturnReceived>): Promise<void> {
    if (!data.restock) return;
    const outcome = await recordRestocked(this.models.UnitLedger, data.orderId, data.id, data.items);
    // Also when nothing was restocked now: a redelivery after a crash between the ledger write and
    // the recompute must still recompute (it publishes nothing when nothing flipped).
    await refreshStocks(
      this.models,
      data.items.map((l) => l.productId),
    );
    if (outcome === 'not-sold-yet') throw new RetryLater(`order ${data.orderId} is not recorded as sold yet`);
  }
}
