import { Subjects, type EventData } from '@jetmart/common';
import { payoutSent, type Notice } from '../../notify';
import { NoticeListener } from './notice-listener';

/** A payout was sent: the seller gets the amount and the transfer. */
export class PayoutSentListener extends NoticeListener<typeof Subjects.PayoutSent> {
  readonly subject = Subjects.PayoutSent;

  protected notices(data: EventData<typeof Subjects.PayoutSent>): Notice[] {
    return payoutSent(data);
  }
}
