import { Subjects, type EventData } from '@jetmart/common';
import { returnRefunded, type Notice } from '../../notify';
import { NoticeListener } from './notice-listener';

/** A received return was refunded: the buyer gets the amount. */
export class ReturnRefundedListener extends NoticeListener<typeof Subjects.ReturnRefunded> {
  readonly subject = Subjects.ReturnRefunded;

  protected notices(data: EventData<typeof Subjects.ReturnRefunded>): Notice[] {
    return returnRefunded(data);
  }
}
