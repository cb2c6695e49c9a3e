import { Listener, RetryLater, type EventBus, type EventData, type ListenerOptions, type Subject } from '@jetmart/common';
import { timerDecision } from '../../models/timers';

/**
 * Every outstanding timer of one kind is one unacknowledged message: room for 50,000 at once per
 * kind (issue 4). Beyond that the server delivers no more messages of that kind until one is
 * acknowledged: later timers then fire late, never get lost.
 */
export const MAX_OUTSTANDING_TIMERS = 50_000;

export interface TimerHoldOptions {
  /** Longest single hold of a message (see `timerDecision`). */
  maxHoldMs: number;
}

/**
 * The platform's one timer mechanism. A message that starts a timer is held on JetStream (a
 * negative ack with a delay, as often as needed) until its due time, and only then is the timer's
 * event published and the message acknowledged. The durable (`expiration-<subject>`) is shared by
 * all replicas: a message is with one replica at a time, and a held message stays on the server,
 * so a restart or a crash loses nothing and the timer fires after it. The fired event has a
 * deterministic id, so a repeated publish (a redelivery after a crash between publish and ack, the
 * starting event delivered twice) is a duplicate that JetStream drops.
 *
 * A kind of timer says when a message is due and what it publishes then.
 */
export abstract class TimerListener<S extends Subject> extends Listener<S> {
  constructor(
    bus: EventBus,
    private readonly hold: TimerHoldOptions,
    options: ListenerOptions = {},
  ) {
    super(bus, 'expiration', {
      // Holding is waiting, not failing: a 14-day timer with a 300 s hold cap waits 4,000+ times,
      // and no number of waits may send a timer to the dead-letter stream.
      maxWaits: Number.MAX_SAFE_INTEGER,
      maxAckPending: MAX_OUTSTANDING_TIMERS,
      concurrency: 32,
      ...options,
    });
  }

  /**
   * When the timer started by this message fires; `undefined` when the message starts none (it is
   * acknowledged as it is: an older event without the field a timer needs).
   */
  protected abstract dueAt(data: EventData<S>): Date | undefined;

  /** Publishes the timer's event (with a deterministic id); the message is acknowledged after it. */
  protected abstract fire(data: EventData<S>): Promise<void>;

  /** The timer, for log lines ("order 64b…", "shipment 64c… v1"). */
  protected abstract describe(data: EventData<S>): string;

  async onMessage(data: EventData<S>): Promise<void> {
    const dueAt = this.dueAt(data);
    if (dueAt === undefined) return;
    const decision = timerDecision(dueAt, new Date(), this.hold.maxHoldMs);
    if (!decision.due) throw new RetryLater(`${this.describe(data)} is due at ${dueAt.toISOString()}`, decision.waitMs);
    await this.fire(data);
  }
}
