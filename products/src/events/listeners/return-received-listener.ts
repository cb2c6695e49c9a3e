import { Listener, RetryLater, Subjects, type EventBus, type EventData, type ListenerOptions } from '@jetmart/common';
import { recordRestocked, type UnitLedgerModel } from '../../models';

/**
 * A return reached the seller: its units go back on sale, once, only if the seller chose to
 * restock them (a damaged item does not).
 */
export class ReturnReceivedListener extends Listener<typeof Subjects.ReturnReceived> {
  readonly subject = Subjects.ReturnReceived;

  constructor(
    bus: EventBus,
    private readonly ledger: UnitLedgerModel,
    options?: ListenerOptions,
  ) {
    super(bus, 'products', options);
  }

  async onMessage(data: EventData<typeof Subjects.ReturnReceived>): Promise<void> {
    if (!data.restock) return;
    const outcome = await recordRestocked(this.ledger, data.orderId, data.id, data.items);
    if (outcome === 'not-sold-yet') throw new RetryLater(`order ${data.orderId} is not recorded as sold yet`);
  }
}
