import { Listener, Subjects, type EventBus, type EventData, type ListenerOptions, type MessageContext } from '@jetmart/common';
import { unlistSeller } from '../../forgetting';
import type { ProductsModels } from '../../models';
import { forgetReviewer } from '../../reviews';

/**
 * An account is gone: its listings are taken off sale (unlistSeller); its reviews stay anonymised
 * and its reports stay as counts (forgetReviewer).
 */
export class UserDeletedListener extends Listener<typeof Subjects.UserDeleted> {
  readonly subject = Subjects.UserDeleted;

  constructor(
    bus: EventBus,
    private readonly deps: { models: ProductsModels },
    options?: ListenerOptions,
  ) {
    super(bus, 'products', options);
  }

  async onMessage(data: EventData<typeof Subjects.UserDeleted>, { log }: MessageContext<typeof Subjects.UserDeleted>): Promise<void> {
    const result = await unlistSeller(this.deps, data.id);
    log.info({ userId: data.id, products: result.products }, 'seller unlisted');
    const forgotten = await forgetReviewer(this.deps, data.id);
    log.info({ userId: data.id, ...forgotten }, 'reviewer forgotten');
  }
}
