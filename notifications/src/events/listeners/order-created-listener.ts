import { Subjects, type EventData } from '@jetmart/common';
import { orderConfirmed, type Notice } from '../../notify';
import { NoticeListener } from './notice-listener';

/** A new order: its buyer gets the confirmation (lines, total, address). */
export class OrderCreatedListener extends NoticeListener<typeof Subjects.OrderCreated> {
  readonly subject = Subjects.OrderCreated;

  protected notices(data: EventData<typeof Subjects.OrderCreated>): Notice[] {
    return orderConfirmed(data);
  }
}
