import { Listener, RetryLater, Subjects, type EventBus, type EventData, type ListenerOptions, type MessageContext } from '@jetmart/common';
import { cancelOrder } from '../../lifecycle';
import type { OrdersModels } from '../../models';

/** How early an expiry may arrive (clock skew between services) and still be honoured. */
const EARLY_TOLERANCE_MS = 5_000;

/** An order's time ran out: if still unpaid it is cancelled (reason `expired`) and its units released. */
export class ExpirationCompleteListener extends Listener<typeof Subjects.ExpirationComplete> {
  readonly subject = Subjects.ExpirationComplete;

  constructor(
    bus: EventBus,
    private readonly deps: { models: OrdersModels },
    options?: ListenerOptions,
  ) {
    super(bus, 'orders', options);
  }

  async onMessage(
    data: EventData<typeof Subjects.ExpirationComplete>,
    { log }: MessageContext<typeof Subjects.ExpirationComplete>,
  ): Promise<void> {
    const found = await this.deps.models.Order.findById(data.orderId, { status: 1, expiresAt: 1 }).lean();
    if (!found) {
      log.warn({ orderId: data.orderId }, 'expiry for an unknown order ignored');
      return;
    }
    if (found.status !== 'created') return; // paid, already cancelled: nothing to do
    const early = found.expiresAt.getTime() - Date.now();
    if (early > EARLY_TOLERANCE_MS) throw new RetryLater(`order expires in ${early} ms`, early);
    // Only a `created` order is cancelled; one paid or cancelled meanwhile is left as it is (ack).
    const result = await cancelOrder(this.deps, data.orderId, 'expired');
    if (result.kind === 'cancelled') log.info({ orderId: data.orderId }, 'order expired');
  }
}
