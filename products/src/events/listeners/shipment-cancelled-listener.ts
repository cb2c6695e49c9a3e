import { Listener, RetryLater, Subjects, type EventBus, type EventData, type ListenerOptions } from '@jetmart/common';
import { recordRestocked, type ProductsModels } from '../../models';
import { refreshStocks } from '../../stock';

/** A cancelled part never left the seller: every line's units go back on sale, once. */
export class ShipmentCancelledListener extends Listener<typeof Subjects.ShipmentCancelled> {
  readonly subject = Subjects.ShipmentCancelled;

  constructor(
    bus: EventBus,
    private readonly models: ProductsModels,
    options?: ListenerOptions,
  ) {
    super(bus, 'products', options);
  }

  async onMessage(data: EventData<typeof Subjects.ShipmentCancelled>): Promise<void> {
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
