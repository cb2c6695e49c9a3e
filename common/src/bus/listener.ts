import { headers as natsHeaders, type MsgHdrs } from '@nats-io/nats-core';
import { AckPolicy, DeliverPolicy, type ConsumerConfig, type ConsumerMessages, type JsMsg } from '@nats-io/jetstream';
import { context, SpanKind, trace, type Span } from '@opentelemetry/api';
import type { Logger } from 'pino';
import { parseEvent, streamOf, type Event, type EventData, type Subject } from '../events';
import { DeadLetterHeaders, deadLetterSubject } from '../events/dead-letter';
import { eventDeliverySeconds, eventsConsumed, eventsDeadLettered, eventsRedelivered, jetstreamAcks, watchConsumerLag } from '../metrics';
import { contextFromTraceparent, currentTraceId, endSpan, tracer } from '../tracing';
import type { EventBus } from './event-bus';

/**
 * Thrown by a handler when the message cannot be applied yet (e.g. a replica is missing the
 * previous version): it is redelivered later and does not count as a failure for a long while.
 */
export class RetryLater extends Error {
  constructor(
    reason: string,
    readonly delayMs?: number,
  ) {
    super(reason);
    this.name = 'RetryLater';
  }
}

export interface ListenerOptions {
  /** Deliveries of a failing message before it goes to the dead-letter stream. */
  maxDeliveries?: number;
  /** Deliveries allowed for `RetryLater` (waiting for an earlier event) before dead-lettering. */
  maxWaits?: number;
  /** First retry delay; doubles each time up to `maxBackoffMs`. */
  backoffMs?: number;
  maxBackoffMs?: number;
  /**
   * Messages handled at once by this instance. With `orderingKey`, messages with the same key
   * still run one after another, in stream order.
   */
  concurrency?: number;
  /** Unacked messages the durable lets out (across all replicas). */
  maxAckPending?: number;
  /** How long the server waits for an ack before redelivering (a crashed replica's messages). */
  ackWaitMs?: number;
}

export interface MessageContext<S extends Subject> {
  event: Event<S>;
  msg: JsMsg;
  log: Logger;
  deliveryCount: number;
}

/** Defined in events/dead-letter.ts (a pure module, also in `@jetmart/common/contracts`). */
export { DeadLetterHeaders };

const nanos = (ms: number) => ms * 1_000_000;

/** How long one pull waits on the server; its idle heartbeat is half of it (see start()). */
const PULL_EXPIRES_MS = 5_000;

/** An event handled successfully: its times in eventDeliverySeconds (see there for the stages). */
function observeDelivery(subject: string, event: Event<Subject>, msg: JsMsg, deliveryCount: number): void {
  const now = Date.now();
  const stored = msg.info.timestampNanos / 1_000_000;
  const occurred = Date.parse(event.occurredAt);
  if (!Number.isFinite(stored) || !Number.isFinite(occurred)) return;
  eventDeliverySeconds.observe({ subject, stage: 'applied' }, Math.max(0, now - occurred) / 1000);
  if (deliveryCount > 1) return;
  eventDeliverySeconds.observe({ subject, stage: 'outbox' }, Math.max(0, stored - occurred) / 1000);
  eventDeliverySeconds.observe({ subject, stage: 'consume' }, Math.max(0, now - stored) / 1000);
}

/** A message's body as JSON, or why it is not JSON (such a message is dead-lettered by `handle`). */
type ParsedJson = { ok: true; value: unknown } | { ok: false; error: Error };

function parseJson(msg: JsMsg): ParsedJson {
  try {
    return { ok: true, value: JSON.parse(msg.string()) };
  } catch (err) {
    return { ok: false, error: err as Error };
  }
}

/** A string field of a message's raw data, for `Listener.orderingKey` (undefined when it is not one). */
export function stringField(data: unknown, field: string): string | undefined {
  const value = typeof data === 'object' && data !== null ? (data as Record<string, unknown>)[field] : undefined;
  return typeof value === 'string' ? value : undefined;
}

/**
 * A durable pull consumer of one subject, shared by all replicas of one service (the durable is
 * named `<service>-<subject>`). Explicit acks; failures are retried with exponential back-off
 * (nak with delay) and dead-lettered after `maxDeliveries`; payloads that fail validation are
 * dead-lettered at once.
 */
export abstract class Listener<S extends Subject> {
  abstract readonly subject: S;
  abstract onMessage(data: EventData<S>, ctx: MessageContext<S>): Promise<void>;

  /**
   * What must be handled in stream order when `concurrency` is above 1, from the message's raw
   * data (before validation: an invalid message gets no key and waits for nothing). A replica
   * keyed by its record's id applies version N+1 right after N instead of finding a gap, which
   * would send N+1 back for a retry after `backoffMs`.
   */
  protected orderingKey?(data: unknown): string | undefined;

  protected readonly opts: Required<ListenerOptions>;
  private messages?: ConsumerMessages;
  private loop?: Promise<void>;
  private readonly inFlight = new Set<Promise<void>>();
  /** The last message taken for each ordering key, until it settles. */
  private readonly lastOfKey = new Map<string, Promise<void>>();
  private stopping = false;
  private unwatchLag?: () => void;
  protected readonly log: Logger;

  constructor(
    protected readonly bus: EventBus,
    readonly service: string,
    options: ListenerOptions = {},
  ) {
    this.opts = {
      maxDeliveries: 5,
      maxWaits: 100,
      backoffMs: 500,
      maxBackoffMs: 30_000,
      concurrency: 1,
      maxAckPending: 1_000,
      ackWaitMs: 30_000,
      ...options,
    };
    this.log = bus.logger.child({ listener: this.constructor.name });
  }

  get durableName(): string {
    return `${this.service}-${this.subject.replace(/\./g, '-')}`;
  }

  get streamName(): string {
    return streamOf(this.subject);
  }

  protected consumerConfig(): Partial<ConsumerConfig> {
    return {
      durable_name: this.durableName,
      filter_subject: this.subject,
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.All,
      ack_wait: nanos(this.opts.ackWaitMs),
      // Delivery limits are enforced here (so the last failure can be dead-lettered), not by the server.
      max_deliver: -1,
      max_ack_pending: this.opts.maxAckPending,
    };
  }

  /** Creates the durable, or brings its config up to date; idempotent across replicas. */
  async ensureConsumer(): Promise<void> {
    const config = this.consumerConfig();
    try {
      await this.bus.jsm.consumers.add(this.streamName, config);
    } catch (err) {
      if (/already exists|already in use/i.test(String((err as Error).message))) {
        await this.bus.jsm.consumers.update(this.streamName, this.durableName, config);
      } else {
        throw err;
      }
    }
  }

  /** Binds to the durable (creating it) and starts consuming. May be retried when it throws: it then bound nothing. */
  async start(): Promise<void> {
    await this.ensureConsumer();
    const consumer = await this.bus.js.consumers.get(this.streamName, this.durableName);
    // Pulls expire after 5 s (heartbeats every 2.5 s) instead of the client's 30 s: when the node
    // serving this consumer dies, the client notices the missing heartbeats and pulls again from
    // the new leader within seconds. With the default, a listener stalled 30 s or more
    // (common/src/bus/__tests__/cluster.test.ts, kill -9 of the leader).
    this.messages = await consumer.consume({ max_messages: Math.max(10, this.opts.concurrency * 2), expires: PULL_EXPIRES_MS });
    const messages = this.messages;
    this.unwatchLag = watchConsumerLag({
      durableName: this.durableName,
      streamName: this.streamName,
      subject: this.subject,
      consumerCounts: async () => {
        const info = await this.bus.jsm.consumers.info(this.streamName, this.durableName);
        return { pending: info.num_pending, ackPending: info.num_ack_pending };
      },
    });
    this.loop = (async () => {
      for await (const msg of messages) {
        if (this.stopping) {
          // Hand it straight back so another replica takes it now rather than after ack_wait.
          msg.nak();
          jetstreamAcks.inc({ subject: this.subject, kind: 'nak' });
          continue;
        }
        const p = this.handleInTurn(msg).finally(() => this.inFlight.delete(p));
        this.inFlight.add(p);
        if (this.inFlight.size >= this.opts.concurrency) await Promise.race(this.inFlight);
      }
    })().catch((err) => this.log.error({ err }, 'consume loop ended with an error'));
  }

  /** Stops pulling, finishes the messages being handled, and hands back the rest. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.unwatchLag?.();
    if (this.messages) await this.messages.close();
    await this.loop;
    await Promise.allSettled([...this.inFlight]);
  }

  /**
   * `handle`, after the messages taken before it with the same ordering key have settled. The
   * message's JSON is parsed here once: the key is read from it and `handle` checks the same value.
   */
  private handleInTurn(msg: JsMsg): Promise<void> {
    const json = parseJson(msg);
    const run = () => this.handle(msg, json);
    const key = this.keyOf(json);
    if (key === undefined) return run();
    const before = this.lastOfKey.get(key);
    const p: Promise<void> = (before ? before.catch(() => undefined).then(run) : run()).finally(() => {
      if (this.lastOfKey.get(key) === p) this.lastOfKey.delete(key);
    });
    this.lastOfKey.set(key, p);
    return p;
  }

  private keyOf(json: ParsedJson): string | undefined {
    if (!this.orderingKey || this.opts.concurrency <= 1 || !json.ok) return undefined;
    try {
      return this.orderingKey((json.value as { data?: unknown } | null)?.data);
    } catch {
      return undefined;
    }
  }

  private backoff(deliveryCount: number): number {
    return Math.min(this.opts.backoffMs * 2 ** (deliveryCount - 1), this.opts.maxBackoffMs);
  }

  /**
   * One delivery, in a CONSUMER span that is the child of the publisher's `traceparent` header.
   * The handler runs inside that span, so its database calls and the events it records or
   * publishes belong to the same trace.
   */
  private async handle(msg: JsMsg, json: ParsedJson): Promise<void> {
    const parent = contextFromTraceparent(msg.headers?.get('traceparent') || undefined, msg.headers?.get('tracestate') || undefined);
    const span = tracer().startSpan(
      `process ${this.subject}`,
      {
        kind: SpanKind.CONSUMER,
        attributes: {
          'messaging.system': 'nats',
          'messaging.operation.type': 'process',
          'messaging.destination.name': this.subject,
          'messaging.consumer.group.name': this.durableName,
          'messaging.nats.stream': msg.info.stream,
          'messaging.nats.sequence': msg.info.streamSequence,
          'messaging.nats.delivery_count': msg.info.deliveryCount,
        },
      },
      parent,
    );
    try {
      await context.with(trace.setSpan(parent, span), () => this.handleInSpan(msg, json, span));
      endSpan(span);
    } catch (err) {
      endSpan(span, err);
      throw err;
    }
  }

  private async handleInSpan(msg: JsMsg, json: ParsedJson, span: Span): Promise<void> {
    const deliveryCount = msg.info.deliveryCount;
    if (deliveryCount > 1) eventsRedelivered.inc({ subject: this.subject });
    let event: Event<S>;
    try {
      if (!json.ok) throw json.error;
      event = parseEvent(json.value, this.subject);
    } catch (err) {
      span.setAttribute('jetmart.outcome', 'deadletter');
      await this.deadLetter(msg, `invalid event: ${(err as Error).message}`);
      return;
    }
    span.setAttribute('messaging.message.id', event.id);
    const log = this.log.child({ eventId: event.id, subject: event.subject, traceId: span.spanContext().traceId });
    try {
      await this.onMessage(event.data, { event, msg, log, deliveryCount });
      msg.ack();
      jetstreamAcks.inc({ subject: this.subject, kind: 'ack' });
      observeDelivery(this.subject, event, msg, deliveryCount);
      span.setAttribute('jetmart.outcome', 'ack');
      eventsConsumed.inc({ subject: this.subject, outcome: 'ack' });
    } catch (err) {
      const waiting = err instanceof RetryLater;
      const limit = waiting ? this.opts.maxWaits : this.opts.maxDeliveries;
      if (!waiting) span.recordException(err as Error);
      if (deliveryCount >= limit) {
        span.setAttribute('jetmart.outcome', 'deadletter');
        await this.deadLetter(msg, (err as Error).message);
        return;
      }
      span.setAttribute('jetmart.outcome', waiting ? 'wait' : 'retry');
      const delay = waiting && (err as RetryLater).delayMs !== undefined ? (err as RetryLater).delayMs! : this.backoff(deliveryCount);
      if (waiting) log.debug({ reason: (err as Error).message, delay }, 'not applicable yet, retrying later');
      else log.warn({ err, deliveryCount, delay }, 'handler failed, retrying');
      msg.nak(delay);
      jetstreamAcks.inc({ subject: this.subject, kind: 'nak' });
      eventsConsumed.inc({ subject: this.subject, outcome: 'retry' });
    }
  }

  /** Copies the message to `deadletter.<durable>` with why it failed, then terminates it. */
  private async deadLetter(msg: JsMsg, reason: string): Promise<void> {
    const h: MsgHdrs = natsHeaders();
    h.set(DeadLetterHeaders.subject, msg.subject);
    h.set(DeadLetterHeaders.stream, msg.info.stream);
    h.set(DeadLetterHeaders.sequence, String(msg.info.streamSequence));
    h.set(DeadLetterHeaders.consumer, this.durableName);
    h.set(DeadLetterHeaders.error, reason.slice(0, 1000).replace(/[\r\n]+/g, ' '));
    h.set(DeadLetterHeaders.deliveries, String(msg.info.deliveryCount));
    const traceparent = msg.headers?.get('traceparent');
    if (traceparent) h.set('traceparent', traceparent);
    try {
      await this.bus.js.publish(deadLetterSubject(this.durableName), msg.data, {
        headers: h,
        msgID: `dl-${msg.info.stream}-${msg.info.streamSequence}-${this.durableName}`,
      });
    } catch (err) {
      // Never drop a message we could not park: try again later.
      this.log.error({ err, traceId: currentTraceId() }, 'dead-letter publish failed; will retry the message');
      msg.nak(this.opts.backoffMs);
      jetstreamAcks.inc({ subject: this.subject, kind: 'nak' });
      return;
    }
    msg.term(reason.slice(0, 200));
    jetstreamAcks.inc({ subject: this.subject, kind: 'term' });
    eventsDeadLettered.inc({ subject: this.subject });
    eventsConsumed.inc({ subject: this.subject, outcome: 'deadletter' });
    this.log.error({ subject: msg.subject, seq: msg.info.streamSequence, reason, traceId: currentTraceId() }, 'event dead-lettered');
  }
}
