import { Subjects, type EventData } from '@jetmart/common';
import { passwordResetMail, type Notice } from '../../notify';
import { NoticeListener } from './notice-listener';

/** Someone asked to reset an account's password: the address in the event gets the single-use link. */
export class UserPasswordResetRequestedListener extends NoticeListener<typeof Subjects.UserPasswordResetRequested> {
  readonly subject = Subjects.UserPasswordResetRequested;

  protected notices(data: EventData<typeof Subjects.UserPasswordResetRequested>): Notice[] {
    return passwordResetMail(data);
  }
}
