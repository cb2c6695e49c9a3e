import { context, ROOT_CONTEXT } from '@opentelemetry/api';
import { Schema, Types, type Document, type Model } from 'mongoose';
import type { Logger } from 'pino';
import type { EventBus } from '../bus/event-bus';
import { storedUnderLock, updateOneUnderLock, withDocumentLock } from '../lock';
import { makeEvent, type Event, type EventData, type Subject } from '../events';
import { outboxBacklog, outboxOldestAgeSeconds } from '../metrics';
import { currentTraceparent } from '../tracing';
import type { AnyModel } from '../database/any-model';
import { RecoveryLease, RecoveryScans } from '../service/leases';

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

/**
 * Documents this process has written outbox entries to, by database and collection: the relay
 * reads these by `_id` instead of scanning for pending entries (FerretDB pushes down only `_id`
 * filters, so a scan reads the whole collection; measured in docs/BENCHMARKS.md, "Profile-driven
 * fixes"). A write that failed is noted too: its answer may be lost after the server applied it.
 * What nobody here noted (a crashed process's, another replica's) is the full scan's: see
 * `OutboxRelay`.
 */
const writtenIds = new Map<string, Map<string, OutboxEntry[] | null>>();

/** Key of a collection in `writtenIds`: two connections (one test process, two services) may use the same collection name. */
function collectionKey(model: { db: { name: string }; collection: { collectionName: string } }): string {
  return `${model.db.name}.${model.collection.collectionName}`;
}
const relayWakeups = new Set<() => void>();

/**
 * `entries`: every entry the document holds, when the write knows them (the insert of a new
 * document: nothing older can be pending on it; a write under a document lock, whose guard read
 * saw what was pending before it), so the relay publishes them without reading the document back;
 * null: read it.
 */
function noteOutboxWrite(collection: string, id: unknown, wake = true, entries: OutboxEntry[] | null = null): void {
  if (id === undefined || id === null || (typeof id === 'object' && !('toHexString' in (id as object)))) return;
  let ids = writtenIds.get(collection);
  if (!ids) writtenIds.set(collection, (ids = new Map()));
  // A second write to the same document before the relay took it: only a read knows them all.
  ids.set(String(id), ids.has(String(id)) ? null : entries);
  if (wake) for (const w of relayWakeups) w();
}

function takeWrittenIds(collection: string): Array<[string, OutboxEntry[] | null]> {
  const ids = writtenIds.get(collection);
  if (!ids?.size) return [];
  writtenIds.delete(collection);
  return [...ids];
}

const plainEntry = (e: unknown): OutboxEntry =>
  (typeof e === 'object' && e !== null && 'toObject' in e ? (e as Document).toObject() : e) as OutboxEntry;
const entryIds = (entries: unknown): string[] | undefined =>
  Array.isArray(entries) ? entries.map((e) => String((e as { id?: unknown } | null)?.id)) : undefined;
const sameIds = (a: string[] | undefined, b: string[] | undefined) =>
  !!a && !!b && a.length === b.length && a.every((id, i) => id === b[i]);

/**
 * Every entry a saved document holds after its save, where the save knows them: an insert (nothing
 * older can be pending on a new document), or a save under a document lock whose guard read found
 * the stored outbox as this document was loaded: nothing changed it in between, so what is stored
 * now is this document's outbox, whatever mongoose sent. Otherwise null (the relay reads it back).
 */
function entriesAfterSave(doc: Document & WithOutbox): OutboxEntry[] | null {
  if (doc.$locals.outboxInsert === true) return doc.outbox.map(plainEntry);
  const stored = storedUnderLock(doc);
  if (!stored || !sameIds(entryIds(stored.outbox ?? []), doc.$locals.outboxIdsLoaded as string[] | undefined)) return null;
  return doc.outbox.map(plainEntry);
}

/**
 * Every entry a document holds after an update that pushed to its outbox under a document lock
 * (the guard's read found the entries pending before it; the lock kept every other writer out):
 * those, then the pushed ones. Null where that is not known: no guard read (locks off, a filter on
 * `_id` alone), nothing modified, or an update that does more to the outbox than a plain `$push`.
 */
function entriesAfterUpdate(q: { getUpdate(): unknown }, result: unknown): OutboxEntry[] | null {
  const stored = storedUnderLock(q);
  if (!stored || (result as { modifiedCount?: number } | null)?.modifiedCount !== 1) return null;
  const update = q.getUpdate() as Record<string, Record<string, unknown> | undefined>;
  const touchesOutbox = Object.entries(update).some(([op, fields]) => op !== '$push' && op.startsWith('$') && fields && 'outbox' in fields);
  const pushed = update.$push?.outbox as { $each?: unknown[] } | undefined;
  if (touchesOutbox || pushed === undefined) return null;
  const each = typeof pushed === 'object' && pushed !== null && '$each' in pushed ? pushed : undefined;
  // $position, $slice or $sort would put the entries elsewhere than at the end.
  if (each && Object.keys(each).some((k) => k !== '$each')) return null;
  const added = each ? (each.$each ?? []) : [pushed];
  return [...((stored.outbox ?? []) as unknown[]), ...added].map(plainEntry);
}

/** Adds the `outbox` array to a schema, and tells this process's relay about every outbox write. */
export function outboxPlugin(schema: Schema): void {
  schema.add({ outbox: { type: [outboxEntrySchema], default: [] } });
  // The entries as loaded (or last saved): a save under a lock compares them with the stored ones.
  const rememberLoaded = function (this: Document & WithOutbox) {
    this.$locals.outboxIdsLoaded = entryIds(this.outbox ?? []);
  };
  schema.post('init', rememberLoaded);
  schema.pre('save', function (this: Document & WithOutbox) {
    this.$locals.outboxInsert = this.isNew;
  });
  schema.post('save', function (this: Document & WithOutbox) {
    const entries = this.outbox?.length ? entriesAfterSave(this) : null;
    rememberLoaded.call(this);
    if (!this.outbox?.length) return;
    noteOutboxWrite(collectionKey(this.constructor as Model<unknown>), this._id, true, entries);
  });
  // A failed save may still have been applied (an answer lost on the way back): read it by `_id`.
  // Error handlers (as in the lock plugin): note, and let the original error propagate unchanged.
  schema.post(
    'save',
    { errorHandler: true } as never,
    function (this: Document & WithOutbox) {
      if (this.outbox?.length) noteOutboxWrite(collectionKey(this.constructor as Model<unknown>), this._id, true);
    } as never,
  );
  type OutboxQuery = { getUpdate(): unknown; getFilter(): Record<string, unknown>; model: Model<unknown> };
  const noteQuery = (q: OutboxQuery, entries: OutboxEntry[] | null = null) => {
    const update = q.getUpdate() as { $push?: Record<string, unknown> } | null;
    if (update?.$push && 'outbox' in update.$push) noteOutboxWrite(collectionKey(q.model), q.getFilter()._id, true, entries);
  };
  schema.post('updateOne', function (this: OutboxQuery, result: unknown) {
    noteQuery(this, entriesAfterUpdate(this, result));
  });
  schema.post('findOneAndUpdate', function (this: OutboxQuery) {
    noteQuery(this);
  });
  for (const op of ['updateOne', 'findOneAndUpdate'] as const) {
    schema.post(
      op,
      { errorHandler: true } as never,
      function (this: OutboxQuery) {
        noteQuery(this);
      } as never,
    );
  }
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
  /**
   * How often a pass scans for every pending entry regardless of leases: the net for writers that
   * hold no lease (a script, a process that wrote before its relay started). Rare on purpose: on
   * FerretDB/SQLite each scan reads the whole collection.
   */
  fullScanIntervalMs?: number;
  /** A relay whose lease is not renewed for this long is taken for dead, and its leftovers are scanned for. */
  leaseTtlMs?: number;
  /**
   * Documents handled at once within a pass (each document's own entries stay strictly in order).
   * One at a time, a busy pass makes the last document wait for every other one's publish, lock
   * and removal round trips before its event goes out.
   */
  concurrency?: number;
  logger: Logger;
}

const PENDING = { 'outbox.0': { $exists: true } };
export const OUTBOX_FULL_SCAN_INTERVAL_MS = 15 * 60_000;
/** Enough for the entries of a few passes: a write's known entries are at most that old. */
const REMOVED_IDS_KEPT = 2_000;

/** A document with pending entries as the relay handles it (`_id` as the driver takes it). */
type PendingDoc = { _id: never; outbox?: unknown };

/**
 * Publishes every document's pending outbox events, oldest first per document, then removes them.
 *
 * What it reads, and why (issue 21, cost after growth): the documents this process wrote, by
 * `_id` (noted by the plugin's hooks, also after a failed write, and again after a failed
 * publish), so their cost does not depend on the size of the collection. Entries nobody in this
 * process knows of exist only when a writer died (a crash between the write and the publish) or
 * held no relay; for those, the whole collection is scanned: (1) at start-up (a restarted
 * replica publishes what it left), (2) when a peer relay's lease expires (`RecoveryLease`: a
 * replica that died and did not come back), (3) every `fullScanIntervalMs` (15 min) for writers
 * without a lease. Scanning every 5 s in every replica made every checkout pay for reading every
 * product and stock document on FerretDB/SQLite. A pending-documents marker collection was the
 * other option; it needs an insert before and a delete after every event write (about +2
 * commands per event, +10 per checkout against a target of 12 in all), where a lease costs two
 * commands per renewal whatever the load.
 */
export class OutboxRelay {
  private timer?: NodeJS.Timeout;
  private running?: Promise<number>;
  private stopped = true;
  private again = false;
  private readonly intervalMs: number;
  private readonly batchSize: number;
  private readonly concurrency: number;
  /** When a pass scans every document (start-up, a peer's lease expired, the last scan stopped at batchSize, every fullScanIntervalMs). */
  private readonly scans: RecoveryScans;
  private readonly lease?: RecoveryLease;
  private readonly wake = () => this.publishSoon();
  private readonly log: Logger;
  /**
   * Ids of the entries this relay removed (its conditional `$pop` modified the document), the
   * newest REMOVED_IDS_KEPT. A write that knew its entries may have seen one still pending that a
   * pass of this relay then published and removed: it is no longer stored, so it is left out
   * rather than published again and removed in vain (a lock, a guard read and a miss).
   */
  private readonly removed = new Set<string>();

  constructor(
    private readonly bus: EventBus,
    private readonly models: AnyModel[],
    opts: OutboxRelayOptions,
  ) {
    this.intervalMs = opts.intervalMs ?? 500;
    this.batchSize = opts.batchSize ?? 200;
    this.scans = new RecoveryScans(opts.fullScanIntervalMs ?? OUTBOX_FULL_SCAN_INTERVAL_MS);
    this.concurrency = Math.max(1, opts.concurrency ?? 8);
    this.log = opts.logger.child({ component: 'outbox-relay' });
    if (models.length) {
      // One role per set of collections: a peer's leftovers are in the collections it relays.
      const role = `outbox-relay:${models
        .map((m) => m.collection.collectionName)
        .sort()
        .join(',')}`;
      this.lease = new RecoveryLease(models[0].db, role, { ttlMs: opts.leaseTtlMs, logger: this.log }).onPeerLost(() => {
        this.scans.owe();
        this.publishSoon();
      });
    }
  }

  start(): void {
    this.stopped = false;
    this.scans.owe();
    relayWakeups.add(this.wake);
    this.lease?.start();
    this.schedule(0);
  }

  /**
   * Called by the outbox plugin's hooks after a write of this process: publish now instead of
   * waiting for the next poll. Service code never calls it (a write is enough).
   */
  private publishSoon(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.schedule(0);
  }

  /** Stops polling after the pass under way (its publishes complete or stay pending). The lease stays until it expires. */
  async stop(): Promise<void> {
    this.stopped = true;
    relayWakeups.delete(this.wake);
    if (this.timer) clearTimeout(this.timer);
    await this.lease?.stop();
    await this.running?.catch(() => undefined);
  }

  /**
   * Shutdown: stop, publish what this process wrote, and give the lease back only if all of it
   * got out; otherwise the lease expires and a peer's scan publishes the rest.
   */
  async close(): Promise<void> {
    await this.stop();
    try {
      await this.flush({ full: false });
    } catch (err) {
      this.log.warn({ err }, 'final outbox flush failed; events stay pending for a peer or the next start');
      return;
    }
    await this.lease?.stop({ release: true }).catch((err) => this.log.warn({ err }, 'releasing the relay lease failed'));
  }

  /** Runs passes until nothing is pending (every document when `full`, the default). Returns the number of events published. */
  async flush(opts: { full?: boolean } = {}): Promise<number> {
    let total = 0;
    for (;;) {
      await this.running?.catch(() => undefined);
      const n = await this.pass({ full: opts.full ?? true });
      total += n;
      if (n === 0) return total;
    }
  }

  private schedule(ms: number): void {
    if (this.timer) clearTimeout(this.timer);
    // Passes run outside whatever request or message kicked the relay: a pass publishes other
    // requests' events too, and each publish takes its trace from its own outbox entry.
    this.timer = setTimeout(
      context.bind(ROOT_CONTEXT, () => void this.tick()),
      ms,
    );
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
    if (!this.stopped) this.schedule(this.again || this.scans.owed || published >= this.batchSize ? 0 : this.intervalMs);
  }

  private noteRemoved(id: string): void {
    this.removed.add(id);
    if (this.removed.size > REMOVED_IDS_KEPT) this.removed.delete(this.removed.values().next().value!);
  }

  /** Pending documents of `model`: those this process wrote (by `_id`), or all on a full scan. */
  private async pendingDocs(model: AnyModel, full: boolean, taken: Array<[string, string[]]>): Promise<PendingDoc[]> {
    const key = collectionKey(model);
    if (full) {
      takeWrittenIds(key); // the scan covers them
      const found = (await model.collection
        .find(PENDING, { projection: { outbox: 1 } })
        .limit(this.batchSize)
        .toArray()) as PendingDoc[];
      // More may be pending beyond the batch: scan again on the next pass rather than in 15 min.
      if (found.length >= this.batchSize) this.scans.owe();
      taken.push([key, found.map((d) => String(d._id))]);
      return found;
    }
    const written = takeWrittenIds(key);
    taken.push([key, written.map(([id]) => id)]);
    const docs = await mapLimit(written, this.concurrency, async ([id, entries]) => {
      const _id = model.schema.path('_id')?.instance === 'ObjectId' && /^[a-f0-9]{24}$/i.test(id) ? new Types.ObjectId(id) : id;
      // Entries known from the write (an insert, or a write under a document lock: see
      // outboxPlugin): an entry another relay published meanwhile is published again (same message
      // id: dropped) and its conditional removal misses.
      if (entries) {
        const left = entries.filter((e) => !this.removed.has(e.id));
        return left.length ? ({ _id: _id as never, outbox: left } as PendingDoc) : null;
      }
      // By `_id` alone, the pending check here: FerretDB/SQLite reads the whole collection for any
      // filter beyond `_id` (see lock/guards.ts), and this runs for every document written.
      const doc = await (model.collection.findOne({ _id } as never, { projection: { outbox: 1 } }) as Promise<PendingDoc | null>);
      return doc && Array.isArray(doc.outbox) && doc.outbox.length > 0 ? doc : null;
    });
    return docs.filter((doc) => doc !== null);
  }

  /**
   * One pass over every model: the documents this process wrote, or (when a scan is owed, every
   * `fullScanIntervalMs`, and when asked) every pending document. Throws if publishing fails (the
   * events stay pending, and the documents are looked at again on the next pass).
   */
  async pass(opts: { full?: boolean } = {}): Promise<number> {
    const full = this.scans.due(Date.now(), { forced: opts.full });
    const taken: Array<[string, string[]]> = [];
    let published = 0;
    // Every entry this pass saw, and whether it got out: the gauges are set from it even when a
    // publish fails (NATS down), which is when a growing backlog matters most.
    const seen: { createdAt: Date; done: boolean }[] = [];
    let visited = 0;
    try {
      for (const model of this.models) {
        const docs = await this.pendingDocs(model, full, taken);
        visited++;
        const byDoc = docs.map((doc) => ({
          doc,
          entries: ((doc.outbox ?? []) as OutboxEntry[]).map((entry) => {
            const s = { createdAt: new Date(entry.createdAt), done: false };
            seen.push(s);
            return { entry, s };
          }),
        }));
        // Documents in parallel, each document's entries in order; the first failure stops
        // taking new documents and is thrown once the ones under way have finished.
        await mapLimit(byDoc, this.concurrency, async ({ doc, entries }) => {
          for (const { entry, s } of entries) {
            const headers = entry.traceparent ? { traceparent: entry.traceparent } : undefined;
            await this.bus.publish(entry.event, { headers });
            // Remove it only if it is still first (another relay replica may have done it already).
            // $pop with a positional condition works on MongoDB and FerretDB alike; $pull by query does not on FerretDB.
            const popped = await withDocumentLock(
              model.collection.collectionName,
              doc._id,
              (lock) =>
                updateOneUnderLock(model.collection, lock, { _id: doc._id, 'outbox.0.id': entry.id }, { $pop: { outbox: -1 } } as never),
              model.db,
            );
            if (popped.modifiedCount === 1) this.noteRemoved(entry.id);
            s.done = true;
            published++;
          }
        });
      }
    } catch (err) {
      // Not all published: look at these documents again on the next pass (by `_id`: a full
      // scan's finds included, since the next scan may be far away).
      // Without waking the relay: it retries on its interval, not in a tight loop while NATS is down.
      for (const [key, ids] of taken) for (const id of ids) noteOutboxWrite(key, id, false);
      throw err;
    } finally {
      // What this process knows to be pending: what the pass left, plus what it did not reach
      // (models after a failure; counted as one entry per document when the entries are not known).
      // Another process's leftovers count once a scan has found them.
      const left = seen.filter((s) => !s.done);
      let unread = 0;
      for (const model of this.models.slice(visited)) {
        for (const entries of writtenIds.get(collectionKey(model))?.values() ?? []) unread += entries?.length ?? 1;
      }
      outboxBacklog.set(left.length + unread);
      const oldest = Math.min(...left.map((s) => s.createdAt.getTime()));
      outboxOldestAgeSeconds.set(left.length ? Math.max(0, (Date.now() - oldest) / 1000) : 0);
    }
    return published;
  }
}

/**
 * `fn` over `items`, at most `limit` at once; results in input order. After the first failure no
 * new item is started; that failure is thrown once the items under way have settled.
 */
async function mapLimit<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  let failed = false;
  let failure: unknown;
  const worker = async () => {
    while (!failed && next < items.length) {
      const i = next++;
      try {
        results[i] = await fn(items[i]);
      } catch (err) {
        if (!failed) failure = err;
        failed = true;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (failed) throw failure;
  return results;
}
