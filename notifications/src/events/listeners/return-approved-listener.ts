import { Subjects, type EventData } from '@jetmart/common';
import { returnApproved, type Notice } from '../../notify';
import { NoticeListener } from './notice-listener';

/** The seller approved a return: the buyer is told to send the goods back. */
export class ReturnApprovedListener extends NoticeListener<typeof Subjects.ReturnApproved> {
  readonly subject = Subjects.ReturnApproved;

  protected notices(data: EventData<typeof Subjects.ReturnApproved>): Notice[] {
    return returnApproved(data);
  }
}
