import { Listener, Subjects, type EventBus, type EventData, type ListenerOptions, type MessageContext, type OutboxRelay } from '@jetmart/common';
import { ordersCompleted } from '../../metrics';
import { changeOrder, settleHolds, type OrdersModels } from '../../models';

/** An order was paid: it is complete and its held units are sold. */
export class PaymentCreatedListener extends Listener<typeof Subjects.PaymentCreated> {
  readonly subject = Subjects.PaymentCreated;

  constructor(bus: EventBus, private readonly deps: { models: OrdersModels; relay?: OutboxRelay }, options?: ListenerOptions) {
    // Several at once: each payment is for a different order, and changeOrder (versioned save under
    // the document lock, reload on conflict) and the idempotent unit sales keep each order right in
    // any interleaving. One at a time it fell ~8 s behind under checkout load (bench, 16 buyers).
    super(bus, 'orders', { concurrency: 8, ...options });
  }

  async onMessage(data: EventData<typeof Subjects.PaymentCreated>, { log }: MessageContext<typeof Subjects.PaymentCreated>): Promise<void> {
    const { models, relay } = this.deps;
    // A payment for an order that is not `created` (cancelled or expired) must not complete it:
    // payments refuses those, so this only happens in a race it lost; it is logged for refunding.
    const result = await changeOrder(models.Order, data.orderId, (order) => {
      if (order.status !== 'created') {
        if (order.status !== 'complete') log.error({ orderId: data.orderId, paymentId: data.id, status: order.status }, 'payment for an order that cannot be paid; left as is');
        return false;
      }
      return order.complete();
    });
    if (!result) throw new Error(`payment ${data.id} for unknown order ${data.orderId}`);
    if (result.changed) {
      ordersCompleted.inc();
      relay?.kick();
      await settleHolds(models, result.order);
    }
  }
}
