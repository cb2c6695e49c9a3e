import { Listener, Subjects, type EventBus, type EventData, type ListenerOptions, type MessageContext } from '@jetmart/common';
import { applyProductCreated, type SearchModels } from '../../models';

/** A new product: its search document at the product's first version (stock and rating at 0). */
export class ProductCreatedListener extends Listener<typeof Subjects.ProductCreated> {
  readonly subject = Subjects.ProductCreated;

  constructor(
    bus: EventBus,
    private readonly deps: { models: SearchModels },
    options?: ListenerOptions,
  ) {
    super(bus, 'search', options);
  }

  async onMessage(
    data: EventData<typeof Subjects.ProductCreated>,
    { log, event }: MessageContext<typeof Subjects.ProductCreated>,
  ): Promise<void> {
    const outcome = await applyProductCreated(this.deps.models.SearchDocument, data, event.occurredAt);
    log.debug({ productId: data.id, version: data.version, outcome }, 'search document created');
  }
}
