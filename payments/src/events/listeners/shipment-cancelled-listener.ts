import { Subjects, type EventData } from '@jetmart/common';
import { RefundListener } from './refund-listener';

/** A buyer cancelled a paid order's unshipped part: its lines' money goes back. */
export class ShipmentCancelledListener extends RefundListener<typeof Subjects.ShipmentCancelled> {
  readonly subject = Subjects.ShipmentCancelled;

  async onMessage(data: EventData<typeof Subjects.ShipmentCancelled>): Promise<void> {
    await this.refund({
      orderId: data.orderId,
      reason: 'shipment-cancelled',
      sourceId: data.id,
      amountMinor: data.amountMinor,
      items: data.items,
    });
  }
}
