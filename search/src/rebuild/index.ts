import { randomBytes } from 'node:crypto';
import { DeliverPolicy } from '@nats-io/jetstream';
import { parseEvent, RetryLater, Streams, Subjects, type Event, type EventBus, type Subject } from '@jetmart/common';
import type { Logger } from 'pino';
import { SEARCH_SUBJECTS } from '../engine/apply';
import {
  applyProductCreated,
  applyProductUpdated,
  applyRatingChanged,
  applyStockChanged,
  searchDocumentModelOn,
  type SearchDocumentFields,
  type SearchDocumentModel,
} from '../models';

export interface RebuildOutcome {
  /** Documents in the rebuilt read model. */
  documents: number;
  tookMs: number;
  equalToLive: boolean;
  /** Products whose rebuilt document differs from the live one (or exists in one only). */
  differences: number;
  /** Messages that are not valid events (the live listeners dead-lettered them). */
  skipped: number;
  /** Events still waiting for an earlier version at the end (a gap in the stream). */
  unapplied: number;
}

/** Applies one event to a read model with the listeners' own functions (same rules: N onto N−1). */
export function applyEventToReadModel(model: SearchDocumentModel, event: Event<Subject>) {
  switch (event.subject) {
    case Subjects.ProductCreated:
      return applyProductCreated(model, event.data as Event<typeof Subjects.ProductCreated>['data'], event.occurredAt);
    case Subjects.ProductUpdated:
      return applyProductUpdated(model, event.data as Event<typeof Subjects.ProductUpdated>['data']);
    case Subjects.ProductStockChanged:
      return applyStockChanged(model, event.data as Event<typeof Subjects.ProductStockChanged>['data']);
    case Subjects.ProductRatingChanged:
      return applyRatingChanged(model, event.data as Event<typeof Subjects.ProductRatingChanged>['data']);
    default:
      return Promise.resolve('duplicate' as const);
  }
}

/** The fields two read models must agree on (not `touchedAt`, which is when a write happened). */
function comparable(d: SearchDocumentFields): string {
  return JSON.stringify([
    d.title,
    d.description ?? '',
    d.priceMinor,
    d.quantity,
    d.sellerId,
    d.listed !== false,
    d.category,
    d.images ?? [],
    new Date(d.createdAt).getTime(),
    d.version,
    d.stockVersion,
    d.inStock ?? null,
    d.ratingVersion,
    d.ratingCount,
    d.ratingSum,
  ]);
}

async function snapshot(model: SearchDocumentModel): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for await (const d of model.find({}).lean<SearchDocumentFields>().batchSize(2_000).cursor()) {
    const doc = d as SearchDocumentFields;
    out.set(doc._id, comparable(doc));
  }
  return out;
}

/**
 * Replays the PRODUCTS stream from its first message into a fresh read model (a new collection,
 * dropped afterwards) with the listeners' apply functions, and compares it with the live read
 * model. Messages are read in stream order by an ordered consumer; an event that must wait for an
 * earlier version of its product (RetryLater, as a listener would) is parked and retried as soon
 * as that product moves on.
 */
export async function rebuildReadModel(deps: { bus: EventBus; live: SearchDocumentModel; logger: Logger }): Promise<RebuildOutcome> {
  const started = Date.now();
  const conn = deps.live.db;
  const name = `SearchRebuild_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  const fresh = searchDocumentModelOn(conn, name);
  let skipped = 0;
  const parked = new Map<string, Event<Subject>[]>();

  const apply = async (event: Event<Subject>): Promise<void> => {
    const id = (event.data as { id: string }).id;
    try {
      await applyEventToReadModel(fresh, event);
    } catch (err) {
      if (!(err instanceof RetryLater)) throw err;
      parked.set(id, [...(parked.get(id) ?? []), event]);
      return;
    }
    // This product moved on: what waited for it may apply now (repeat until nothing does).
    for (let progress = true; progress && parked.has(id);) {
      progress = false;
      const waiting = parked.get(id)!;
      parked.delete(id);
      for (const e of waiting) {
        try {
          await applyEventToReadModel(fresh, e);
          progress = true;
        } catch (err) {
          if (!(err instanceof RetryLater)) throw err;
          parked.set(id, [...(parked.get(id) ?? []), e]);
        }
      }
    }
  };

  try {
    await fresh.createCollection();
    const stream = await deps.bus.jsm.streams.info(Streams.products.name);
    const last = stream.state.last_seq;
    if (last > 0) {
      const consumer = await deps.bus.js.consumers.get(Streams.products.name, {
        filter_subjects: [...SEARCH_SUBJECTS],
        deliver_policy: DeliverPolicy.All,
      });
      const info = await consumer.info();
      if (info.num_pending > 0) {
        const messages = await consumer.consume();
        for await (const msg of messages) {
          let event: Event<Subject> | undefined;
          try {
            event = parseEvent(JSON.parse(msg.string()), msg.subject as Subject);
          } catch {
            skipped++;
          }
          if (event) await apply(event);
          // Stop at the end of the stream as it was when the rebuild began (later events are the live listeners').
          if (msg.info.pending === 0 || msg.info.streamSequence >= last) break;
        }
        await messages.close();
      }
      await consumer.delete().catch(() => undefined);
    }
    const [rebuilt, live] = await Promise.all([snapshot(fresh), snapshot(deps.live)]);
    let differences = 0;
    for (const [id, v] of rebuilt) if (live.get(id) !== v) differences++;
    for (const id of live.keys()) if (!rebuilt.has(id)) differences++;
    const unapplied = [...parked.values()].reduce((n, l) => n + l.length, 0);
    const outcome = {
      documents: rebuilt.size,
      tookMs: Date.now() - started,
      equalToLive: differences === 0,
      differences,
      skipped,
      unapplied,
    };
    deps.logger.info(outcome, 'search read model rebuilt from PRODUCTS and compared with the live one');
    return outcome;
  } finally {
    await fresh.collection.drop().catch(() => undefined);
    conn.deleteModel(name);
  }
}
