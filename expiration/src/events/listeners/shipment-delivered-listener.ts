import { Subjects, type EventData } from '@jetmart/common';
import { returnWindowClosedEventId } from '../../models/timers';
import { TimerListener } from './timer-listener';

/**
 * Holds each shipment.delivered message until its `returnableUntil`, then publishes
 * expiration.return-window-closed {shipmentId, orderId, sellerId, version: the delivered version}.
 * A shipment.delivered written before returns existed has no `returnableUntil`: its goods were
 * never returnable, so there is no window to close and the message is acknowledged at once.
 */
export class ShipmentDeliveredListener extends TimerListener<typeof Subjects.ShipmentDelivered> {
  readonly subject = Subjects.ShipmentDelivered;

  protected dueAt(data: EventData<typeof Subjects.ShipmentDelivered>): Date | undefined {
    return data.returnableUntil === undefined ? undefined : new Date(data.returnableUntil);
  }

  protected async fire(data: EventData<typeof Subjects.ShipmentDelivered>): Promise<void> {
    await this.bus.emit(
      Subjects.ReturnWindowClosed,
      { shipmentId: data.id, orderId: data.orderId, sellerId: data.sellerId, version: data.version },
      returnWindowClosedEventId(data.id, data.version),
    );
  }

  protected describe(data: EventData<typeof Subjects.ShipmentDelivered>): string {
    return `the return window of shipment ${data.id} v${data.version}`;
  }
}
