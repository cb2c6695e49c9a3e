import { Listener, Subjects, type EventBus, type EventData, type ListenerOptions } from '@jetmart/common';
import type { NotificationsModels } from '../../models';
import { contactCreated } from '../../notify';

/** A new account: its contact (email, name) at version 0, so notices to the person can be sent. */
export class UserCreatedListener extends Listener<typeof Subjects.UserCreated> {
  readonly subject = Subjects.UserCreated;

  constructor(
    bus: EventBus,
    private readonly deps: { models: NotificationsModels },
    options: ListenerOptions = {},
  ) {
    super(bus, 'notifications', { concurrency: 4, ...options });
  }

  async onMessage(data: EventData<typeof Subjects.UserCreated>): Promise<void> {
    await contactCreated(this.deps, data);
  }
}
