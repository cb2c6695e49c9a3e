import { applyVersion, Listener, Subjects, type EventBus, type EventData, type ListenerOptions } from '@jetmart/common';
import type { PaymentGateway } from '../../gateway/payment-gateway';
import { refundIfCharged } from '../../models/charging';
import { Order } from '../../models/order';

/**
 * Marks the replica cancelled, then refunds a charge that went through anyway. The refund step
 * runs on every delivery (also when the version was already applied), so a redelivery after a
 * crash between the two steps still refunds.
 */
export class OrderCancelledListener extends Listener<typeof Subjects.OrderCancelled> {
  readonly subject = Subjects.OrderCancelled;

  constructor(
    bus: EventBus,
    service: string,
    private readonly gateway: PaymentGateway,
    options: ListenerOptions = {},
  ) {
    // Waiting for a charge in flight or a processor outage is not a failure: allow hours of waits.
    super(bus, service, { maxWaits: 2_000, ...options });
  }

  async onMessage(data: EventData<typeof Subjects.OrderCancelled>): Promise<void> {
    await applyVersion(Order, data.id, data.version, { $set: { status: 'cancelled' } });
    await refundIfCharged(data.id, this.gateway);
  }
}
