import { Listener, Subjects, type EventBus, type EventData, type ListenerOptions, type MessageContext } from '@jetmart/common';
import { recordPaymentAttempt, type OrderModel } from '../../models';

/**
 * A charge attempt is going to the processor: noted on the order (a maximum, no version change),
 * so an expiry arriving meanwhile waits for its outcome instead of cancelling under it.
 */
export class PaymentStartedListener extends Listener<typeof Subjects.PaymentStarted> {
  readonly subject = Subjects.PaymentStarted;

  constructor(
    bus: EventBus,
    private readonly Order: OrderModel,
    options?: ListenerOptions,
  ) {
    super(bus, 'orders', { concurrency: 8, ...options });
  }

  async onMessage(data: EventData<typeof Subjects.PaymentStarted>, { log }: MessageContext<typeof Subjects.PaymentStarted>): Promise<void> {
    const changed = await recordPaymentAttempt(this.Order, data.orderId, 'paymentStartedAttempt', data.attempt);
    log.debug({ orderId: data.orderId, attempt: data.attempt, changed }, 'payment attempt started');
  }
}

/** A charge attempt ended without a charge: the order may expire again (unless a later attempt started). */
export class PaymentFailedListener extends Listener<typeof Subjects.PaymentFailed> {
  readonly subject = Subjects.PaymentFailed;

  constructor(
    bus: EventBus,
    private readonly Order: OrderModel,
    options?: ListenerOptions,
  ) {
    super(bus, 'orders', { concurrency: 8, ...options });
  }

  async onMessage(data: EventData<typeof Subjects.PaymentFailed>, { log }: MessageContext<typeof Subjects.PaymentFailed>): Promise<void> {
    const changed = await recordPaymentAttempt(this.Order, data.orderId, 'paymentFailedAttempt', data.attempt);
    log.debug({ orderId: data.orderId, attempt: data.attempt, reason: data.reason, changed }, 'payment attempt failed');
  }
}
