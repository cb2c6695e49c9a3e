import { context, trace } from '@opentelemetry/api';
import mongoose, { Schema } from 'mongoose';
import {
  countDatabaseCommands,
  createLogger,
  installDatabasePlugins,
  Listener,
  makeEvent,
  modelOn,
  registry,
  Subjects,
  withDocumentLock,
  type EventData,
} from '../..';
import { eventually, recordSpans, testDatabaseUrl, useTestBus } from '../../testing';
import { tracer } from '../../tracing';

/** Sum of a counter's samples whose labels include `match`, read the way /metrics serves them. */
async function total(name: string, match: Record<string, string> = {}): Promise<number> {
  const metric = (await registry.getMetricsAsJSON()).find((m) => m.name === name);
  if (!metric) return 0;
  return (metric.values as { value: number; labels: Record<string, string | number> }[])
    .filter((v) => Object.entries(match).every(([k, want]) => String(v.labels[k]) === want))
    .reduce((a, v) => a + v.value, 0);
}

describe('database command counter (real MongoDB-wire server)', () => {
  let conn: mongoose.Connection;
  const mode = process.env.JETMART_DOCUMENT_LOCKS;

  beforeAll(async () => {
    conn = mongoose.createConnection();
    installDatabasePlugins(conn);
    await conn.openUri(testDatabaseUrl('costcounters'), { serverSelectionTimeoutMS: 10_000, monitorCommands: true });
    countDatabaseCommands(conn.getClient());
    // Counting twice would double every count.
    countDatabaseCommands(conn.getClient());
  });
  afterAll(async () => {
    await conn.db?.dropDatabase().catch(() => undefined);
    await conn.close();
    if (mode === undefined) delete process.env.JETMART_DOCUMENT_LOCKS;
    else process.env.JETMART_DOCUMENT_LOCKS = mode;
  });

  it('refuses a client that does not monitor commands (it would count nothing)', async () => {
    const other = mongoose.createConnection();
    await other.openUri(testDatabaseUrl('costcounters-unmonitored'), { serverSelectionTimeoutMS: 10_000 });
    try {
      expect(() => countDatabaseCommands(other.getClient())).toThrow(/monitorCommands/);
    } finally {
      await other.close();
    }
  });

  it('moves by exactly the commands sent, by command and collection', async () => {
    process.env.JETMART_DOCUMENT_LOCKS = 'off';
    const col = conn.db!.collection<{ _id: number; n: number }>('widgets');
    const data = (command: string) => total('jetmart_db_commands_total', { command, collection: 'widgets', collection_kind: 'data' });
    const before = { insert: await data('insert'), find: await data('find'), update: await data('update'), delete: await data('delete') };
    for (let i = 0; i < 5; i++) await col.insertOne({ _id: i, n: i });
    for (let i = 0; i < 3; i++) await col.findOne({ _id: i });
    await col.updateOne({ _id: 1 }, { $inc: { n: 1 } });
    await col.updateOne({ _id: 2 }, { $inc: { n: 1 } });
    await col.deleteOne({ _id: 4 });
    expect((await data('insert')) - before.insert).toBe(5);
    expect((await data('find')) - before.find).toBe(3);
    expect((await data('update')) - before.update).toBe(2);
    expect((await data('delete')) - before.delete).toBe(1);
  });

  it('counts the document-lock commands apart from the data commands', async () => {
    process.env.JETMART_DOCUMENT_LOCKS = 'on';
    const Thing = modelOn<mongoose.Model<{ _id: number; n: number }>>(conn, 'CostThing', new Schema({ _id: Number, n: Number }));
    await Thing.create({ _id: 1, n: 0 });
    const lock = () => total('jetmart_db_commands_total', { collection_kind: 'lock' });
    const data = () => total('jetmart_db_commands_total', { collection: Thing.collection.collectionName, collection_kind: 'data' });
    const lockInserts = () => total('jetmart_db_commands_total', { command: 'insert', collection: '_locks', collection_kind: 'lock' });
    const lockBefore = await lock();
    const dataBefore = await data();
    const lockInsertsBefore = await lockInserts();
    // Uncontended: each locked write is one insert into _locks, the write, one delete from _locks.
    for (let i = 0; i < 4; i++) await Thing.updateOne({ _id: 1 }, { $inc: { n: 1 } });
    await withDocumentLock(Thing.collection.collectionName, 1, async () => undefined, conn);
    expect((await lock()) - lockBefore).toBe(2 * 5);
    expect((await data()) - dataBefore).toBe(4);
    expect((await lockInserts()) - lockInsertsBefore).toBe(5);
  });

  it("counts a guarded write's read under the lock as a guard read, not as data (MongoDB would not send it)", async () => {
    process.env.JETMART_DOCUMENT_LOCKS = 'on';
    const Part = modelOn<mongoose.Model<{ _id: number; n: number }>>(
      conn,
      'CostPart',
      new Schema({ _id: Number, n: Number }, { optimisticConcurrency: true, versionKey: 'version' }),
    );
    await Part.create({ _id: 1, n: 0 });
    const of = (kind: string) => total('jetmart_db_commands_total', { collection: Part.collection.collectionName, collection_kind: kind });
    const before = { guard: await of('guard'), data: await of('data') };
    // A conditional update: the guard {n: 0} is read by _id under the lock, the update goes by _id.
    await Part.updateOne({ _id: 1, n: 0 }, { $inc: { n: 1 } });
    // Missed guard: the read only, no update sent.
    await Part.updateOne({ _id: 1, n: 0 }, { $inc: { n: 1 } });
    // A versioned save: the stored version is read under the lock.
    const doc = (await Part.findById(1))!;
    doc.n = 5;
    await doc.save();
    expect((await of('guard')) - before.guard).toBe(3);
    // The one update, the find, the save's update.
    expect((await of('data')) - before.data).toBe(3);
    expect((await Part.findById(1).lean())?.n).toBe(5);
  });

  it('records each command as an event on the span it runs in, lock commands included (outside a span: counted, nothing recorded, nothing fails)', async () => {
    const spans = recordSpans('costcounters');
    process.env.JETMART_DOCUMENT_LOCKS = 'on';
    const Gadget = modelOn<mongoose.Model<{ _id: number; n: number }>>(conn, 'CostGadget', new Schema({ _id: Number, n: Number }));
    await Gadget.create({ _id: 1, n: 0 });
    // Outside any span: nothing to attach to, and nothing fails.
    await Gadget.findById(1);
    const handler = tracer().startSpan('handler');
    await context.with(trace.setSpan(context.active(), handler), async () => {
      await Gadget.findById(1);
      await Gadget.updateOne({ _id: 1, n: 0 }, { $inc: { n: 1 } });
      await conn.db!.collection('costgadgets').countDocuments({});
    });
    handler.end();
    const ended = spans.getFinishedSpans().find((s) => s.name === 'handler')!;
    const commands = ended.events
      .filter((e) => e.name === 'db.command')
      .map(
        (e) =>
          `${String(e.attributes?.['db.operation.name'])} ${String(e.attributes?.['db.collection.name'])} ${String(e.attributes?.['jetmart.db.collection_kind'])}`,
      );
    expect(commands).toEqual([
      'find costgadgets data',
      'insert _locks lock',
      'find costgadgets guard',
      'update costgadgets data',
      'delete _locks lock',
      'aggregate costgadgets data',
    ]);
  });
});

type S = typeof Subjects.ProductCreated;

class CountingListener extends Listener<S> {
  readonly subject = Subjects.ProductCreated;
  handled = 0;
  constructor(
    bus: ConstructorParameters<typeof Listener>[0],
    private readonly failFirst: boolean,
  ) {
    super(bus, 'costcounters', { backoffMs: 50 });
  }
  async onMessage(_data: EventData<S>, ctx: { deliveryCount: number }) {
    if (this.failFirst && ctx.deliveryCount === 1) throw new Error('first delivery fails');
    this.handled++;
  }
}

describe('JetStream publish, consume and ack counters (real JetStream)', () => {
  const started: Listener<S>[] = [];
  const jet = useTestBus({
    name: 'costcounters',
    logger: createLogger('test', { level: 'silent' }),
    freshStreams: ['PRODUCTS'],
    beforeDrain: () => Promise.all(started.splice(0).map((l) => l.stop())),
  });
  const product = (i: number) =>
    makeEvent(Subjects.ProductCreated, { id: `p-${i}`, title: `t${i}`, priceMinor: 100, quantity: 1, userId: 'u', version: 0 });
  const subject = Subjects.ProductCreated;

  it('one publish per event, one ack per handled event, a nak per retried delivery', async () => {
    const before = {
      published: await total('jetmart_events_published_total', { subject }),
      acks: await total('jetmart_jetstream_acks_total', { subject, kind: 'ack' }),
      naks: await total('jetmart_jetstream_acks_total', { subject, kind: 'nak' }),
      consumed: await total('jetmart_events_consumed_total', { subject, outcome: 'ack' }),
    };
    const l = new CountingListener(jet.bus, true);
    await l.start();
    started.push(l);
    for (let i = 0; i < 6; i++) await jet.bus.publish(product(i));
    await eventually(() => l.handled === 6);
    expect((await total('jetmart_events_published_total', { subject })) - before.published).toBe(6);
    expect((await total('jetmart_jetstream_acks_total', { subject, kind: 'ack' })) - before.acks).toBe(6);
    expect((await total('jetmart_jetstream_acks_total', { subject, kind: 'nak' })) - before.naks).toBe(6);
    expect((await total('jetmart_events_consumed_total', { subject, outcome: 'ack' })) - before.consumed).toBe(6);
    // The counters are the ones /metrics serves.
    expect(await registry.metrics()).toMatch(/^jetmart_jetstream_acks_total\{subject="product.created",kind="ack"\} \d+$/m);
  });
});
