import { Listener, Subjects, type EventBus, type EventData, type ListenerOptions, type MessageContext } from '@jetmart/common';
import { closeSeller, forgetBuyer } from '../../forgetting';
import type { ShippingModels } from '../../models';

/**
 * An account is gone. As a buyer: their unshipped parts are cancelled, every shipment's address
 * anonymised (forgetBuyer). As a seller: their unshipped parts are cancelled (closeSeller). The
 * buyer side runs first: it remembers the id, which a late order.completed checks for both roles.
 */
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
    const asBuyer = await forgetBuyer(this.deps, data.id);
    const asSeller = await closeSeller(this.deps, data.id);
    log.info({ userId: data.id, asBuyer, asSeller }, 'account forgotten');
  }
}
