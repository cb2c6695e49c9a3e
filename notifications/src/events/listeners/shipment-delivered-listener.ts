import { Subjects, type EventData } from '@jetmart/common';
import { shipmentDelivered, type Notice } from '../../notify';
import { NoticeListener } from './notice-listener';

/** A part was delivered: the buyer is told (and until when it can be returned). */
export class ShipmentDeliveredListener extends NoticeListener<typeof Subjects.ShipmentDelivered> {
  readonly subject = Subjects.ShipmentDelivered;

  protected notices(data: EventData<typeof Subjects.ShipmentDelivered>): Notice[] {
    return shipmentDelivered(data);
  }
}
