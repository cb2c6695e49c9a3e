import { Listener, Subjects, type EventBus, type EventData, type ListenerOptions, type MessageContext } from '@jetmart/common';
import type { NotificationsModels } from '../../models';
import { forgetPerson } from '../../notify';

/** An account is gone: forget the person's contact and every notification of theirs; tell them nothing more. */
export class UserDeletedListener extends Listener<typeof Subjects.UserDeleted> {
  readonly subject = Subjects.UserDeleted;

  constructor(
    bus: EventBus,
    private readonly deps: { models: NotificationsModels },
    options: ListenerOptions = {},
  ) {
    super(bus, 'notifications', options);
  }

  async onMessage(data: EventData<typeof Subjects.UserDeleted>, { log }: MessageContext<typeof Subjects.UserDeleted>): Promise<void> {
    const outcome = await forgetPerson(this.deps, data);
    if (outcome.kind === 'forgotten') log.info({ userId: data.id, removed: outcome.removed }, 'person forgotten');
  }
}
