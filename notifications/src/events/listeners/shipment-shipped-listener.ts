import { Subjects, type EventData } from '@jetmart/common';
import { shipmentShipped, type Notice } from '../../notify';
import { NoticeListener } from './notice-listener';

/** A seller shipped their part: the buyer gets the carrier and tracking number. */
export class ShipmentShippedListener extends NoticeListener<typeof Subjects.ShipmentShipped> {
  readonly subject = Subjects.ShipmentShipped;

  protected notices(data: EventData<typeof Subjects.ShipmentShipped>): Notice[] {
    return shipmentShipped(data);
  }
}
