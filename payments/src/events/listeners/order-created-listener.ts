import { createReplica, Listener, Subjects, type EventData } from '@jetmart/common';
import { Order } from '../../models/order';

/** Starts the replica of a new order at version 0. */
export class OrderCreatedListener extends Listener<typeof Subjects.OrderCreated> {
  readonly subject = Subjects.OrderCreated;

  async onMessage(data: EventData<typeof Subjects.OrderCreated>): Promise<void> {
    await createReplica(Order, {
      _id: data.id,
      userId: data.userId,
      status: data.status,
      totalMinor: data.totalMinor,
      expiresAt: new Date(data.expiresAt),
      version: data.version,
    });
  }
}
