import { Listener, RetryLater, Subjects, type EventBus, type EventData, type ListenerOptions, type MessageContext } from '@jetmart/common';
import { applyPaymentRefunded, type OrdersModels } from '../../models';
import { markReturnRefunded } from '../../returns';

/**
 * Money went back to a buyer: the refund is kept (once per refund id) for the order's derived
 * `payment` and `refunded`; a return's refund also moves that return received → refunded
 * (waiting, RetryLater, while this service has not seen it received yet).
 */
export class PaymentRefundedListener extends Listener<typeof Subjects.PaymentRefunded> {
  readonly subject = Subjects.PaymentRefunded;

  constructor(
    bus: EventBus,
    private readonly deps: { models: OrdersModels },
    options?: ListenerOptions,
  ) {
    super(bus, 'orders', options);
  }

  async onMessage(
    data: EventData<typeof Subjects.PaymentRefunded>,
    { log }: MessageContext<typeof Subjects.PaymentRefunded>,
  ): Promise<void> {
    const outcome = await applyPaymentRefunded(this.deps.models.RefundReplica, data);
    log.debug({ refundId: data.id, orderId: data.orderId, reason: data.reason, outcome }, 'refund recorded');
    if (data.reason !== 'return') return;
    const result = await markReturnRefunded(this.deps, { id: data.sourceId, refundId: data.id, amountMinor: data.amountMinor });
    switch (result.kind) {
      case 'refunded':
      case 'already-refunded':
        return;
      case 'not-found':
        // payments refunds only returns this service published as received: not here is a bug, kept visible.
        throw new Error(`refund ${data.id} for unknown return ${data.sourceId}`);
      case 'wrong-state':
        if (result.ret.status === 'approved') throw new RetryLater(`return ${data.sourceId} not received yet`);
        throw new Error(`refund ${data.id} for return ${data.sourceId} in state ${result.ret.status}`);
    }
  }
}
