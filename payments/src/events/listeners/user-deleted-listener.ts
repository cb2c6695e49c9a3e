import { Listener, Subjects, type EventBus, type EventData, type ListenerOptions, type MessageContext } from '@jetmart/common';
import type { PaymentsModels } from '../../models';
import { closeDeletedSeller } from '../../payouts';

/** An account is gone: if it sold, its seller account is closed and its balance paid out by the ClosedAccountPayer. */
export class UserDeletedListener extends Listener<typeof Subjects.UserDeleted> {
  readonly subject = Subjects.UserDeleted;

  constructor(
    bus: EventBus,
    private readonly deps: { models: PaymentsModels },
    options?: ListenerOptions,
  ) {
    super(bus, 'payments', options);
  }

  async onMessage(data: EventData<typeof Subjects.UserDeleted>, { log }: MessageContext<typeof Subjects.UserDeleted>): Promise<void> {
    const outcome = await closeDeletedSeller(this.deps.models, data.id);
    log.info({ sellerId: data.id, outcome }, 'seller account of a deleted user');
  }
}
