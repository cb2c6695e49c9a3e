import { Subjects, type EventData } from '@jetmart/common';
import { paymentRefunded, type Notice } from '../../notify';
import { NoticeListener } from './notice-listener';

/** Money went back for a cancelled order or part: the buyer gets the amount (a return's refund is told by return.refunded). */
export class PaymentRefundedListener extends NoticeListener<typeof Subjects.PaymentRefunded> {
  readonly subject = Subjects.PaymentRefunded;

  protected notices(data: EventData<typeof Subjects.PaymentRefunded>): Notice[] {
    return paymentRefunded(data);
  }
}
