import { Listener, Subjects, type EventBus, type EventData, type ListenerOptions, type MessageContext } from '@jetmart/common';
import { forgetBuyer } from '../../forgetting';
import type { OrdersModels } from '../../models';

/** An account is gone: its unpaid orders are cancelled, its addresses and return notes forgotten (forgetBuyer). */
export class UserDeletedListener extends Listener<typeof Subjects.UserDeleted> {
  readonly subject = Subjects.UserDeleted;

  constructor(
    bus: EventBus,
    private readonly deps: { models: OrdersModels },
    options?: ListenerOptions,
  ) {
    super(bus, 'orders', options);
  }

  async onMessage(data: EventData<typeof Subjects.UserDeleted>, { log }: MessageContext<typeof Subjects.UserDeleted>): Promise<void> {
    const result = await forgetBuyer(this.deps, data.id);
    log.info({ userId: data.id, ...result }, 'buyer forgotten');
  }
}
