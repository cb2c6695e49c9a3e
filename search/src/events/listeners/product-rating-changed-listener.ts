import { Listener, Subjects, type EventBus, type EventData, type ListenerOptions, type MessageContext } from '@jetmart/common';
import { applyRatingChanged, type SearchModels } from '../../models';

/** A product's rating aggregate changed: the rating's own version N onto N−1 (before product.created: waits). */
export class ProductRatingChangedListener extends Listener<typeof Subjects.ProductRatingChanged> {
  readonly subject = Subjects.ProductRatingChanged;

  constructor(
    bus: EventBus,
    private readonly deps: { models: SearchModels },
    options?: ListenerOptions,
  ) {
    super(bus, 'search', options);
  }

  async onMessage(
    data: EventData<typeof Subjects.ProductRatingChanged>,
    { log }: MessageContext<typeof Subjects.ProductRatingChanged>,
  ): Promise<void> {
    const outcome = await applyRatingChanged(this.deps.models.SearchDocument, data);
    log.debug({ productId: data.id, version: data.version, outcome }, 'search document: rating applied');
  }
}
