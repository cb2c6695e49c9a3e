import { Listener, Subjects, type EventBus, type EventData, type ListenerOptions } from '@jetmart/common';
import { releasePart, type PaymentsModels } from '../../models';

/** A delivered part's return window ended: its seller's money for the order becomes available. */
export class ReturnWindowClosedListener extends Listener<typeof Subjects.ReturnWindowClosed> {
  readonly subject = Subjects.ReturnWindowClosed;

  constructor(
    bus: EventBus,
    private readonly deps: { models: PaymentsModels },
    options: ListenerOptions = {},
  ) {
    super(bus, 'payments', { concurrency: 4, ...options });
  }

  async onMessage(data: EventData<typeof Subjects.ReturnWindowClosed>): Promise<void> {
    await releasePart(this.deps.models.Release, { orderId: data.orderId, sellerId: data.sellerId, reason: 'return-window-closed' });
  }
}
