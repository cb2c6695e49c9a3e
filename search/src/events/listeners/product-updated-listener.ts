import { Listener, Subjects, type EventBus, type EventData, type ListenerOptions, type MessageContext } from '@jetmart/common';
import { applyProductUpdated, type SearchModels } from '../../models';

/** A product changed: its version N onto N−1 (a gap waits for the missing event, an old one is a duplicate). */
export class ProductUpdatedListener extends Listener<typeof Subjects.ProductUpdated> {
  readonly subject = Subjects.ProductUpdated;

  constructor(
    bus: EventBus,
    private readonly deps: { models: SearchModels },
    options?: ListenerOptions,
  ) {
    super(bus, 'search', options);
  }

  async onMessage(data: EventData<typeof Subjects.ProductUpdated>, { log }: MessageContext<typeof Subjects.ProductUpdated>): Promise<void> {
    const outcome = await applyProductUpdated(this.deps.models.SearchDocument, data);
    log.debug({ productId: data.id, version: data.version, outcome }, 'search document: product applied');
  }
}
