import { Listener, RetryLater, Subjects, type EventBus, type EventData, type ListenerOptions } from '@jetmart/common';
import { postRefund } from '../../ledger';
import type { PaymentsModels } from '../../models';

/** payments' own `payment.refunded`: the refunded lines' sellers are debited and the commission share returned. */
export class PaymentRefundedListener extends Listener<typeof Subjects.PaymentRefunded> {
  readonly subject = Subjects.PaymentRefunded;

  constructor(
    bus: EventBus,
    private readonly deps: { models: PaymentsModels },
    options: ListenerOptions = {},
  ) {
    super(bus, 'payments', { concurrency: 4, maxWaits: 1_000, ...options });
  }

  async onMessage(data: EventData<typeof Subjects.PaymentRefunded>): Promise<void> {
    const outcome = await postRefund(this.deps, data.id);
    switch (outcome.kind) {
      case 'posted':
      case 'unknown-refund':
      case 'no-sale':
        return;
      case 'sale-not-posted':
        throw new RetryLater(`the sale of order ${outcome.orderId} is not on the books yet`, 2_000);
      case 'mismatch':
        throw new Error(outcome.message);
    }
  }
}
