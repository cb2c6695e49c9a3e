import { Subjects, type EventData } from '@jetmart/common';
import { salesMade, type Notice } from '../../notify';
import { NoticeListener } from './notice-listener';

/** A paid order: each seller gets "you sold…" with their lines and where to ship them. */
export class OrderCompletedListener extends NoticeListener<typeof Subjects.OrderCompleted> {
  readonly subject = Subjects.OrderCompleted;

  protected notices(data: EventData<typeof Subjects.OrderCompleted>): Notice[] {
    return salesMade(data);
  }
}
