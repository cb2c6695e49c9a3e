import { Subjects, type EventData } from '@jetmart/common';
import { paymentReceipt, type Notice } from '../../notify';
import { NoticeListener } from './notice-listener';

/** A charge went through: its buyer gets the receipt. */
export class PaymentCreatedListener extends NoticeListener<typeof Subjects.PaymentCreated> {
  readonly subject = Subjects.PaymentCreated;

  protected notices(data: EventData<typeof Subjects.PaymentCreated>): Notice[] {
    return paymentReceipt(data);
  }
}
