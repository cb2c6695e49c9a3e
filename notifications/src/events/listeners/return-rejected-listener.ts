import { Subjects, type EventData } from '@jetmart/common';
import { returnRejected, type Notice } from '../../notify';
import { NoticeListener } from './notice-listener';

/** The seller rejected a return: the buyer gets the seller's message. */
export class ReturnRejectedListener extends NoticeListener<typeof Subjects.ReturnRejected> {
  readonly subject = Subjects.ReturnRejected;

  protected notices(data: EventData<typeof Subjects.ReturnRejected>): Notice[] {
    return returnRejected(data);
  }
}
