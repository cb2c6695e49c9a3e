import { applyVersion, Listener, Subjects, type EventData } from '@jetmart/common';
import { Order } from '../../models/order';

export class OrderCompletedListener extends Listener<typeof Subjects.OrderCompleted> {
  readonly subject = Subjects.OrderCompleted;

  async onMessage(data: EventData<typeof Subjects.OrderCompleted>): Promise<void> {
    await applyVersion(Order, data.id, data.version, { $set: { status: 'complete' } });
  }
}
