import { Listener, Subjects, type EventBus, type EventData, type ListenerOptions, type MessageContext } from '@jetmart/common';
import { forgetBuyer } from '../../forgetting';
import type { ShippingModels } from '../../models';

/** An account is gone: its unshipped parts are cancelled, every shipment's address anonymised (forgetBuyer). */
export class UserDeletedListener extends Listener<typeof Subjects.UserDeleted> {
  readonly subject = Subjects.UserDeleted;

  constructor(
    bus: EventBus,
    private readonly deps: { models: ShippingModels },
    options?: ListenerOptions,
  ) {
    super(bus, 'shipping', options);
  }

  async onMessage(data: EventData<typeof Subjects.UserDeleted>, { log }: MessageContext<typeof Subjects.UserDeleted>): Promise<void> {
    const result = await forgetBuyer(this.deps, data.id);
    log.info({ userId: data.id, ...result }, 'buyer forgotten');
  }
}
