import { Listener, stringField, Subjects, type EventBus, type EventData, type ListenerOptions, type MessageContext } from '@jetmart/common';
import { applyProductChange } from '../../lifecycle';
import type { OrdersModels } from '../../models';

/**
 * A product changed: applied only onto the previous version (gaps wait, duplicates are dropped).
 * If the seller now lists fewer units than live orders hold, the newest unpaid ones are cancelled
 * (also on a duplicate delivery, which finishes what a crash interrupted).
 */
export class ProductUpdatedListener extends Listener<typeof Subjects.ProductUpdated> {
  readonly subject = Subjects.ProductUpdated;

  constructor(
    bus: EventBus,
    private readonly deps: { models: OrdersModels },
    options?: ListenerOptions,
  ) {
    // Products in parallel, each product's versions in order: under load one change at a time
    // made every product's change wait behind all the others (issue 21, propagation).
    super(bus, 'orders', { concurrency: 8, ...options });
  }

  protected orderingKey(data: unknown): string | undefined {
    return stringField(data, 'id');
  }

  async onMessage(data: EventData<typeof Subjects.ProductUpdated>, { log }: MessageContext<typeof Subjects.ProductUpdated>): Promise<void> {
    const { outcome, cancelled } = await applyProductChange(this.deps, data);
    log.debug({ productId: data.id, version: data.version, outcome }, 'product replica updated');
    if (cancelled.length) {
      log.warn(
        { productId: data.id, quantity: data.quantity, orderIds: cancelled },
        'listed quantity below units held: newest unpaid orders cancelled',
      );
    }
  }
}
