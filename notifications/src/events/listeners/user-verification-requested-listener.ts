import { Subjects, type EventData } from '@jetmart/common';
import { verificationMail, type Notice } from '../../notify';
import { NoticeListener } from './notice-listener';

/** A new account (or a resend): the address in the event gets the link that confirms it. */
export class UserVerificationRequestedListener extends NoticeListener<typeof Subjects.UserVerificationRequested> {
  readonly subject = Subjects.UserVerificationRequested;

  protected notices(data: EventData<typeof Subjects.UserVerificationRequested>): Notice[] {
    return verificationMail(data);
  }
}
