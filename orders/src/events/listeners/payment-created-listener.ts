import { Listener, Subjects, type EventBus, type EventData, type ListenerOptions, type MessageContext } from '@jetmart/common';
import { completeOrder } from '../../lifecycle';
import type { OrdersModels } from '../../models';

/** An order was paid: it is complete and its held units are sold. */
export class PaymentCreatedListener extends Listener<typeof Subjects.PaymentCreated> {
  readonly subject = Subjects.PaymentCreated;

  constructor(
    bus: EventBus,
    private readonly deps: { models: OrdersModels },
    options?: ListenerOptions,
  ) {
    // Several at once: each payment is for a different order, and completeOrder (versioned save
    // under the document lock, reload on conflict) and the idempotent unit sales keep each order
    // right in any interleaving.
    super(bus, 'orders', { concurrency: 8, ...options });
  }

  async onMessage(data: EventData<typeof Subjects.PaymentCreated>, { log }: MessageContext<typeof Subjects.PaymentCreated>): Promise<void> {
    const result = await completeOrder(this.deps, data.orderId);
    switch (result.kind) {
      case 'completed':
      case 'already-complete': // a redelivery
        return;
      case 'is-cancelled':
      case 'not-placed':
        // A payment for an order that is not `created` (cancelled or expired) must not complete it:
        // payments refuses those, so this only happens in a race it lost; it is logged for refunding.
        log.error(
          { orderId: data.orderId, paymentId: data.id, status: result.order.status },
          'payment for an order that cannot be paid; left as is',
        );
        return;
      case 'not-found':
        throw new Error(`payment ${data.id} for unknown order ${data.orderId}`);
    }
  }
}
