import mongoose from 'mongoose';
import type { Collection, Document as BsonDocument, Filter, UpdateFilter, UpdateResult } from 'mongodb';
import sift from 'sift';
import { GUARD_READ_COMMENT } from '../metrics';
import type { DocumentLock } from '.';

/**
 * Guards checked in the process, under a document's lock, so the server is asked by `_id` alone.
 *
 * Why: FerretDB 1.24 on SQLite hands a filter to SQLite only when `_id` equality is its only
 * field. A write with a guard beside `_id` (`{_id, status: 'pending'}`, or the `{_id, version}`
 * every versioned `save()` sends) decodes the collection until it meets the document, and the
 * documents a checkout writes are the newest, met last: 10–15× the cost of an `_id` write and
 * growing with the collection (bench/ferretdb-guarded-writes.js, docs/BENCHMARKS.md).
 *
 * Why it is safe: these run only where document locks are on, after the lock is taken. Every
 * writer of a document holds its lock, so nothing changes the document between our read by `_id`
 * and our write by `_id`; the guard decides exactly as the server would have. The guard is
 * evaluated with sift (MongoDB's query language in JS, the library mongoose itself ships). A filter
 * whose meaning sift might not share (operators outside GUARD_OPERATORS), an upsert, or an update
 * with a positional `$` (the server needs the array condition to find the element) goes to the
 * server as it is: correct, only slower.
 *
 * Where locks are off (MongoDB) none of this runs: a guarded write there is one atomic index
 * look-up.
 */

/** Operators whose meaning sift shares with the server for the values our guards compare. */
const GUARD_OPERATORS = new Set([
  '$and',
  '$or',
  '$nor',
  '$eq',
  '$ne',
  '$gt',
  '$gte',
  '$lt',
  '$lte',
  '$in',
  '$nin',
  '$exists',
  '$all',
  '$size',
  '$elemMatch',
  '$not',
]);

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && Object.getPrototypeOf(v) === Object.prototype;

function onlyGuardOperators(value: unknown): boolean {
  if (Array.isArray(value)) return value.every(onlyGuardOperators);
  if (!isPlainObject(value)) return true;
  return Object.entries(value).every(([k, v]) => (!k.startsWith('$') || GUARD_OPERATORS.has(k)) && onlyGuardOperators(v));
}

/** A copy of a filter's plain objects and arrays (values such as ObjectIds and Dates shared). */
function copyFilter<T>(value: T): T {
  if (Array.isArray(value)) return value.map(copyFilter) as T;
  if (!isPlainObject(value)) return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, copyFilter(v)])) as T;
}

/** Whether an update names an array element by the filter (`a.$.b`, `a.$[]`, `a.$[x]`). */
function usesPositional(update: unknown): boolean {
  if (!isPlainObject(update)) return false;
  return Object.entries(update).some(
    ([op, fields]) =>
      op.startsWith('$') && isPlainObject(fields) && Object.keys(fields).some((path) => /(^|\.)\$(\[[^\]]*\])?(\.|$)/.test(path)),
  );
}

/** What the server answers when a write's filter matches nothing. */
function noMatch(op: string): unknown {
  switch (op) {
    case 'updateOne':
    case 'replaceOne':
      return { acknowledged: true, matchedCount: 0, modifiedCount: 0, upsertedCount: 0, upsertedId: null };
    case 'deleteOne':
      return { acknowledged: true, deletedCount: 0 };
    default:
      return null; // findOneAndUpdate / findOneAndDelete / findOneAndReplace
  }
}

/** Whether the rest of a single-`_id` filter can be decided here, with the server's meaning. */
const decidableHere = (filter: Record<string, unknown>, update: unknown) => !usesPositional(update) && onlyGuardOperators(filter);

/**
 * The one decision both entry points make, for a filter already in the server's types: reads the
 * document by `_id` and says whether the whole filter holds for it (and what was read).
 */
async function holdsForStored(
  collection: Collection<BsonDocument>,
  filter: Record<string, unknown>,
): Promise<{ holds: boolean; stored: BsonDocument | null }> {
  const stored = await collection.findOne({ _id: filter._id } as Filter<BsonDocument>, { comment: GUARD_READ_COMMENT });
  return { holds: stored !== null && sift(filter as never)(stored), stored };
}

const STORED = Symbol('jetmart.storedUnderLock');
const STORED_LOCAL = 'storedUnderLock';
type WithStored = { [STORED]?: BsonDocument; $locals?: Record<string, unknown> };

/**
 * The document as the guard's read found it under the lock, for a write (a query, or a document
 * being saved) that had one: nothing changed it between that read and the write, since every
 * writer holds the lock. The outbox plugin takes the entries pending before the write from it, so
 * the relay publishes without reading the document back (outbox/index.ts). Undefined where there
 * was no such read (locks off, a filter on `_id` alone, a save without a version).
 */
export function storedUnderLock(write: object): BsonDocument | undefined {
  const w = write as WithStored;
  return w[STORED] ?? (w.$locals?.[STORED_LOCAL] as BsonDocument | undefined);
}

/**
 * `updateOne` through the raw driver of the document whose lock is `lock` (a filter on one `_id`
 * plus guards): where the lock is exclusive the guards are checked here and the server is asked
 * by `_id` alone; elsewhere the filter goes as it is (atomic on MongoDB).
 */
export async function updateOneUnderLock<T extends BsonDocument>(
  collection: Collection<T>,
  lock: DocumentLock,
  filter: Filter<T> & { _id: unknown },
  update: UpdateFilter<T>,
): Promise<UpdateResult<T>> {
  if (!lock.exclusive || Object.keys(filter).length < 2 || !decidableHere(filter, update)) return collection.updateOne(filter, update);
  if (!(await holdsForStored(collection as never, filter)).holds) return noMatch('updateOne') as UpdateResult<T>;
  return collection.updateOne({ _id: filter._id } as Filter<T>, update);
}

/**
 * For a single-`_id` write whose lock is held: reads the document by `_id`, checks the rest of the
 * filter here and either narrows the query to `{_id}` or ends it as "matched nothing" without
 * asking the server (mongoose's skipMiddlewareFunction: the post hooks, and so the lock's release,
 * still run). Leaves the query untouched where the check cannot be made here with the server's
 * meaning.
 */
export async function checkQueryGuardUnderLock(query: mongoose.Query<unknown, unknown>, op: string): Promise<void> {
  const filter = query.getFilter() as Record<string, unknown>;
  if (Object.keys(filter).length < 2) return; // `_id` alone: already pushed down
  const options = query.getOptions() as Record<string, unknown>;
  if (options.upsert || options.arrayFilters || options.includeResultMetadata || options.rawResult) return;
  if (!decidableHere(filter, query.getUpdate())) return;
  let cast: Record<string, unknown>;
  try {
    cast = query.cast(query.model, copyFilter(filter)) as Record<string, unknown>;
  } catch {
    return; // mongoose raises the same cast error when it runs the query
  }
  const { holds, stored } = await holdsForStored(query.model.collection as never, cast);
  if (!holds) throw mongoose.skipMiddlewareFunction(noMatch(op));
  (query as unknown as WithStored)[STORED] = stored!;
  query.setQuery({ _id: cast._id });
}

type Versioned = mongoose.Document<unknown> & { $__version?: (where: unknown, delta: unknown) => void };
const modelVersion = (mongoose.Model.prototype as unknown as { $__version: (where: unknown, delta: unknown) => void }).$__version;

/** The version key of a save that mongoose would check, or undefined where it checks none. */
function checkedVersionKey(doc: mongoose.Document<unknown>, schema: mongoose.Schema): string | undefined {
  const key = schema.get('versionKey');
  if (schema.get('optimisticConcurrency') !== true || typeof key !== 'string' || !doc.isModified()) return undefined;
  // Loaded without its version (a projection): mongoose checks nothing then, neither do we.
  if (!doc.isSelected(key) || doc.get(key) == null) return undefined;
  if ((doc as unknown as { $where?: unknown }).$where || typeof modelVersion !== 'function') return undefined;
  return key;
}

/**
 * Lets mongoose send this save's update by `_id` alone: it would add the version to the filter
 * itself, and the one place to take it out is this document's `$__version` (mongoose's versioning
 * step), for this save only. `releaseVersionCheck` undoes it after the save, whatever its outcome.
 */
function sendByIdAlone(doc: mongoose.Document<unknown>, key: string): void {
  (doc as Versioned).$__version = function (this: mongoose.Document<unknown>, where: unknown, delta: unknown) {
    modelVersion.call(this, where, delta);
    if (isPlainObject(where)) delete where[key];
  };
}

/**
 * For `save()` of an existing document of a schema with `optimisticConcurrency`, whose lock is
 * held: compares the stored version with the document's here and, when they agree, lets mongoose
 * send its update by `_id` alone; when they do not, fails the save with the VersionError mongoose
 * would have raised.
 */
export async function checkVersionUnderLock(doc: mongoose.Document<unknown>, model: mongoose.Model<unknown>): Promise<void> {
  const key = checkedVersionKey(doc, model.schema);
  if (!key) return;
  const mine = doc.get(key) as unknown;
  // With the outbox, when the schema has one: the entries pending before this save (storedUnderLock).
  const projection = { [key]: 1, ...(model.schema.path('outbox') ? { outbox: 1 } : {}) };
  const stored = await model.collection.findOne({ _id: doc._id } as never, { projection, comment: GUARD_READ_COMMENT });
  if (!stored || stored[key] !== mine) {
    throw new mongoose.Error.VersionError(doc as never, Number(mine), doc.modifiedPaths());
  }
  doc.$locals[STORED_LOCAL] = stored;
  sendByIdAlone(doc, key);
}

/**
 * A document read while its lock was held (withLockedDocument): what it holds is what is stored,
 * for as long as the lock is held. Its version and outbox are remembered as a guard's read would
 * have found them (storedUnderLock).
 */
export function markReadUnderLock(doc: mongoose.Document<unknown>, model: mongoose.Model<unknown>): void {
  const key = model.schema.get('versionKey');
  doc.$locals[STORED_LOCAL] = {
    ...(typeof key === 'string' ? { [key]: doc.get(key) as unknown } : {}),
    // A copy: the document's own array grows with the events recorded before the save.
    ...(model.schema.path('outbox') ? { outbox: [...((doc.get('outbox') as unknown[] | undefined) ?? [])] } : {}),
  };
}

/**
 * For `save()` of a document read under the lock still held (withLockedDocument): its version is
 * the stored one, so the save goes by `_id` alone without reading it again.
 */
export function saveUnderHeldLock(doc: mongoose.Document<unknown>, model: mongoose.Model<unknown>): void {
  const key = checkedVersionKey(doc, model.schema);
  if (key) sendByIdAlone(doc, key);
}

export function releaseVersionCheck(doc: mongoose.Document<unknown>): void {
  if (Object.hasOwn(doc, '$__version')) delete (doc as Versioned).$__version;
  doc.$locals[STORED_LOCAL] = undefined;
}
