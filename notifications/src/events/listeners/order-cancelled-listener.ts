import { Subjects, type EventData } from '@jetmart/common';
import { orderCancelled, type Notice } from '../../notify';
import { NoticeListener } from './notice-listener';

/** An order ended unpaid: its buyer hears why (cancelled, expired, unavailable). */
export class OrderCancelledListener extends NoticeListener<typeof Subjects.OrderCancelled> {
  readonly subject = Subjects.OrderCancelled;

  protected notices(data: EventData<typeof Subjects.OrderCancelled>): Notice[] {
    return orderCancelled(data);
  }
}
