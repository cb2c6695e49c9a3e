import { Listener, RetryLater, Subjects, type EventBus, type EventData, type ListenerOptions, type MessageContext } from '@jetmart/common';
import { cancelOrder } from '../../lifecycle';
import { paymentInProgress, type OrdersModels } from '../../models';

/** How early an expiry may arrive (clock skew between services) and still be honoured. */
const EARLY_TOLERANCE_MS = 5_000;

/** How long an expiry waits before looking again at an order whose charge attempt is in progress. */
const IN_PROGRESS_RECHECK_MS = 2_000;

/**
 * An order's time ran out: if still unpaid it is cancelled (reason `expired`) and its units
 * released. While a charge attempt is in progress (payment.started seen, no payment.failed for
 * it) the expiry waits for the attempt's outcome: payment.created completes the order, and after
 * payment.failed the next delivery cancels it. Payments finishes (or fails) every attempt it
 * started, even across a restart (its sweeper), so the wait ends; maxWaits is generous for that.
 */
export class ExpirationCompleteListener extends Listener<typeof Subjects.ExpirationComplete> {
  readonly subject = Subjects.ExpirationComplete;

  constructor(
    bus: EventBus,
    private readonly deps: { models: OrdersModels },
    options?: ListenerOptions,
  ) {
    super(bus, 'orders', { maxWaits: 2_000, ...options });
  }

  async onMessage(
    data: EventData<typeof Subjects.ExpirationComplete>,
    { log }: MessageContext<typeof Subjects.ExpirationComplete>,
  ): Promise<void> {
    const found = await this.deps.models.Order.findById(data.orderId, {
      status: 1,
      expiresAt: 1,
      paymentStartedAttempt: 1,
      paymentFailedAttempt: 1,
    }).lean();
    if (!found) {
      log.warn({ orderId: data.orderId }, 'expiry for an unknown order ignored');
      return;
    }
    if (found.status !== 'created') return; // paid, already cancelled: nothing to do
    const early = found.expiresAt.getTime() - Date.now();
    if (early > EARLY_TOLERANCE_MS) throw new RetryLater(`order expires in ${early} ms`, early);
    if (paymentInProgress(found)) {
      throw new RetryLater(`payment attempt ${found.paymentStartedAttempt} in progress`, IN_PROGRESS_RECHECK_MS);
    }
    // Only a `created` order is cancelled; one paid or cancelled meanwhile is left as it is (ack).
    const result = await cancelOrder(this.deps, data.orderId, 'expired');
    if (result.kind === 'cancelled') log.info({ orderId: data.orderId }, 'order expired');
  }
}
