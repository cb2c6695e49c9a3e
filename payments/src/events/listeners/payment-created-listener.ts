import { Listener, Subjects, type EventBus, type EventData, type ListenerOptions } from '@jetmart/common';
import { postSale } from '../../ledger';
import type { PaymentsModels } from '../../models';

/**
 * payments' own `payment.created`: the charge is on record, so the order's sellers are credited
 * (the ledger follows the charge through the outbox, so a crash between the two loses nothing).
 */
export class PaymentCreatedListener extends Listener<typeof Subjects.PaymentCreated> {
  readonly subject = Subjects.PaymentCreated;

  constructor(
    bus: EventBus,
    private readonly deps: { models: PaymentsModels; commissionPercent: number },
    options: ListenerOptions = {},
  ) {
    super(bus, 'payments', { concurrency: 4, ...options });
  }

  async onMessage(data: EventData<typeof Subjects.PaymentCreated>): Promise<void> {
    // Every outcome is final: the event leaves the payment's outbox after its write, so an unknown
    // or uncharged payment will not appear later, and an order replicated before the ledger existed
    // (no lines) will never have any (such orders stay outside the books: docs/SPEC.md).
    await postSale(this.deps, data.id);
  }
}
