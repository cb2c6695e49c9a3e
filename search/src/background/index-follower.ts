import { DeliverPolicy, type ConsumerMessages } from '@nats-io/jetstream';
import { parseEvent, Streams, type BackgroundTask, type EventBus, type Subject } from '@jetmart/common';
import type { Logger } from 'pino';
import { applyEventToIndex, SEARCH_SUBJECTS } from '../engine/apply';
import type { SearchIndex } from '../engine/search-index';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface IndexFollowerDeps {
  bus: EventBus;
  index: SearchIndex;
  logger: Logger;
}

/**
 * Keeps this process's in-memory index in step: an ordered consumer of this process alone
 * replays the PRODUCTS stream from its first message (the index is ready once it has caught up
 * with the stream as it was at start) and then follows it (every replica sees every change; the
 * durables are shared and write the read model once). Every event carries its source's whole
 * state, so the index applies whatever is newer than what it has, in any order; replaying the
 * stream gives the same state as the read model (the rebuild test checks rebuild = live).
 *
 * Why not load the read model at start: FerretDB serves documents slowly (measured: 127 s to
 * read 100,000 search documents, of a 131 s start; the same index from the stream is CPU-bound
 * in this process). What it costs instead: the replay grows with the stream's history (every
 * update, stock and rating event), not with the catalog (docs/BENCHMARKS.md, search).
 *
 * Why not poll the read model (`touchedAt`) for changes: FerretDB does not use indexes for range
 * queries (measured: 4 s per `touchedAt >=` query over 20,000 documents), so a poll could not
 * keep a change searchable within a second; a NATS message arrives in milliseconds.
 */
export class IndexFollower implements BackgroundTask {
  private loaded = false;
  private stopping = false;
  private messages?: ConsumerMessages;
  private running?: Promise<void>;
  /** Stats for logs and the benchmark: events replayed until caught up, and how long it took. */
  loadedDocuments = 0;
  loadMs = 0;
  eventsApplied = 0;

  constructor(private readonly deps: IndexFollowerDeps) {}

  /** Readiness: true once the index has caught up with the stream as it was at start. */
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

  private caughtUp(started: number): void {
    this.loaded = true;
    this.loadMs = Date.now() - started;
    this.deps.logger.info({ documents: this.loadedDocuments, ms: this.loadMs, listed: this.deps.index.count }, 'search index loaded');
  }

  private async run(): Promise<void> {
    const { bus, index } = this.deps;
    const started = Date.now();
    const consumer = await this.retry('following PRODUCTS', () =>
      bus.js.consumers.get(Streams.products.name, { filter_subjects: [...SEARCH_SUBJECTS], deliver_policy: DeliverPolicy.All }),
    );
    if (this.stopping) return;
    const pending = (await this.retry('reading PRODUCTS', () => consumer.info())).num_pending;
    if (pending === 0) this.caughtUp(started);
    this.messages = await consumer.consume();
    for await (const msg of this.messages) {
      if (this.stopping) break;
      let event;
      try {
        event = parseEvent(JSON.parse(msg.string()), msg.subject as Subject);
      } catch {
        // The read model's listener dead-letters it; the index has nothing to take from it either.
      }
      if (event && applyEventToIndex(index, event)) this.eventsApplied++;
      if (!this.loaded) {
        this.loadedDocuments++;
        // Caught up with the stream as it was at start (later messages are live changes).
        if (msg.info.pending === 0 || this.loadedDocuments >= pending) this.caughtUp(started);
      }
    }
  }
}
