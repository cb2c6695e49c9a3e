import { Listener, Subjects, type EventBus, type EventData, type ListenerOptions, type MessageContext } from '@jetmart/common';
import { applyStockChanged, type SearchModels } from '../../models';

/** A product's in-stock state flipped: the stock's own version N onto N−1 (before product.created: waits). */
export class ProductStockChangedListener extends Listener<typeof Subjects.ProductStockChanged> {
  readonly subject = Subjects.ProductStockChanged;

  constructor(
    bus: EventBus,
    private readonly deps: { models: SearchModels },
    options?: ListenerOptions,
  ) {
    super(bus, 'search', options);
  }

  async onMessage(
    data: EventData<typeof Subjects.ProductStockChanged>,
    { log }: MessageContext<typeof Subjects.ProductStockChanged>,
  ): Promise<void> {
    const outcome = await applyStockChanged(this.deps.models.SearchDocument, data);
    log.debug({ productId: data.id, version: data.version, outcome }, 'search document: stock applied');
  }
}
