import { Listener, Subjects, type EventBus, type EventData, type ListenerOptions, type MessageContext } from '@jetmart/common';
import { applyProductCreated, type ProductReplicaModel } from '../../models';

/** A new product: its replica starts at version 0 with every listed unit available. */
export class ProductCreatedListener extends Listener<typeof Subjects.ProductCreated> {
  readonly subject = Subjects.ProductCreated;

  constructor(
    bus: EventBus,
    private readonly replicas: ProductReplicaModel,
    options?: ListenerOptions,
  ) {
    super(bus, 'orders', options);
  }

  async onMessage(data: EventData<typeof Subjects.ProductCreated>, { log }: MessageContext<typeof Subjects.ProductCreated>): Promise<void> {
    const outcome = await applyProductCreated(this.replicas, data);
    log.debug({ productId: data.id, outcome }, 'product replica created');
  }
}
