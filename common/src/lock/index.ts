import { randomUUID } from 'node:crypto';
import mongoose, { type Connection, type Schema } from 'mongoose';
import type { Collection } from 'mongodb';
import { ServiceUnavailableError } from '../errors';
import { isDuplicateKey } from '../database/duplicate-key';
import { LocalTurns, TurnTimeout, type LocalTurn } from './local-turns';
import { checkQueryGuardUnderLock, checkVersionUnderLock, markReadUnderLock, releaseVersionCheck, saveUnderHeldLock } from './guards';

export { storedUnderLock, updateOneUnderLock } from './guards';

/**
 * Per-document write locks, for servers whose single-document updates are not atomic.
 *
 * On MongoDB a conditional `updateOne` (or a versioned `save()`) is atomic, and that is what the
 * invariants rest on. FerretDB 1.x (our offline test server) is not: it reads the document,
 * applies the update in its own process and writes the whole document back, so two concurrent
 * updates of one document can both pass a condition or lose each other's `$inc` (measured: 20
 * concurrent `$inc`s left 3). Inserts with a unique `_id` are atomic there, so a lock is one
 * insert into `_locks`, and every write to a document takes the document's lock.
 *
 * Mode (`JETMART_DOCUMENT_LOCKS`): `auto` (default) turns locks on when the server reports
 * itself as FerretDB, `on` always, `off` never. It is a capability of the connection:
 * `documentLocksCapability(conn)` says whether and why, and `runService` logs it at start-up.
 *
 * The rules for service code (also in docs/SERVICE_LAYOUT.md):
 * - `save()` of an existing document and `updateOne` / `findOneAndUpdate` / `replaceOne` /
 *   `deleteOne` / `findOneAnd*` through mongoose are locked by `documentLockPlugin`, but only when
 *   the filter names one scalar `_id`.
 * - Writes through the raw driver (`Model.collection.*`) take the lock themselves:
 *   `withDocumentLock(collection, id, fn)`; a guarded one inside it goes through
 *   `updateOneUnderLock(collection, lock, filter, update)`.
 * - Under the lock, the rest of a single-`_id` filter (and the version `save()` checks) is
 *   checked in the process and the server is asked by `_id` alone (./guards.ts says why and when).
 * - A load, change and save of one document: `withLockedDocument(model, id, fn)` reads it under
 *   its lock, and its `save()` inside `fn` writes under the same lock.
 * - `updateMany` is never locked: never use it on documents other writers touch concurrently.
 * - A lock not obtained within WAIT_MS answers 503 "busy, try again" (`ServiceUnavailableError`);
 *   a lock older than TTL_MS is taken over (its holder died). Within a process the waiters of one
 *   document take their turns in arrival order and only the first asks the server
 *   (./local-turns.ts).
 * - The plugin is installed on a connection by `installDatabasePlugins`, never by importing.
 */
const LOCKS = '_locks';
const TTL_MS = 15_000;
const WAIT_MS = 10_000;

const enabledByConnection = new WeakMap<Connection, Promise<boolean>>();

async function locksEnabled(conn: Connection): Promise<boolean> {
  const mode = process.env.JETMART_DOCUMENT_LOCKS ?? 'auto';
  if (mode === 'on') return true;
  if (mode === 'off') return false;
  let p = enabledByConnection.get(conn);
  if (!p) {
    p = (async () => {
      const info = await conn.db!.admin().command({ buildInfo: 1 });
      return 'ferretdbVersion' in info;
    })();
    p.catch(() => enabledByConnection.delete(conn));
    enabledByConnection.set(conn, p);
  }
  return p;
}

/** Whether writes on this connection take document locks, and why (logged once at start-up). */
export async function documentLocksCapability(conn: Connection): Promise<{ enabled: boolean; reason: string }> {
  const mode = process.env.JETMART_DOCUMENT_LOCKS ?? 'auto';
  const enabled = await locksEnabled(conn);
  if (mode === 'on' || mode === 'off') return { enabled, reason: `JETMART_DOCUMENT_LOCKS=${mode}` };
  return {
    enabled,
    reason: enabled
      ? 'the server is FerretDB, whose single-document updates are not atomic'
      : 'the server applies single-document updates atomically (MongoDB)',
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface DocumentLock {
  /** True where the lock keeps every other writer out (locks on); false where it is a no-op. */
  readonly exclusive: boolean;
  release(): Promise<void>;
}

const noLock: DocumentLock = { exclusive: false, release: async () => undefined };

/** The waiters of each connection of this process, per lock key (./local-turns.ts says why). */
const turnsByConnection = new WeakMap<Connection, LocalTurns>();

function localTurns(conn: Connection): LocalTurns {
  let turns = turnsByConnection.get(conn);
  if (!turns) turnsByConnection.set(conn, (turns = new LocalTurns(TTL_MS)));
  return turns;
}

/** Takes the write lock of one document (a no-op where single-document writes are atomic). */
export async function lockDocument(collection: string, id: unknown, conn: Connection = mongoose.connection): Promise<DocumentLock> {
  if (!(await locksEnabled(conn))) return noLock;
  const locks = conn.db!.collection<{ _id: string; owner: string; expiresAt: Date }>(LOCKS);
  const key = `${collection}:${String(id)}`;
  const giveUp = Date.now() + WAIT_MS;
  let turn: LocalTurn;
  try {
    turn = await localTurns(conn).take(key, giveUp);
  } catch (err) {
    if (err instanceof TurnTimeout) throw busy();
    throw err;
  }
  try {
    return await takeLockRow(locks, key, giveUp, turn);
  } catch (err) {
    turn.pass();
    throw err;
  }
}

const busy = () => new ServiceUnavailableError('The record is busy, try again');

/** With this process's turn on `key`: inserts the lock row, polling while another process holds it. */
async function takeLockRow(
  locks: Collection<{ _id: string; owner: string; expiresAt: Date }>,
  key: string,
  giveUp: number,
  turn: LocalTurn,
): Promise<DocumentLock> {
  const owner = randomUUID();
  // No lock on this key can be stale before this time: the holder we last looked at expires then,
  // and any lock taken after that look expires later. Until then a retry is just the insert
  // (under contention the look-up on every attempt doubled the lock traffic on a busy server).
  let notStaleUntil = 0;
  for (let attempt = 0; ; attempt++) {
    try {
      await locks.insertOne({ _id: key, owner, expiresAt: new Date(Date.now() + TTL_MS) });
      const release = async () => {
        try {
          await locks.deleteOne({ _id: key, owner });
        } finally {
          turn.pass();
        }
      };
      return { exclusive: true, release };
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
    }
    // Held by another process (or by a holder here past its hold limit). A holder that crashed
    // leaves a lock that expires; take it over once stale.
    if (Date.now() >= notStaleUntil) {
      const held = await locks.findOne({ _id: key });
      if (held && held.expiresAt.getTime() < Date.now()) {
        await locks.deleteOne({ _id: key, owner: held.owner });
        continue;
      }
      if (held) notStaleUntil = held.expiresAt.getTime();
    }
    if (Date.now() > giveUp) throw busy();
    await sleep(Math.min(2 + attempt * 2, 25) * (0.5 + Math.random()));
  }
}

/** Runs `fn` holding the write lock of one document. */
export async function withDocumentLock<T>(
  collection: string,
  id: unknown,
  fn: (lock: DocumentLock) => Promise<T>,
  conn?: Connection,
): Promise<T> {
  const lock = await lockDocument(collection, id, conn);
  try {
    return await fn(lock);
  } finally {
    await lock.release();
  }
}

const HELD_LOCK = 'heldDocumentLock';

/**
 * Runs `fn` with the document `id` of `model` read while holding its write lock (null if there is
 * none). A `save()` of that document inside `fn` writes under the lock already held: no second
 * lock and no read of its version (read under this lock, it is the stored one). So a load, change
 * and save costs the lock, one read and one write, where loading before the lock costs a second
 * read, and a retry when another writer got in between. Inside `fn`, write that document only by
 * its `save()` or `updateOneUnderLock(collection, lock, …)`: a mongoose query on it would wait for
 * the lock `fn` holds. Where locks are off (MongoDB) this is findById, and save() checks the
 * version as usual.
 */
export async function withLockedDocument<TDoc extends mongoose.Document, T>(
  model: mongoose.Model<never>,
  id: unknown,
  fn: (doc: TDoc | null, lock: DocumentLock) => Promise<T>,
): Promise<T> {
  return withDocumentLock(
    model.collection.collectionName,
    id,
    async (lock) => {
      const doc = (await model.findById(id)) as TDoc | null;
      if (doc && lock.exclusive) {
        doc.$locals[HELD_LOCK] = lock;
        markReadUnderLock(doc, model as never);
      }
      try {
        return await fn(doc, lock);
      } finally {
        if (doc) doc.$locals[HELD_LOCK] = undefined;
      }
    },
    model.db,
  );
}

/** `_id` of a single-document filter, or undefined when the filter is not on one `_id`. */
function singleId(filter: Record<string, unknown> | undefined): unknown {
  const id = filter?._id;
  if (id === undefined || id === null) return undefined;
  if (typeof id === 'object' && !(id instanceof mongoose.Types.ObjectId) && !Buffer.isBuffer(id)) return undefined;
  return id;
}

const LOCKED_QUERIES = ['updateOne', 'findOneAndUpdate', 'replaceOne', 'deleteOne', 'findOneAndDelete', 'findOneAndReplace'] as const;

/**
 * Mongoose plugin (installed on a connection by `installDatabasePlugins`): `save()` of an existing document and
 * single-`_id` update/delete queries take the document's lock. Writes through the raw driver
 * (`Model.collection`) must use `withDocumentLock` themselves.
 */
export function documentLockPlugin(schema: Schema): void {
  schema.pre('save', async function () {
    // Inserts are atomic; subdocuments are saved by their parent.
    if (this.isNew || this.$isSubdocument) return;
    const model = this.constructor as mongoose.Model<unknown>;
    if (this.$locals[HELD_LOCK]) return saveUnderHeldLock(this, model);
    const lock = await lockDocument(model.collection.collectionName, this._id, model.db);
    this.$locals.documentLock = lock;
    if (lock.exclusive) await checkVersionUnderLock(this, model);
  });
  const releaseDoc = async function (this: mongoose.Document) {
    releaseVersionCheck(this);
    const lock = this.$locals.documentLock as DocumentLock | undefined;
    this.$locals.documentLock = undefined;
    await lock?.release();
  };
  schema.post('save', releaseDoc);
  // Error handlers: release and let the original error propagate unchanged.
  schema.post('save', { errorHandler: true } as never, releaseDoc as never);

  for (const op of LOCKED_QUERIES) {
    schema.pre(op, async function (this: mongoose.Query<unknown, unknown> & { _jetmartLock?: DocumentLock }) {
      const id = singleId(this.getFilter());
      if (id === undefined) return;
      const lock = await lockDocument(this.model.collection.collectionName, id, this.model.db);
      this._jetmartLock = lock;
      if (lock.exclusive) await checkQueryGuardUnderLock(this, op);
    });
    const releaseQuery = async function (this: { _jetmartLock?: DocumentLock }) {
      const lock = this._jetmartLock;
      this._jetmartLock = undefined;
      await lock?.release();
    };
    schema.post(op, releaseQuery);
    schema.post(op, { errorHandler: true } as never, releaseQuery as never);
  }
}
