import { Listener, Subjects, type EventBus, type EventData, type ListenerOptions } from '@jetmart/common';
import type { NotificationsModels } from '../../models';
import { contactUpdated } from '../../notify';

/** A changed email or name: version N onto N-1 (a gap waits for the missing version). */
export class UserUpdatedListener extends Listener<typeof Subjects.UserUpdated> {
  readonly subject = Subjects.UserUpdated;

  constructor(
    bus: EventBus,
    private readonly deps: { models: NotificationsModels },
    options: ListenerOptions = {},
  ) {
    super(bus, 'notifications', options);
  }

  async onMessage(data: EventData<typeof Subjects.UserUpdated>): Promise<void> {
    await contactUpdated(this.deps, data);
  }
}
