import { trace } from '@opentelemetry/api';
import type { CommandStartedEvent, MongoClient } from 'mongodb';
import client from 'prom-client';

/**
 * One registry per process: what `/metrics` serves. Test processes that run several app
 * instances share it, which only adds their counts together.
 */
export const registry = new client.Registry();
client.collectDefaultMetrics({ register: registry });

export const httpRequestDuration = new client.Histogram({
  name: 'http_request_duration_seconds',
  help: 'HTTP request duration by method, route and status',
  labelNames: ['method', 'route', 'status'] as const,
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
  registers: [registry],
});

export const eventsPublished = new client.Counter({
  name: 'jetmart_events_published_total',
  help: 'Events published to JetStream by subject (duplicates dropped by the server included)',
  labelNames: ['subject'] as const,
  registers: [registry],
});

export const eventsConsumed = new client.Counter({
  name: 'jetmart_events_consumed_total',
  help: 'Events handled by a listener, by subject and outcome (ack, retry, deadletter)',
  labelNames: ['subject', 'outcome'] as const,
  registers: [registry],
});

export const eventsRedelivered = new client.Counter({
  name: 'jetmart_events_redelivered_total',
  help: 'Deliveries that were not the first for their message',
  labelNames: ['subject'] as const,
  registers: [registry],
});

export const eventsDeadLettered = new client.Counter({
  name: 'jetmart_events_deadlettered_total',
  help: 'Events moved to the dead-letter stream',
  labelNames: ['subject'] as const,
  registers: [registry],
});

/**
 * Where an event's time goes between the write that recorded it and the listener that applied it:
 * `stage="outbox"` from the outbox entry (`occurredAt`) to its JetStream store time (the relay's
 * wait), `stage="consume"` from the store time to the end of a successful first delivery (the
 * consumer's queue and handler), and `stage="applied"` from `occurredAt` to the successful
 * handling, whichever delivery it was: an event applied only after waits and retries counts there,
 * at its full time. That is the propagation time of every event, not only of a probe's. They use
 * wall clocks of different processes.
 */
export const eventDeliverySeconds = new client.Histogram({
  name: 'jetmart_event_delivery_seconds',
  help: 'Event latency by subject and stage: outbox (occurredAt to JetStream store), consume (store to first successful handling), applied (occurredAt to successful handling, any delivery)',
  labelNames: ['subject', 'stage'] as const,
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30],
  registers: [registry],
});

export const outboxBacklog = new client.Gauge({
  name: 'jetmart_outbox_backlog',
  help: 'Events written to the outbox and not yet published, at the last relay pass (counts at most batchSize documents per model)',
  registers: [registry],
});

export const outboxOldestAgeSeconds = new client.Gauge({
  name: 'jetmart_outbox_oldest_age_seconds',
  help: 'Age of the oldest unpublished outbox event at the last relay pass',
  registers: [registry],
});

/** What the consumer-lag gauge needs to know of a listener's durable. */
export interface LagSource {
  durableName: string;
  streamName: string;
  subject: string;
  /** num_pending and num_ack_pending of the durable, from the server. */
  consumerCounts(): Promise<{ pending: number; ackPending: number }>;
}

const lagSources = new Set<LagSource>();
const LAG_SAMPLE_TIMEOUT_MS = 2_000;

/**
 * Messages a durable has not finished, sampled from the server at each scrape:
 * `state="pending"` are not yet delivered, `state="ack_pending"` are delivered and not acked
 * (held ones included: expiration keeps every open order ack-pending by design). Every replica
 * of a service reports the same durable, so aggregate with max, not sum.
 */
export const consumerLag = new client.Gauge({
  name: 'jetmart_consumer_lag_messages',
  help: 'Messages of a durable consumer not yet finished, by state (pending = not delivered, ack_pending = delivered and not acked)',
  labelNames: ['consumer', 'subject', 'state'] as const,
  registers: [registry],
  async collect() {
    this.reset();
    await Promise.all(
      [...lagSources].map(async (s) => {
        let timer: NodeJS.Timeout | undefined;
        try {
          const counts = await Promise.race([
            s.consumerCounts(),
            new Promise<never>((_, reject) => {
              timer = setTimeout(() => reject(new Error('timeout')), LAG_SAMPLE_TIMEOUT_MS);
            }),
          ]);
          this.set({ consumer: s.durableName, subject: s.subject, state: 'pending' }, counts.pending);
          this.set({ consumer: s.durableName, subject: s.subject, state: 'ack_pending' }, counts.ackPending);
        } catch {
          // NATS unreachable or slow: no sample rather than a stale or made-up one.
        } finally {
          clearTimeout(timer);
        }
      }),
    );
  },
});

/** Adds a durable to the lag gauge (Listener.start); the returned function removes it. */
export function watchConsumerLag(source: LagSource): () => void {
  lagSources.add(source);
  return () => lagSources.delete(source);
}

/**
 * Acknowledgements a listener sends back to JetStream, by subject and kind: `ack` (handled),
 * `nak` (retry later, or handed back at shutdown), `term` (dead-lettered). Each is one message to
 * the server, like a publish: the bench divides them by completed checkouts.
 */
export const jetstreamAcks = new client.Counter({
  name: 'jetmart_jetstream_acks_total',
  help: 'Acknowledgements sent to JetStream by listeners, by subject and kind (ack, nak, term)',
  labelNames: ['subject', 'kind'] as const,
  registers: [registry],
});

/**
 * The collection of the per-document locks (common/src/lock). Its commands are counted apart: they
 * exist only on FerretDB, so the cost of a checkout on MongoDB is the `data` count alone.
 */
export const LOCK_COLLECTION = '_locks';

/**
 * The `comment` of the read a write under a document lock makes to check its guard (lock/guards.ts):
 * a data command that exists only because of the locks (on MongoDB the write's own filter decides),
 * so it is counted as `collection_kind="guard"`, beside the lock's own commands, not as data.
 */
export const GUARD_READ_COMMENT = 'jetmart:lock-guard';

/**
 * Database commands sent by this process, from the driver's command monitoring. A count, not a
 * time: the same on any machine, so the bench divides it by completed checkouts (the cost model).
 * `collection_kind` is `lock` for the `_locks` collection, `guard` for a lock's guard read
 * (GUARD_READ_COMMENT), `data` for any other command on a collection, `none` for commands without
 * one (buildInfo, ping, endSessions).
 */
export const dbCommands = new client.Counter({
  name: 'jetmart_db_commands_total',
  help: 'Database commands sent, by command, collection and collection kind (data, lock = FerretDB document locks, guard = reads checking a guard under such a lock, none)',
  labelNames: ['command', 'collection', 'collection_kind'] as const,
  registers: [registry],
});

function collectionOf(event: CommandStartedEvent): string | undefined {
  // getMore names its collection in `collection`; the others in the value of the command's key.
  const named: unknown = event.commandName === 'getMore' ? event.command.collection : event.command[event.commandName];
  return typeof named === 'string' ? named : undefined;
}

const counted = new WeakSet<MongoClient>();

/**
 * Counts every command `mongo` sends in `jetmart_db_commands_total` (one counter increment per
 * command). The client must be created with `monitorCommands: true`, or it emits no
 * `commandStarted`: this throws then, rather than count nothing. Idempotent per client.
 */
export function countDatabaseCommands(mongo: MongoClient): void {
  if (counted.has(mongo)) return;
  if (!mongo.options.monitorCommands) {
    throw new Error('countDatabaseCommands: the client was created without monitorCommands: true');
  }
  counted.add(mongo);
  mongo.on('commandStarted', (event) => {
    const collection = collectionOf(event);
    const kind =
      collection === undefined
        ? 'none'
        : collection === LOCK_COLLECTION
          ? 'lock'
          : event.command.comment === GUARD_READ_COMMENT
            ? 'guard'
            : 'data';
    dbCommands.inc({ command: event.commandName, collection: collection ?? '', collection_kind: kind });
    // The wire command, as an event on the request's or message's span: mongoose's CLIENT spans
    // cover only mongoose operations, so the lock's and the raw driver's commands show up here alone
    // (bench/checkout-trace.js counts a checkout's commands by handler from these).
    const span = trace.getActiveSpan();
    if (span?.isRecording())
      span.addEvent('db.command', {
        'db.operation.name': event.commandName,
        'db.collection.name': collection ?? '',
        'jetmart.db.collection_kind': kind,
      });
  });
}

export { client as promClient };
