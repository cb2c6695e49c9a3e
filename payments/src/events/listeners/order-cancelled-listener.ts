import { applyVersion, Listener, RetryLater, Subjects, type EventBus, type EventData, type ListenerOptions } from '@jetmart/common';
import { refundIfCharged } from '../../charging';
import type { PaymentGateway } from '../../gateway/payment-gateway';
import type { PaymentsModels } from '../../models';

/** How long the cancel listener waits before looking again at a charge in flight or a refund that failed. */
export const REFUND_RECHECK_MS = 5_000;

/**
 * Marks the replica cancelled, then refunds a charge that went through anyway. The refund step
 * runs on every delivery (also when the version was already applied), so a redelivery after a
 * crash between the two steps still refunds.
 */
export class OrderCancelledListener extends Listener<typeof Subjects.OrderCancelled> {
  readonly subject = Subjects.OrderCancelled;

  constructor(
    bus: EventBus,
    private readonly deps: { models: PaymentsModels; gateway: PaymentGateway },
    options: ListenerOptions = {},
  ) {
    // Waiting for a charge in flight or a processor outage is not a failure: allow hours of waits.
    super(bus, 'payments', { maxWaits: 2_000, ...options });
  }

  async onMessage(data: EventData<typeof Subjects.OrderCancelled>): Promise<void> {
    await applyVersion(this.deps.models.Order, data.id, data.version, { $set: { status: 'cancelled' } });
    const outcome = await refundIfCharged(this.deps, data.id);
    switch (outcome.kind) {
      case 'refunded':
      case 'nothing-charged':
        return;
      case 'charge-in-flight':
        throw new RetryLater(`charge of order ${data.id} still in flight`, REFUND_RECHECK_MS);
      case 'processor-unavailable':
        throw new RetryLater(outcome.message, REFUND_RECHECK_MS * 3);
      case 'would-exceed-charge':
        // Cannot happen before the order completes; retried, then dead-lettered for someone to look at.
        throw new Error(outcome.message);
    }
  }
}
