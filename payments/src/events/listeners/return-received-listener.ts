import { Subjects, type EventData } from '@jetmart/common';
import { RefundListener } from './refund-listener';

/** The seller has a return's goods back: its lines' money goes back. */
export class ReturnReceivedListener extends RefundListener<typeof Subjects.ReturnReceived> {
  readonly subject = Subjects.ReturnReceived;

  async onMessage(data: EventData<typeof Subjects.ReturnReceived>): Promise<void> {
    await this.refund({ orderId: data.orderId, reason: 'return', sourceId: data.id, amountMinor: data.amountMinor, items: data.items });
  }
}
