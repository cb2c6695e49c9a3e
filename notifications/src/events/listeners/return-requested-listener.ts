import { Subjects, type EventData } from '@jetmart/common';
import { returnRequested, type Notice } from '../../notify';
import { NoticeListener } from './notice-listener';

/** A buyer asks to return goods: the seller is asked to decide. */
export class ReturnRequestedListener extends NoticeListener<typeof Subjects.ReturnRequested> {
  readonly subject = Subjects.ReturnRequested;

  protected notices(data: EventData<typeof Subjects.ReturnRequested>): Notice[] {
    return returnRequested(data);
  }
}
