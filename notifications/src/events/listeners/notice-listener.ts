import {
  Listener,
  RetryLater,
  type EventBus,
  type EventData,
  type ListenerOptions,
  type MessageContext,
  type Subject,
} from '@jetmart/common';
import { deliverNotices, type DeliveryDeps, type Notice } from '../../notify';

/**
 * How long a notice may wait (for its person's contact, or for the mail server to come back):
 * RetryLater deliveries, each after the listener's back-off (doubling up to 30 s), so about an
 * hour before the event is dead-lettered with the reason (visible and replayable on /ops).
 */
export const NOTICE_MAX_WAITS = 120;

/**
 * The one shape of every listener that tells people something: the subject's facts (a pure
 * function of the event) handed to deliverNotices, and its outcome mapped to ack, wait or fail.
 * A refusal by the mail server is thrown as an error: retried a few times (finding the record
 * `failed`, sending nothing) and then dead-lettered with the reason.
 */
export abstract class NoticeListener<S extends Subject> extends Listener<S> {
  protected abstract notices(data: EventData<S>): Notice[];

  constructor(
    bus: EventBus,
    private readonly deps: DeliveryDeps,
    options: ListenerOptions = {},
  ) {
    // Several at once: each message is another fact (its records keep a repeat from sending twice).
    super(bus, 'notifications', { concurrency: 4, maxWaits: NOTICE_MAX_WAITS, ...options });
  }

  async onMessage(data: EventData<S>, { event, log, deliveryCount }: MessageContext<S>): Promise<void> {
    const outcome = await deliverNotices(this.deps, event.id, this.notices(data));
    // Every mail handed to the server is logged once, also when another notice of the event waits.
    if (outcome.sent > 0)
      log.info({ sent: outcome.sent, ...(outcome.kind === 'delivered' ? { skipped: outcome.skipped } : {}) }, 'notified');
    switch (outcome.kind) {
      case 'delivered':
        return;
      case 'waiting':
        throw new RetryLater(outcome.reason);
      case 'unavailable':
        // The listener logs waits at debug; a mail server that is away must show in the service's log.
        log.warn({ reason: outcome.reason, deliveryCount }, 'mail server unavailable: retrying with back-off');
        throw new RetryLater(outcome.reason);
      case 'rejected':
        throw new Error(outcome.reason);
    }
  }
}
