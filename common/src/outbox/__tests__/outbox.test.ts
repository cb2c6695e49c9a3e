import mongoose, { Schema, type HydratedDocument } from 'mongoose';
import {
  createLogger,
  EventBus,
  GUARD_READ_COMMENT,
  OutboxRelay,
  outboxEntry,
  outboxPlugin,
  recordEvent,
  Subjects,
  withLockedDocument,
  type OutboxEntry,
} from '../..';
import { eventually, readStream, useTestBus, useTestDatabase } from '../../testing';
import { installDatabasePlugins, modelOn } from '../../database';

// The models below are built at load time, before useTestDatabase() runs.
installDatabasePlugins(mongoose.connection);

const logger = createLogger('test', { level: 'silent' });

interface Item {
  title: string;
  quantity: number;
  version: number;
  outbox: OutboxEntry[];
}
const schema = new Schema<Item>({ title: String, quantity: Number }, { optimisticConcurrency: true, versionKey: 'version' });
schema.plugin(outboxPlugin);
const Item = modelOn<mongoose.Model<Item>>(mongoose.connection, 'OutboxItem', schema);

function recordProduct(
  doc: HydratedDocument<Item>,
  subject: typeof Subjects.ProductCreated | typeof Subjects.ProductUpdated,
  version: number,
) {
  recordEvent(doc, subject, { id: doc.id, title: doc.title, priceMinor: 100, quantity: doc.quantity, userId: 'u', version });
}

async function streamEvents(bus: EventBus): Promise<Array<{ id: string; subject: string; version: number; title: string }>> {
  return (await readStream(bus, 'PRODUCTS')).map((m) => {
    const e = m.json<{ id: string; subject: string; data: { version: number; title: string } }>();
    return { id: e.id, subject: e.subject, version: e.data.version, title: e.data.title };
  });
}

describe('transactional outbox', () => {
  useTestDatabase();
  let bus: EventBus;
  const relays: OutboxRelay[] = [];
  const relay = (opts = {}) => {
    const r = new OutboxRelay(bus, [Item], { logger, intervalMs: 50, ...opts });
    relays.push(r);
    return r;
  };

  const jet = useTestBus({
    name: 'test',
    logger,
    freshStreams: ['PRODUCTS'],
    beforeDrain: () => Promise.all(relays.splice(0).map((r) => r.stop())),
  });
  beforeEach(() => {
    bus = jet.bus;
  });

  it('stores the change and its event in one write, publishes in order, then clears the outbox', async () => {
    const doc = new Item({ title: 'v0', quantity: 1 });
    recordProduct(doc, Subjects.ProductCreated, 0);
    await doc.save();
    for (let v = 1; v <= 3; v++) {
      doc.title = `v${v}`;
      recordProduct(doc, Subjects.ProductUpdated, v);
      await doc.save();
      expect(doc.version).toBe(v);
    }
    expect((await Item.collection.findOne({ _id: doc._id }))!.outbox).toHaveLength(4);
    relay().start();
    await eventually(async () => (await Item.collection.findOne({ _id: doc._id }))!.outbox.length === 0);
    const events = await streamEvents(bus);
    expect(events.map((e) => [e.version, e.title])).toEqual([
      [0, 'v0'],
      [1, 'v1'],
      [2, 'v2'],
      [3, 'v3'],
    ]);
  });

  it('never publishes a change that was not written', async () => {
    const doc = await new Item({ title: 'a', quantity: 1 }).save();
    const stale = await Item.findById(doc._id);
    doc.title = 'b';
    await doc.save();
    // A concurrent writer loses the optimistic-concurrency race: its event must vanish with it.
    stale!.title = 'lost';
    recordProduct(stale!, Subjects.ProductUpdated, 1);
    await expect(stale!.save()).rejects.toThrow(mongoose.Error.VersionError);
    await relay().flush();
    expect(await streamEvents(bus)).toEqual([]);
  });

  it('loses nothing when the relay dies after the write: a restarted relay publishes exactly once', async () => {
    const r1 = relay();
    // The "process" writes, then dies before its relay runs.
    const docs = await Promise.all(
      Array.from({ length: 5 }, async (_, i) => {
        const d = new Item({ title: `t${i}`, quantity: 1 });
        recordProduct(d, Subjects.ProductCreated, 0);
        return d.save();
      }),
    );
    await r1.stop();
    expect(await streamEvents(bus)).toEqual([]);
    const r2 = relay();
    r2.start();
    await eventually(async () => (await Item.countDocuments({ 'outbox.0': { $exists: true } })) === 0);
    const events = await streamEvents(bus);
    expect(events.map((e) => e.title).sort()).toEqual(docs.map((d) => d.title).sort());
  });

  it('a crash between publish and clearing re-sends, and JetStream drops the duplicate', async () => {
    const doc = new Item({ title: 'once', quantity: 1 });
    recordProduct(doc, Subjects.ProductCreated, 0);
    await doc.save();
    // Simulate the crash: publish the pending event but "die" before removing it from the outbox.
    const pending = (await Item.collection.findOne({ _id: doc._id }))!.outbox[0] as OutboxEntry;
    await bus.publish(pending.event);
    await relay().flush();
    const events = await streamEvents(bus);
    expect(events).toHaveLength(1);
    expect(events[0].id).toBe(pending.id);
  });

  it('several relays (service replicas) publish each event exactly once, in order per record', async () => {
    const docs = [];
    for (let i = 0; i < 10; i++) {
      const d = new Item({ title: `r${i}-0`, quantity: 1 });
      recordProduct(d, Subjects.ProductCreated, 0);
      await d.save();
      d.title = `r${i}-1`;
      recordProduct(d, Subjects.ProductUpdated, 1);
      await d.save();
      docs.push(d);
    }
    relay().start();
    relay().start();
    relay().start();
    await eventually(async () => (await Item.countDocuments({ 'outbox.0': { $exists: true } })) === 0);
    const events = await streamEvents(bus);
    expect(events).toHaveLength(20);
    expect(new Set(events.map((e) => e.id)).size).toBe(20);
    for (const d of docs) {
      const mine = events.filter((e) => e.title.startsWith(`r${d.title.split('-')[0].slice(1)}-`));
      expect(mine.map((e) => e.version)).toEqual([0, 1]);
    }
  });

  it('keeps events pending while NATS is down and publishes them when it is back', async () => {
    const r = relay();
    r.start();
    await jet.nats.stop();
    const doc = new Item({ title: 'during-outage', quantity: 1 });
    recordProduct(doc, Subjects.ProductCreated, 0);
    await doc.save();
    await new Promise((res) => setTimeout(res, 500));
    expect((await Item.collection.findOne({ _id: doc._id }))!.outbox).toHaveLength(1);
    await jet.nats.restart();
    await eventually(async () => (await Item.collection.findOne({ _id: doc._id }))!.outbox.length === 0, 20_000);
    expect((await streamEvents(bus)).map((e) => e.title)).toEqual(['during-outage']);
  });

  it("publishes this process's writes by id at once, and what others left only on the periodic full scan", async () => {
    const r = relay({ intervalMs: 50, fullScanIntervalMs: 1_500 });
    r.start();
    await new Promise((res) => setTimeout(res, 200)); // past the first (full) pass
    // Another process's write: straight into the collection, so this process was not told.
    const foreign = new Item({ title: 'foreign', quantity: 1 });
    recordProduct(foreign, Subjects.ProductCreated, 0);
    await Item.collection.insertOne(foreign.toObject() as never);
    const mine = new Item({ title: 'mine', quantity: 1 });
    recordProduct(mine, Subjects.ProductCreated, 0);
    await mine.save();
    await eventually(async () => (await streamEvents(bus)).some((e) => e.title === 'mine'), 1_000);
    expect((await streamEvents(bus)).map((e) => e.title)).toEqual(['mine']);
    await eventually(async () => (await streamEvents(bus)).some((e) => e.title === 'foreign'), 5_000);
    // The published entry is removed right after its publish acknowledgement.
    await eventually(async () => (await Item.countDocuments({ 'outbox.0': { $exists: true } })) === 0, 5_000);
  });

  it('a restarted relay publishes, at start-up, an entry nothing in its process noted', async () => {
    // Left by a process that died between its write and the publish (written straight into the
    // collection, so no hook of this process saw it).
    const left = new Item({ title: 'left-behind', quantity: 1 });
    recordProduct(left, Subjects.ProductCreated, 0);
    await Item.collection.insertOne(left.toObject() as never);
    relay({ intervalMs: 50, fullScanIntervalMs: 3_600_000 }).start();
    await eventually(async () => (await Item.countDocuments({ 'outbox.0': { $exists: true } })) === 0, 10_000);
    expect((await streamEvents(bus)).map((e) => e.title)).toEqual(['left-behind']);
  });

  it("publishes what a dead peer left, which nothing here noted, once the peer's lease has expired", async () => {
    const leases = mongoose.connection.db!.collection<{ _id: string; role: string; expiresAt: Date }>('_leases');
    const r = relay({ intervalMs: 50, fullScanIntervalMs: 3_600_000, leaseTtlMs: 300 });
    r.start();
    const save = async (title: string) => {
      const doc = new Item({ title, quantity: 1 });
      recordProduct(doc, Subjects.ProductCreated, 0);
      await doc.save();
    };
    const published = async (title: string) => (await streamEvents(bus)).filter((e) => e.title === title).length;
    // Once this write is out, the start-up scan has read the collection.
    await save('mine-1');
    await eventually(async () => (await published('mine-1')) === 1, 10_000);

    // The peer's write, straight into the collection (not through this process's hooks).
    const foreign = new Item({ title: 'foreign', quantity: 1 });
    recordProduct(foreign, Subjects.ProductCreated, 0);
    await Item.collection.insertOne(foreign.toObject() as never);
    // The relay's passes read only what this process wrote: a later write of ours goes out, the peer's does not.
    await save('mine-2');
    await eventually(async () => (await published('mine-2')) === 1, 10_000);
    expect(await published('foreign')).toBe(0);

    // The peer died: its lease is no longer renewed.
    const role = `outbox-relay:${Item.collection.collectionName}`;
    await leases.insertOne({ _id: `${role}:dead-peer`, role, expiresAt: new Date(Date.now() - 1_000) });
    await eventually(async () => (await published('foreign')) === 1, 10_000);
    expect(await leases.findOne({ _id: `${role}:dead-peer` })).toBeNull();
    await eventually(async () => (await Item.countDocuments({ 'outbox.0': { $exists: true } })) === 0, 5_000);
    expect(await published('foreign')).toBe(1);
  });

  it('publishes at once what a conditional updateOne pushed into the outbox', async () => {
    const r = relay({ intervalMs: 50, fullScanIntervalMs: 60_000 });
    r.start();
    await new Promise((res) => setTimeout(res, 200));
    const doc = await new Item({ title: 'pending', quantity: 1 }).save();
    const entry = outboxEntry(Subjects.ProductCreated, {
      id: doc.id,
      title: 'confirmed',
      priceMinor: 100,
      quantity: 1,
      userId: 'u',
      version: 0,
    });
    await Item.updateOne({ _id: doc._id, title: 'pending' }, { $set: { title: 'confirmed' }, $push: { outbox: entry } });
    await eventually(async () => (await streamEvents(bus)).some((e) => e.title === 'confirmed'), 1_000);
  });

  describe('writes under the document lock (FerretDB): the relay publishes what the write knew', () => {
    const mode = process.env.JETMART_DOCUMENT_LOCKS;
    beforeEach(() => {
      process.env.JETMART_DOCUMENT_LOCKS = 'on';
    });
    afterEach(() => {
      if (mode === undefined) delete process.env.JETMART_DOCUMENT_LOCKS;
      else process.env.JETMART_DOCUMENT_LOCKS = mode;
      jest.restoreAllMocks();
    });
    /** The relay's reads of a document's outbox (the guards' reads under the lock apart). */
    const readBacks = () => {
      const spy = jest.spyOn(Item.collection, 'findOne');
      return () =>
        spy.mock.calls.filter(([, opts]) => {
          const o = opts as { comment?: unknown; projection?: Record<string, unknown> } | undefined;
          return o?.comment !== GUARD_READ_COMMENT && o?.projection?.outbox === 1;
        }).length;
    };
    const titlesOf = async (prefix: string) => (await streamEvents(bus)).filter((e) => e.title.startsWith(prefix)).map((e) => e.title);
    // Through the driver's own collection object: the spy counts only the relay's reads (mongoose's collection).
    const emptied = (id: unknown) => async () =>
      (await mongoose.connection.db!.collection(Item.collection.collectionName).findOne({ _id: id } as never))!.outbox.length === 0;
    const updatedEntry = (doc: HydratedDocument<Item>, title: string, version: number) =>
      outboxEntry(Subjects.ProductUpdated, { id: doc.id, title, priceMinor: 100, quantity: 1, userId: 'u', version });
    /** An entry another process pushed (its conditional update, no version change): no hook of this process saw it. */
    const pushedElsewhere = (doc: HydratedDocument<Item>, title: string, version: number) =>
      mongoose.connection
        .db!.collection(Item.collection.collectionName)
        .updateOne({ _id: doc._id }, { $push: { outbox: updatedEntry(doc, title, version) } } as never);
    const started = async () => {
      relay({ intervalMs: 50, fullScanIntervalMs: 3_600_000 }).start();
      await new Promise((res) => setTimeout(res, 200)); // past the start-up scan
    };

    it('a versioned save and a guarded updateOne: published in order, without reading the document back', async () => {
      await started();
      const doc = new Item({ title: 'w-0', quantity: 1 });
      recordProduct(doc, Subjects.ProductCreated, 0);
      await doc.save();
      await eventually(emptied(doc._id), 5_000);
      const loaded = (await Item.findById(doc._id))!;
      const reads = readBacks();
      loaded.title = 'w-1';
      recordProduct(loaded, Subjects.ProductUpdated, 1);
      await loaded.save();
      await eventually(async () => (await titlesOf('w-')).length === 2 && (await emptied(doc._id)()), 5_000);
      const entry = updatedEntry(doc, 'w-2', 2);
      await Item.updateOne({ _id: doc._id, title: 'w-1' }, { $set: { title: 'w-2' }, $push: { outbox: entry } });
      await eventually(async () => (await titlesOf('w-')).length === 3 && (await emptied(doc._id)()), 5_000);
      expect(await titlesOf('w-')).toEqual(['w-0', 'w-1', 'w-2']);
      expect(reads()).toBe(0);
    });

    it('a save inside withLockedDocument (read under the lock): published without reading the document back', async () => {
      await started();
      const doc = await new Item({ title: 'h-0', quantity: 1 }).save();
      const reads = readBacks();
      await withLockedDocument<HydratedDocument<Item>, void>(Item as never, doc._id, async (loaded) => {
        loaded!.title = 'h-1';
        recordProduct(loaded!, Subjects.ProductUpdated, 1);
        await loaded!.save();
      });
      await eventually(async () => (await titlesOf('h-')).length === 1 && (await emptied(doc._id)()), 5_000);
      expect(await titlesOf('h-')).toEqual(['h-1']);
      expect(reads()).toBe(0);
      expect((await Item.findById(doc._id).lean())!.version).toBe(1);
    });

    it('an entry pending before the save (left by another process) goes out first', async () => {
      await started();
      // Another process's write, which this process's hooks never saw, still pending.
      const left = new Item({ title: 'p-0', quantity: 1 });
      recordProduct(left, Subjects.ProductCreated, 0);
      await Item.collection.insertOne({ ...left.toObject(), version: 0 } as never);
      const loaded = (await Item.findById(left._id))!;
      const reads = readBacks();
      loaded.title = 'p-1';
      recordProduct(loaded, Subjects.ProductUpdated, 1);
      await loaded.save();
      await eventually(emptied(left._id), 5_000);
      expect(await titlesOf('p-')).toEqual(['p-0', 'p-1']);
      expect(reads()).toBe(0);
    });

    it('reads the document back when its outbox changed after it was loaded (the relay removed an entry meanwhile)', async () => {
      const doc = new Item({ title: 's-0', quantity: 1 });
      recordProduct(doc, Subjects.ProductCreated, 0);
      await doc.save();
      // Loaded while s-0 is still pending: no relay runs yet, so none can have removed it. The
      // relay then starts, publishes s-0 and removes it (no version change).
      const stale = (await Item.findById(doc._id))!;
      expect(stale.outbox).toHaveLength(1);
      await started();
      await eventually(emptied(doc._id), 5_000);
      const reads = readBacks();
      stale.title = 's-1';
      recordProduct(stale, Subjects.ProductUpdated, 1);
      await stale.save();
      await eventually(async () => (await titlesOf('s-')).includes('s-1') && (await emptied(doc._id)()), 5_000);
      expect(reads()).toBeGreaterThan(0);
      // s-0 may be sent again if the save wrote the whole array back: JetStream drops the duplicate.
      expect(await titlesOf('s-')).toEqual(['s-0', 's-1']);
    });

    it('reads the document back when another process pushed an entry after it was loaded, and publishes that one first', async () => {
      await started();
      const doc = await new Item({ title: 'o-0', quantity: 1 }).save();
      const loaded = (await Item.findById(doc._id))!;
      await pushedElsewhere(doc, 'o-1', 1);
      const reads = readBacks();
      loaded.title = 'o-2';
      recordProduct(loaded, Subjects.ProductUpdated, 2);
      await loaded.save();
      await eventually(emptied(doc._id), 5_000);
      expect(reads()).toBeGreaterThan(0);
      expect(await titlesOf('o-')).toEqual(['o-1', 'o-2']);
    });

    it('leaves out an entry the write saw pending that the relay has removed since: published once, removed once', async () => {
      const r = relay();
      const doc = new Item({ title: 'r-0', quantity: 1 });
      recordProduct(doc, Subjects.ProductCreated, 0);
      await doc.save();
      // The save lands while the relay's first pass is publishing r-0, before it removes it: the
      // save's guard read sees r-0 still pending, so the save knows [r-0, r-1].
      const publish = bus.publish.bind(bus);
      const published: string[] = [];
      jest.spyOn(bus, 'publish').mockImplementation(async (event, opts) => {
        published.push((event.data as { title: string }).title);
        if (published.length === 1) {
          const loaded = (await Item.findById(doc._id))!;
          loaded.title = 'r-1';
          recordProduct(loaded, Subjects.ProductUpdated, 1);
          await loaded.save();
        }
        return publish(event, opts);
      });
      await r.pass();
      await r.pass();
      expect(await emptied(doc._id)()).toBe(true);
      expect(published).toEqual(['r-0', 'r-1']);
      expect(await titlesOf('r-')).toEqual(['r-0', 'r-1']);
    });

    it('a guarded updateOne after an entry another process left: that entry first, then the pushed one, without a read back', async () => {
      await started();
      const doc = await new Item({ title: 'u-0', quantity: 1 }).save();
      await pushedElsewhere(doc, 'u-1', 1);
      const reads = readBacks();
      const mine = updatedEntry(doc, 'u-2', 2);
      await Item.updateOne({ _id: doc._id, title: 'u-0' }, { $set: { title: 'u-2' }, $push: { outbox: mine } });
      await eventually(emptied(doc._id), 5_000);
      expect(await titlesOf('u-')).toEqual(['u-1', 'u-2']);
      expect(reads()).toBe(0);
    });
  });

  it('refuses to record an invalid event, so the write fails instead of the relay', async () => {
    const doc = new Item({ title: '', quantity: 1 });
    expect(() => recordProduct(doc, Subjects.ProductCreated, 0)).toThrow(/bad product.created data/);
  });
});
