import { connect } from '@nats-io/transport-node';
import { headers as natsHeaders, type MsgHdrs, type NatsConnection } from '@nats-io/nats-core';
import {
  jetstream,
  jetstreamManager,
  type JetStreamClient,
  type JetStreamManager,
  type PubAck,
  type StreamConfig,
} from '@nats-io/jetstream';
import { context, propagation, SpanKind, trace } from '@opentelemetry/api';
import type { Logger } from 'pino';
import { makeEvent, parseEvent, Streams, type Event, type EventData, type Subject } from '../events';
import { eventsPublished } from '../metrics';
import { contextFromTraceparent, endSpan, tracer } from '../tracing';

/** How long JetStream remembers message ids to drop duplicate publishes (outbox re-sends after a crash). */
export const DUPLICATE_WINDOW_MS = 10 * 60_000;

export interface EventBusOptions {
  /** One server, or every node of a cluster (`natsServers(NATS_URL)`): the client fails over between them. */
  servers: string | string[];
  /** Connection name shown in NATS monitoring, e.g. `orders-7f9c`. */
  name: string;
  logger: Logger;
  /**
   * Replicas of every stream (and key-value bucket) this bus creates: 1 on a single node, 3 on a
   * 3-node cluster (JETSTREAM_REPLICAS). An R1 stream lives on one node and is lost with it; an
   * R3 stream survives one node down. Durable consumers inherit their stream's.
   */
  replicas?: number;
}

/** NATS_URL (one URL, or a comma-separated list of a cluster's nodes) as the client's server list. */
export const natsServers = (natsUrl: string): string[] =>
  natsUrl
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

/** Whether a JetStream add failed because the stream/consumer exists with another config (then update it). */
export const existsWithOtherConfig = (err: unknown) => /already in use|already exists/i.test(String((err as Error)?.message));

export interface PublishOptions {
  /** Extra headers, e.g. the W3C `traceparent` of the change that caused the event. */
  headers?: Record<string, string>;
}

const nanos = (ms: number) => ms * 1_000_000;

/** A NATS connection with JetStream, the streams jetmart uses, and validated publishing. */
export class EventBus {
  private constructor(
    readonly nc: NatsConnection,
    readonly js: JetStreamClient,
    readonly jsm: JetStreamManager,
    readonly logger: Logger,
    readonly replicas: number,
  ) {}

  static async connect(opts: EventBusOptions): Promise<EventBus> {
    const nc = await connect({
      servers: opts.servers,
      name: opts.name,
      maxReconnectAttempts: -1,
      reconnectTimeWait: 500,
    });
    const jsm = await jetstreamManager(nc);
    const bus = new EventBus(nc, jetstream(nc), jsm, opts.logger, opts.replicas ?? 1);
    void (async () => {
      for await (const s of nc.status()) {
        if (s.type === 'disconnect' || s.type === 'reconnect' || s.type === 'error') {
          opts.logger.warn({ natsStatus: s.type }, 'nats connection status');
        }
      }
    })().catch(() => undefined);
    return bus;
  }

  get connected(): boolean {
    return !this.nc.isClosed() && !this.nc.isDraining();
  }

  /**
   * Creates every jetmart stream, or updates it to the current config (an older duplicate window,
   * another replica count: a platform moved from one node to a cluster scales its R1 streams to R3
   * in place). Safe to run from every replica.
   */
  async ensureStreams(): Promise<void> {
    for (const s of Object.values(Streams)) {
      const config: Partial<StreamConfig> & { name: string } = {
        name: s.name,
        subjects: [...s.subjects],
        duplicate_window: nanos(DUPLICATE_WINDOW_MS),
        num_replicas: this.replicas,
      };
      try {
        await this.jsm.streams.add(config);
      } catch (err) {
        if (existsWithOtherConfig(err)) {
          await this.jsm.streams.update(s.name, config);
        } else {
          throw err;
        }
      }
    }
  }

  /**
   * Publishes a validated event; its id is the JetStream message id. A PRODUCER span is the
   * child of `headers.traceparent` when given (the change that caused the event, stored in the
   * outbox) or else of the active span, and its own `traceparent` goes in the message headers.
   */
  async publish(event: Event, opts: PublishOptions = {}): Promise<PubAck> {
    const checked = parseEvent(event, event.subject);
    const given = opts.headers?.traceparent;
    const parent = given ? contextFromTraceparent(given, opts.headers?.tracestate) : context.active();
    const span = tracer().startSpan(
      `publish ${checked.subject}`,
      {
        kind: SpanKind.PRODUCER,
        attributes: {
          'messaging.system': 'nats',
          'messaging.operation.type': 'send',
          'messaging.destination.name': checked.subject,
          'messaging.message.id': checked.id,
        },
      },
      parent,
    );
    const h: MsgHdrs = natsHeaders();
    for (const [k, v] of Object.entries(opts.headers ?? {})) h.set(k, v);
    const carrier: Record<string, string> = {};
    propagation.inject(trace.setSpan(parent, span), carrier);
    for (const [k, v] of Object.entries(carrier)) h.set(k, v);
    try {
      const ack = await this.js.publish(checked.subject, JSON.stringify(checked), { msgID: checked.id, headers: h });
      span.setAttributes({
        'messaging.nats.stream': ack.stream,
        'messaging.nats.sequence': ack.seq,
        'messaging.nats.duplicate': ack.duplicate,
      });
      // Counted here, not in the relay, so events published directly (bus.emit) count too.
      eventsPublished.inc({ subject: checked.subject });
      if (ack.duplicate) this.logger.debug({ eventId: checked.id, subject: checked.subject }, 'duplicate publish dropped');
      endSpan(span);
      return ack;
    } catch (err) {
      endSpan(span, err);
      throw err;
    }
  }

  /** Builds and publishes an event in one step (for events not tied to a stored change). */
  async emit<S extends Subject>(subject: S, data: EventData<S>, eventId?: string, opts?: PublishOptions): Promise<PubAck> {
    return this.publish(makeEvent(subject, data, eventId), opts);
  }

  /** Stops new work, lets pending publishes and acks flush, then closes. */
  async drain(): Promise<void> {
    if (this.nc.isClosed() || this.nc.isDraining()) return;
    await this.nc.drain();
  }
}
