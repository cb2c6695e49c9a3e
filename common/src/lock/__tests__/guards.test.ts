/**
 * Guards checked under the document lock (../guards.ts): where locks are on, a single-`_id` write
 * with a guard reaches the server as `{_id}` alone, and decides exactly as the server would have.
 * Real MongoDB-wire server (FerretDB here: locks on; on MongoDB the filters go as written and the
 * assertions on what is sent say so).
 */
import fc from 'fast-check';
import mongoose, { Schema, Types, type Connection, type HydratedDocument } from 'mongoose';
import { documentLocksCapability, GUARD_READ_COMMENT, updateOneUnderLock, withDocumentLock, withLockedDocument } from '../..';
import { installDatabasePlugins, modelOn } from '../../database';
import { useTestDatabase } from '../../testing';

const db = useTestDatabase({ prefix: 'lock_guards' });

interface Item {
  _id: Types.ObjectId;
  status?: string | null;
  stock?: number | null;
  tags?: string[];
  holds?: { orderId: string; quantity: number }[];
  closedAt?: Date | null;
  attempt?: number;
  version: number;
}
const itemSchema = new Schema<Item>(
  {
    status: String,
    stock: Number,
    tags: [String],
    holds: [{ _id: false, orderId: String, quantity: Number }],
    closedAt: Date,
    attempt: Number,
  },
  { optimisticConcurrency: true, versionKey: 'version' },
);

let conn: Connection;
let Item: mongoose.Model<Item>;
let locksOn = false;
/** The filters of the update / findAndModify / delete commands sent since the last reset. */
let sent: { command: string; filter: Record<string, unknown> }[] = [];
/** Reads by `_id` under a lock to check a guard, since the last reset. */
let guardReads = 0;

beforeAll(async () => {
  conn = await mongoose.createConnection(db.url(), { monitorCommands: true }).asPromise();
  installDatabasePlugins(conn);
  Item = modelOn<mongoose.Model<Item>>(conn, 'GuardItem', itemSchema);
  locksOn = (await documentLocksCapability(conn)).enabled;
  conn.getClient().on('commandStarted', (e) => {
    const c = e.command as Record<string, any>;
    if (c.update === 'guarditems') sent.push({ command: 'update', filter: c.updates[0].q });
    if (c.findAndModify === 'guarditems') sent.push({ command: 'findAndModify', filter: c.query });
    if (c.delete === 'guarditems') sent.push({ command: 'delete', filter: c.deletes[0].q });
    if (c.find === 'guarditems' && c.comment === GUARD_READ_COMMENT) guardReads++;
  });
});
afterAll(() => conn.close());
beforeEach(() => {
  sent = [];
  guardReads = 0;
});

const keysSent = () => sent.map((s) => Object.keys(s.filter).sort().join(','));

it('a guarded updateOne reaches the server by _id alone, and the guard still decides', async () => {
  const { _id } = await Item.create({ status: 'pending', stock: 2 });
  const hit = await Item.updateOne({ _id, status: 'pending' }, { $set: { status: 'paid' } });
  const miss = await Item.updateOne({ _id, status: 'pending' }, { $set: { status: 'failed' } });
  expect([hit.matchedCount, hit.modifiedCount, miss.matchedCount, miss.modifiedCount]).toEqual([1, 1, 0, 0]);
  expect((await Item.findById(_id).lean())!.status).toBe('paid');
  // Locks on: the hit is sent as {_id}; the miss is decided here and never sent.
  expect(keysSent()).toEqual(locksOn ? ['_id'] : ['_id,status', '_id,status']);
});

it('a versioned save() reaches the server by _id alone; a stale copy still fails with VersionError', async () => {
  const created = await Item.create({ status: 'pending' });
  const [a, b] = [await Item.findById(created._id), await Item.findById(created._id)];
  a!.status = 'paid';
  await a!.save();
  expect(a!.version).toBe(1);
  b!.status = 'failed';
  await expect(b!.save()).rejects.toBeInstanceOf(mongoose.Error.VersionError);
  // The stale copy left nothing behind: no write, its version unchanged, the next save of a fresh copy works.
  expect(await Item.findById(created._id).lean()).toMatchObject({ status: 'paid', version: 1 });
  expect(b!.version).toBe(0);
  const fresh = await Item.findById(created._id);
  fresh!.status = 'shipped';
  await fresh!.save();
  expect(await Item.findById(created._id).lean()).toMatchObject({ status: 'shipped', version: 2 });
  expect(keysSent()).toEqual(locksOn ? ['_id', '_id'] : ['_id,version', '_id,version', '_id,version']);
});

it('withLockedDocument: read under the lock, saved by _id with no guard read; racing transitions of one document, one wins', async () => {
  const { _id } = await Item.create({ status: 'pending', attempt: 0 });
  sent = [];
  guardReads = 0;
  const transition = (i: number) =>
    withLockedDocument<HydratedDocument<Item>, string>(Item as never, _id, async (doc) => {
      if (doc!.status !== 'pending') return 'refused';
      doc!.status = `paid-${i}`;
      doc!.attempt = i;
      await doc!.save();
      return 'won';
    }).catch((err: unknown) => (err instanceof mongoose.Error.VersionError ? 'lost-race' : Promise.reject(err)));
  const outcomes = await Promise.all(Array.from({ length: 6 }, (_, i) => transition(i + 1)));
  expect(outcomes.filter((o) => o === 'won')).toHaveLength(1);
  const after = (await Item.findById(_id).lean())!;
  expect(after.version).toBe(1);
  expect(after.status).toBe(`paid-${after.attempt}`);
  if (locksOn) {
    // Each waits for the lock and reads what the winner stored: no save fails, none reads twice.
    expect(outcomes.filter((o) => o === 'refused')).toHaveLength(5);
    expect(keysSent()).toEqual(['_id']);
    expect(guardReads).toBe(0);
  } else {
    // MongoDB: the versioned saves decide.
    expect(keysSent()).toEqual(Array(outcomes.filter((o) => o !== 'refused').length).fill('_id,version'));
  }
  expect(await withLockedDocument(Item as never, new Types.ObjectId(), async (doc) => doc)).toBeNull();
});

it('a document loaded without its version saves as mongoose saves it (no version check to make)', async () => {
  const { _id } = await Item.create({ status: 'pending', stock: 1 });
  await Item.updateOne({ _id }, { $inc: { version: 1 } });
  const partial = await Item.findById(_id).select('status');
  partial!.status = 'paid';
  await partial!.save();
  expect(await Item.findById(_id).lean()).toMatchObject({ status: 'paid', stock: 1 });
});

it('a save after another writer bumped the version fails, also when that writer was an updateOne', async () => {
  const doc = await Item.create({ status: 'pending', stock: 1 });
  await Item.updateOne({ _id: doc._id }, { $inc: { version: 1, stock: 1 } });
  doc.status = 'paid';
  await expect(doc.save()).rejects.toBeInstanceOf(mongoose.Error.VersionError);
  expect(await Item.findById(doc._id).lean()).toMatchObject({ status: 'pending', stock: 2, version: 1 });
});

it("a raw-driver guarded update inside withDocumentLock (the outbox relay's $pop) is decided the same way", async () => {
  const { _id } = await Item.create({ tags: ['e1', 'e2'] });
  const pop = (first: string) =>
    withDocumentLock(
      'guarditems',
      _id,
      (lock) => updateOneUnderLock(Item.collection, lock, { _id, 'tags.0': first }, { $pop: { tags: -1 } }),
      conn,
    );
  expect((await pop('e2')).matchedCount).toBe(0);
  expect((await pop('e1')).modifiedCount).toBe(1);
  expect((await pop('e1')).matchedCount).toBe(0);
  expect((await Item.findById(_id).lean())!.tags).toEqual(['e2']);
  expect(keysSent()).toEqual(locksOn ? ['_id'] : ['_id,tags.0', '_id,tags.0', '_id,tags.0']);
});

it('findOneAndUpdate, findOneAndDelete and deleteOne with a failing guard change nothing and answer "nothing matched"', async () => {
  const { _id } = await Item.create({ status: 'paid', stock: 3 });
  expect(await Item.findOneAndUpdate({ _id, status: 'pending' }, { $set: { stock: 0 } }, { new: true })).toBeNull();
  expect(await Item.findOneAndDelete({ _id, stock: { $lt: 1 } })).toBeNull();
  expect(await Item.deleteOne({ _id, status: 'pending' })).toMatchObject({ deletedCount: 0 });
  expect(await Item.findById(_id).lean()).toMatchObject({ status: 'paid', stock: 3 });
  const updated = await Item.findOneAndUpdate({ _id, status: 'paid' }, { $inc: { stock: -1 } }, { new: true }).lean();
  expect(updated).toMatchObject({ status: 'paid', stock: 2 });
  expect(await Item.deleteOne({ _id, stock: { $gte: 2 } })).toMatchObject({ deletedCount: 1 });
  expect(await Item.findById(_id).lean()).toBeNull();
  expect(sent.map((s) => Object.keys(s.filter).length === 1)).toEqual(sent.map(() => locksOn));
});

it('an update with a positional $ keeps its array condition in the filter (the server must find the element)', async () => {
  // FerretDB 1.24 has no positional operator (our models never use it); MongoDB has. Either way the
  // plugin must send the condition and answer as the server does.
  const holds = [
    { orderId: 'a', quantity: 1 },
    { orderId: 'b', quantity: 2 },
  ];
  const [viaPlugin, viaServer] = [await Item.create({ holds }), await Item.create({ holds })];
  const outcome = (p: Promise<{ modifiedCount: number }>) =>
    p.then(
      (r) => r.modifiedCount,
      (e: Error) => e.message,
    );
  const plugin = await outcome(Item.updateOne({ _id: viaPlugin._id, 'holds.orderId': 'b' }, { $set: { 'holds.$.quantity': 5 } }).exec());
  const server = await outcome(
    Item.collection.updateOne({ _id: viaServer._id, 'holds.orderId': 'b' }, { $set: { 'holds.$.quantity': 5 } }),
  );
  expect(plugin).toEqual(server);
  expect(keysSent()).toEqual(['_id,holds.orderId', '_id,holds.orderId']);
  const [a, b] = [await Item.findById(viaPlugin._id).lean(), await Item.findById(viaServer._id).lean()];
  expect(a!.holds).toEqual(b!.holds);
});

it('racing guarded decrements: exactly as many win as there is stock, none lost', async () => {
  const { _id } = await Item.create({ stock: 7 });
  const results = await Promise.all(Array.from({ length: 30 }, () => Item.updateOne({ _id, stock: { $gte: 1 } }, { $inc: { stock: -1 } })));
  expect(results.filter((r) => r.modifiedCount === 1)).toHaveLength(7);
  expect((await Item.findById(_id).lean())!.stock).toBe(0);
});

it('racing state transitions with saves of the same document: one transition, every save either lands or fails whole', async () => {
  const { _id } = await Item.create({ status: 'pending', attempt: 0 });
  const copies = await Promise.all(Array.from({ length: 6 }, () => Item.findById(_id)));
  const transition = () =>
    Item.updateOne({ _id, status: 'pending', version: 0 }, { $set: { status: 'paid' }, $inc: { version: 1 } }).then(
      (r) => r.modifiedCount === 1,
    );
  const save = (c: (typeof copies)[number], attempt: number) => {
    c!.attempt = attempt;
    return c!.save().then(
      () => true,
      (err: unknown) => (err instanceof mongoose.Error.VersionError ? false : Promise.reject(err)),
    );
  };
  const outcomes = await Promise.all([...copies.map(() => transition()), ...copies.map((c, i) => save(c, i + 1))]);
  const transitions = outcomes.slice(0, 6).filter(Boolean);
  const saves = outcomes.slice(6).filter(Boolean);
  // Every copy was read at version 0, and both kinds of write move the version: one write wins.
  expect(transitions.length + saves.length).toBe(1);
  const after = (await Item.findById(_id).lean())!;
  expect(after.version).toBe(1);
  if (transitions.length) expect(after).toMatchObject({ status: 'paid', attempt: 0 });
  else expect(after.status).toBe('pending');
});

/**
 * The guard shapes jetmart's models write with, each beside what MongoDB's manual says it means
 * (written out by hand: the oracle). The plugin's decision must be the oracle's on any document.
 * The server is not the oracle: FerretDB 1.24 matches `{'holds.orderId': {$ne: x}}` on a document
 * whose holds contain x after another element (MongoDB does not: `$ne` on an array path means "no
 * element equals"), which is the guard that keeps an order from holding a product twice.
 */
type Doc = Partial<Pick<Item, 'status' | 'stock' | 'tags' | 'holds' | 'closedAt' | 'attempt'>>;
type Values = { s: string; n: number; t: string; d: Date };
const isNum = (v: unknown): v is number => typeof v === 'number';
const guards: { filter: (v: Values) => Record<string, unknown>; means: (doc: Doc, v: Values) => boolean }[] = [
  { filter: ({ s }) => ({ status: s }), means: (d, { s }) => d.status === s },
  { filter: ({ s }) => ({ status: { $in: [s, 'x'] } }), means: (d, { s }) => d.status === s || d.status === 'x' },
  { filter: ({ n }) => ({ stock: { $gte: n } }), means: (d, { n }) => isNum(d.stock) && d.stock >= n },
  { filter: ({ n }) => ({ stock: { $lt: n } }), means: (d, { n }) => isNum(d.stock) && d.stock < n },
  {
    filter: ({ n }) => ({ $or: [{ attempt: { $exists: false } }, { attempt: { $lt: n } }] }),
    means: (d, { n }) => d.attempt === undefined || d.attempt < n,
  },
  { filter: ({ t }) => ({ tags: { $ne: t } }), means: (d, { t }) => !(d.tags ?? []).includes(t) },
  { filter: ({ t }) => ({ 'holds.orderId': { $ne: t } }), means: (d, { t }) => !(d.holds ?? []).some((h) => h.orderId === t) },
  {
    filter: ({ t, n }) => ({ 'holds.orderId': { $ne: t }, stock: { $gte: n }, status: { $ne: null } }),
    means: (d, { t, n }) => !(d.holds ?? []).some((h) => h.orderId === t) && isNum(d.stock) && d.stock >= n && d.status != null,
  },
  { filter: () => ({ closedAt: { $exists: false } }), means: (d) => d.closedAt === undefined },
  { filter: () => ({ closedAt: { $exists: true } }), means: (d) => d.closedAt !== undefined },
  { filter: ({ d }) => ({ closedAt: { $gt: d } }), means: (doc, { d }) => doc.closedAt instanceof Date && doc.closedAt > d },
  { filter: () => ({ status: { $ne: null } }), means: (d) => d.status != null },
  { filter: () => ({ status: null }), means: (d) => d.status == null },
  { filter: () => ({ 'holds.1': { $exists: false } }), means: (d) => (d.holds ?? []).length < 2 },
];

const maybe = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined, freq: 3 });
const word = fc.constantFrom('pending', 'paid', 'a', 'b', 'c');
const at = (k: number) => new Date(1_700_000_000_000 + k * 1000);
const itemFields = fc.record({
  status: maybe(fc.option(word, { nil: null })),
  stock: maybe(fc.option(fc.integer({ min: -2, max: 4 }), { nil: null })),
  tags: maybe(fc.array(word, { maxLength: 3 })),
  holds: maybe(fc.array(fc.record({ orderId: word, quantity: fc.integer({ min: 1, max: 3 }) }), { maxLength: 3 })),
  closedAt: maybe(fc.option(fc.integer({ min: 0, max: 4 }).map(at), { nil: null })),
  attempt: maybe(fc.integer({ min: 0, max: 4 })),
});
const strip = (o: Record<string, unknown>): Doc => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));

it('decides every guard shape of the code base as MongoDB defines it (property)', async () => {
  await fc.assert(
    fc.asyncProperty(
      itemFields,
      fc.integer({ min: 0, max: guards.length - 1 }),
      fc.record({ s: word, n: fc.integer({ min: -1, max: 4 }), t: word, d: fc.integer({ min: 0, max: 4 }).map(at) }),
      async (fields, g, values) => {
        const doc = strip(fields);
        const guard = guards[g].filter(values);
        const _id = new Types.ObjectId();
        await Item.collection.insertOne({ _id, ...doc, version: 0 } as never);
        const res = await Item.updateOne({ _id, ...guard }, { $set: { touched: true } }, { strict: false });
        expect({ guard, doc, matched: res.matchedCount === 1 }).toEqual({ guard, doc, matched: guards[g].means(doc, values) });
        expect(((await Item.collection.findOne({ _id })) as { touched?: boolean }).touched === true).toBe(res.matchedCount === 1);
      },
    ),
    { numRuns: 200 },
  );
});

it('an order holding a product after another order is not held twice (FerretDB alone would match the $ne)', async () => {
  const { _id } = await Item.create({
    stock: 5,
    holds: [
      { orderId: 'b', quantity: 1 },
      { orderId: 'a', quantity: 1 },
    ],
  });
  const again = await Item.updateOne(
    { _id, stock: { $gte: 1 }, 'holds.orderId': { $ne: 'a' } },
    { $inc: { stock: -1 }, $push: { holds: { orderId: 'a', quantity: 1 } } },
  );
  expect(again.matchedCount).toBe(0);
  expect(await Item.findById(_id).lean()).toMatchObject({ stock: 5, holds: [{ orderId: 'b' }, { orderId: 'a' }] });
});
