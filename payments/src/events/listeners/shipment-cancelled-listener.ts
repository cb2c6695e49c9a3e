import { Subjects, type EventData } from '@jetmart/common';
import { releasePart } from '../../models';
import { RefundListener } from './refund-listener';

/**
 * A buyer cancelled a paid order's unshipped part: its lines' money goes back, and the part is
 * released (its credits and debits cancel out, so nothing stays pending for it).
 */
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
    await releasePart(this.deps.models.Release, { orderId: data.orderId, sellerId: data.sellerId, reason: 'shipment-cancelled' });
  }
}
