import { Listener, Subjects, type EventBus, type EventData, type ListenerOptions, type MessageContext } from '@jetmart/common';
import { applyProductUpdated, type ProductReplicaModel } from '../../models';

/** A product changed: applied only onto the previous version (gaps wait, duplicates are dropped). */
export class ProductUpdatedListener extends Listener<typeof Subjects.ProductUpdated> {
  readonly subject = Subjects.ProductUpdated;

  constructor(bus: EventBus, private readonly replicas: ProductReplicaModel, options?: ListenerOptions) {
    super(bus, 'orders', options);
  }

  async onMessage(data: EventData<typeof Subjects.ProductUpdated>, { log }: MessageContext<typeof Subjects.ProductUpdated>): Promise<void> {
    const outcome = await applyProductUpdated(this.replicas, data);
    log.debug({ productId: data.id, version: data.version, outcome }, 'product replica updated');
  }
}
