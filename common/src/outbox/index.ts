import { context, ROOT_CONTEXT } from '@opentelemetry/api';
import { Schema, type Document, type Model } from 'mongoose';
import type { Logger } from 'pino';
import type { EventBus } from '../bus/event-bus';
import { withDocumentLock } from '../lock';
import { makeEvent, type Event, type EventData, type Subject } from '../events';
import { outboxBacklog, outboxOldestAgeSeconds } from '../metrics';
import { currentTraceparent } from '../tracing';

/**
 * Transactional outbox without multi-document transactions: the events a change causes are
 * pushed into an `outbox` array on the very document that changes, so the state and its events
 * are written by one atomic single-document write. A relay publishes them in order (event id =
 * JetStream message id, so a re-send after a crash is dropped as a duplicate) and then pulls them.
 */
export interface OutboxEntry {
  id: string;
  subject: string;
  event: Event;
  traceparent?: string;
  createdAt: Date;
}

const outboxEntrySchema = new Schema<OutboxEntry>(
  {
    id: { type: String, required: true },
    subject: { type: String, required: true },
    event: { type: Schema.Types.Mixed, required: true },
    traceparent: { type: String },
    createdAt: { type: Date, required: true },
  },
  { _id: false },
);

export interface WithOutbox {
  outbox: OutboxEntry[];
}

/** Adds the `outbox` array to a schema. */
export function outboxPlugin(schema: Schema): void {
  schema.add({ outbox: { type: [outboxEntrySchema], default: [] } });
}

/**
 * Queues an event on `doc`; it is stored by the same `save()` that stores the change.
 * The event is validated now, so an invalid event fails the write instead of the relay.
 * The active span's `traceparent` is stored with it (unless given), so the publish, which
 * happens later in the relay, continues the trace of the request or message that caused it.
 */
export function recordEvent<S extends Subject>(
  doc: Document & WithOutbox,
  subject: S,
  data: EventData<S>,
  opts: { traceparent?: string } = {},
): Event<S> {
  const event = makeEvent(subject, data);
  doc.outbox.push({ id: event.id, subject, event, traceparent: opts.traceparent ?? currentTraceparent(), createdAt: new Date() });
  return event;
}

/** Builds an outbox entry for writes that do not go through a mongoose document (`$push`). */
export function outboxEntry<S extends Subject>(subject: S, data: EventData<S>, opts: { traceparent?: string } = {}): OutboxEntry {
  const event = makeEvent(subject, data);
  return { id: event.id, subject, event, traceparent: opts.traceparent ?? currentTraceparent(), createdAt: new Date() };
}

export interface OutboxRelayOptions {
  /** Poll interval when nothing wakes the relay. */
  intervalMs?: number;
  /** Documents read per model per pass. */
  batchSize?: number;
  logger: Logger;
}

const PENDING = { 'outbox.0': { $exists: true } };

/** Publishes every document's pending outbox events, oldest first per document, then removes them. */
export class OutboxRelay {
  private timer?: NodeJS.Timeout;
  private running?: Promise<number>;
  private stopped = true;
  private again = false;
  private readonly intervalMs: number;
  private readonly batchSize: number;
  private readonly log: Logger;

  constructor(
    private readonly bus: EventBus,
    private readonly models: Model<any>[],
    opts: OutboxRelayOptions,
  ) {
    this.intervalMs = opts.intervalMs ?? 500;
    this.batchSize = opts.batchSize ?? 200;
    this.log = opts.logger.child({ component: 'outbox-relay' });
  }

  start(): void {
    this.stopped = false;
    this.schedule(0);
  }

  /** Publish now (call after a write) instead of waiting for the next poll. */
  kick(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.schedule(0);
  }

  /** Stops polling after the pass under way (its publishes complete or stay pending). */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running?.catch(() => undefined);
  }

  /** Runs passes until nothing is pending. Returns the number of events published. */
  async flush(): Promise<number> {
    let total = 0;
    for (;;) {
      await this.running?.catch(() => undefined);
      const n = await this.pass();
      total += n;
      if (n === 0) return total;
    }
  }

  private schedule(ms: number): void {
    if (this.timer) clearTimeout(this.timer);
    // Passes run outside whatever request or message kicked the relay: a pass publishes other
    // requests' events too, and each publish takes its trace from its own outbox entry.
    this.timer = setTimeout(context.bind(ROOT_CONTEXT, () => void this.tick()), ms);
  }

  private async tick(): Promise<void> {
    if (this.stopped || this.running) return;
    this.again = false;
    let published = 0;
    try {
      this.running = this.pass();
      published = await this.running;
    } catch (err) {
      this.log.warn({ err }, 'outbox pass failed; will retry');
    } finally {
      this.running = undefined;
    }
    if (!this.stopped) this.schedule(this.again || published >= this.batchSize ? 0 : this.intervalMs);
  }

  /** One pass over every model. Throws if publishing fails (the events stay pending). */
  async pass(): Promise<number> {
    let published = 0;
    // Every entry this pass saw, and whether it got out: the gauges are set from it even when a
    // publish fails (NATS down), which is when a growing backlog matters most.
    const seen: { createdAt: Date; done: boolean }[] = [];
    try {
      for (const model of this.models) {
        const docs = await model.collection
          .find(PENDING, { projection: { outbox: 1 } })
          .limit(this.batchSize)
          .toArray();
        const byDoc = docs.map((doc) => ({
          doc,
          entries: ((doc.outbox ?? []) as OutboxEntry[]).map((entry) => {
            const s = { createdAt: new Date(entry.createdAt), done: false };
            seen.push(s);
            return { entry, s };
          }),
        }));
        for (const { doc, entries } of byDoc) {
          for (const { entry, s } of entries) {
            const headers = entry.traceparent ? { traceparent: entry.traceparent } : undefined;
            await this.bus.publish(entry.event, { headers });
            // Remove it only if it is still first (another relay replica may have done it already).
            // $pop with a positional condition works on MongoDB and FerretDB alike; $pull by query does not on FerretDB.
            await withDocumentLock(model.collection.collectionName, doc._id, () =>
              model.collection.updateOne({ _id: doc._id, 'outbox.0.id': entry.id }, { $pop: { outbox: -1 } } as never),
              model.db,
            );
            s.done = true;
            published++;
          }
        }
      }
    } finally {
      const left = seen.filter((s) => !s.done);
      outboxBacklog.set(left.length);
      const oldest = Math.min(...left.map((s) => s.createdAt.getTime()));
      outboxOldestAgeSeconds.set(left.length ? Math.max(0, (Date.now() - oldest) / 1000) : 0);
    }
    return published;
  }
}
