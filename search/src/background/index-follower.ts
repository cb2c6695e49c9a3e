import { DeliverPolicy, type ConsumerMessages } from '@nats-io/jetstream';
import { parseEvent, Streams, type BackgroundTask, type EventBus, type Subject } from '@jetmart/common';
import type { Logger } from 'pino';
import { applyDocumentToIndex, applyEventToIndex, SEARCH_SUBJECTS } from '../engine/apply';
import type { SearchIndex } from '../engine/search-index';
import type { SearchDocumentFields, SearchDocumentModel } from '../models';

export interface IndexFollowerDeps {
  bus: EventBus;
  model: SearchDocumentModel;
  index: SearchIndex;
  logger: Logger;
  /** The durables that feed the read model (this service's listeners): the replay starts at their slowest ack floor. */
  durables: string[];
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Keeps this process's in-memory index in step. At start: note where the read model's consumers
 * stand (their slowest ack floor on PRODUCTS), load the whole read model, then follow the
 * PRODUCTS stream from that point with an ordered consumer of this process alone (every replica
 * sees every change; the durables are shared and write the read model once). Every event
 * carries its source's whole state, so the index applies whatever is newer than what it has:
 * replayed events already in the loaded read model change nothing.
 *
 * Why not poll the read model (`touchedAt`): FerretDB does not use indexes for range queries
 * (measured: 4 s per `touchedAt >=` query over 20,000 documents), so a poll could not keep a
 * change searchable within a second; a NATS message arrives in milliseconds.
 */
export class IndexFollower implements BackgroundTask {
  private loaded = false;
  private stopping = false;
  private messages?: ConsumerMessages;
  private running?: Promise<void>;
  /** Stats for logs and the benchmark. */
  loadedDocuments = 0;
  loadMs = 0;
  eventsApplied = 0;

  constructor(private readonly deps: IndexFollowerDeps) {}

  /** Readiness: true once the whole read model is in the index. */
  get ready(): boolean {
    return this.loaded && !this.stopping;
  }

  start(): this {
    this.running = this.run().catch((err) => this.deps.logger.error({ err }, 'index follower stopped with an error'));
    return this;
  }

  async stop(): Promise<void> {
    this.stopping = true;
    await this.messages?.close();
    await this.running;
  }

  private async retry<T>(what: string, fn: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await fn();
      } catch (err) {
        if (this.stopping) throw err;
        this.deps.logger.warn({ err: (err as Error).message, attempt }, `${what} failed; retrying`);
        await sleep(Math.min(250 * attempt, 5_000));
      }
    }
  }

  /** The first stream sequence the read model may not have applied yet (1 when a durable is new). */
  private async startSequence(): Promise<number> {
    let floor = Infinity;
    for (const durable of this.deps.durables) {
      try {
        const info = await this.deps.bus.jsm.consumers.info(Streams.products.name, durable);
        floor = Math.min(floor, info.ack_floor.stream_seq);
      } catch {
        floor = 0;
      }
    }
    return Number.isFinite(floor) ? floor + 1 : 1;
  }

  private async load(): Promise<void> {
    const started = Date.now();
    let n = 0;
    const cursor = this.deps.model.find({}).lean<SearchDocumentFields>().batchSize(2_000).cursor();
    for await (const doc of cursor) {
      applyDocumentToIndex(this.deps.index, doc as SearchDocumentFields);
      n++;
      if (this.stopping) break;
    }
    this.loadedDocuments = n;
    this.loadMs = Date.now() - started;
  }

  private async run(): Promise<void> {
    const { bus, logger, index } = this.deps;
    const from = await this.retry('reading the consumers of the read model', () => this.startSequence());
    await this.retry('loading the read model', () => this.load());
    if (this.stopping) return;
    this.loaded = true;
    logger.info({ documents: this.loadedDocuments, ms: this.loadMs, listed: index.count, followFrom: from }, 'search index loaded');
    const consumer = await this.retry('following PRODUCTS', () =>
      bus.js.consumers.get(Streams.products.name, {
        filter_subjects: [...SEARCH_SUBJECTS],
        deliver_policy: DeliverPolicy.StartSequence,
        opt_start_seq: from,
      }),
    );
    if (this.stopping) return;
    this.messages = await consumer.consume();
    for await (const msg of this.messages) {
      if (this.stopping) break;
      let event;
      try {
        event = parseEvent(JSON.parse(msg.string()), msg.subject as Subject);
      } catch {
        // The read model's listener dead-letters it; the index has nothing to take from it either.
        continue;
      }
      if (applyEventToIndex(index, event)) this.eventsApplied++;
    }
  }
}
