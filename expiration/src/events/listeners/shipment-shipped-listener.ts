import { Subjects, type EventData } from '@jetmart/common';
import { deliveryDueEventId } from '../../models/timers';
import { TimerListener } from './timer-listener';

/**
 * Holds each shipment.shipped message until its `autoDeliverAt`, then publishes
 * expiration.shipment-delivery-due {shipmentId, version: the shipped version}. Whether the shipment
 * is still shipped at that version is shipping's decision when it receives the event, not this one.
 */
export class ShipmentShippedListener extends TimerListener<typeof Subjects.ShipmentShipped> {
  readonly subject = Subjects.ShipmentShipped;

  protected dueAt(data: EventData<typeof Subjects.ShipmentShipped>): Date {
    return new Date(data.autoDeliverAt);
  }

  protected async fire(data: EventData<typeof Subjects.ShipmentShipped>): Promise<void> {
    await this.bus.emit(
      Subjects.ShipmentDeliveryDue,
      { shipmentId: data.id, version: data.version },
      deliveryDueEventId(data.id, data.version),
    );
  }

  protected describe(data: EventData<typeof Subjects.ShipmentShipped>): string {
    return `the delivery-due timer of shipment ${data.id} v${data.version}`;
  }
}
