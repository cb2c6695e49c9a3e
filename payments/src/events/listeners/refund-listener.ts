import { Listener, RetryLater, type EventBus, type ListenerOptions, type Subject } from '@jetmart/common';
import { refundPayment, type RefundPaymentInput } from '../../charging';
import type { PaymentGateway } from '../../gateway/payment-gateway';
import type { PaymentsModels } from '../../models';

/** How long a refund whose order shows no charge yet waits before looking again. */
export const NO_CHARGE_RECHECK_MS = 5_000;

/**
 * Refund listeners' delivery limits: a processor outage is retried with back-off (0.5 s doubling
 * to a minute, about four minutes in all) and then dead-lettered, where /ops shows and replays it.
 */
export const REFUND_LISTENER_OPTIONS: ListenerOptions = { maxDeliveries: 10, maxBackoffMs: 60_000, concurrency: 4 };

/**
 * A listener whose event owes the buyer a refund (`shipment.cancelled`, `return.received`). Several
 * at once: the reservation on the payment decides, so any interleaving refunds each source once.
 */
export abstract class RefundListener<S extends Subject> extends Listener<S> {
  constructor(
    bus: EventBus,
    protected readonly deps: { models: PaymentsModels; gateway: PaymentGateway },
    options: ListenerOptions = {},
  ) {
    super(bus, 'payments', { ...REFUND_LISTENER_OPTIONS, ...options });
  }

  protected async refund(input: RefundPaymentInput): Promise<void> {
    const outcome = await refundPayment(this.deps, input);
    switch (outcome.kind) {
      case 'refunded':
      case 'already-refunded':
      case 'nothing-to-refund':
        return;
      case 'no-charge-yet':
        throw new RetryLater(`order ${input.orderId} has no charge to refund yet`, NO_CHARGE_RECHECK_MS);
      // A failure, not a wait: retried with back-off, then dead-lettered (visible, replayable).
      case 'processor-unavailable':
      case 'would-exceed-charge':
        throw new Error(outcome.message);
    }
  }
}
