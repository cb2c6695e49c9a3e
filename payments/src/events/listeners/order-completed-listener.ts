import { applyVersion, Listener, Subjects, type EventBus, type EventData, type ListenerOptions } from '@jetmart/common';
import type { OrderModel } from '../../models';

export class OrderCompletedListener extends Listener<typeof Subjects.OrderCompleted> {
  readonly subject = Subjects.OrderCompleted;

  constructor(
    bus: EventBus,
    private readonly orders: OrderModel,
    options: ListenerOptions = {},
  ) {
    super(bus, 'payments', options);
  }

  async onMessage(data: EventData<typeof Subjects.OrderCompleted>): Promise<void> {
    await applyVersion(this.orders, data.id, data.version, { $set: { status: 'complete' } });
  }
}
