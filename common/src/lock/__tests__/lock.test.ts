import mongoose, { Schema } from 'mongoose';
import { lockDocument, withDocumentLock } from '../..';
import { useTestDatabase } from '../../testing';
import { installDatabasePlugins, modelOn } from '../../database';

// The models below are built at load time, before useTestDatabase() runs.
installDatabasePlugins(mongoose.connection);

interface Counter {
  _id: string;
  n: number;
  stock: number;
  version: number;
}
const Counter = modelOn<mongoose.Model<Counter>>(
  mongoose.connection,
  'LockCounter',
  new Schema<Counter>({ _id: String, n: Number, stock: Number }, { optimisticConcurrency: true, versionKey: 'version' }),
);

describe('single-document atomicity on any MongoDB-wire server', () => {
  const db = useTestDatabase();

  it('keeps every concurrent $inc (FerretDB alone loses most of them)', async () => {
    await Counter.create({ _id: 'c', n: 0, stock: 0 });
    await Promise.all(Array.from({ length: 30 }, () => Counter.updateOne({ _id: 'c' }, { $inc: { n: 1 } })));
    expect((await Counter.findById('c').lean())!.n).toBe(30);
  });

  it('lets exactly as many conditional decrements win as there is stock', async () => {
    await Counter.create({ _id: 's', n: 0, stock: 5 });
    const results = await Promise.all(
      Array.from({ length: 25 }, () => Counter.updateOne({ _id: 's', stock: { $gte: 1 } }, { $inc: { stock: -1 } })),
    );
    expect(results.filter((r) => r.modifiedCount === 1)).toHaveLength(5);
    expect((await Counter.findById('s').lean())!.stock).toBe(0);
  });

  it('lets one of two racing versioned saves win and fails the other', async () => {
    await Counter.create({ _id: 'v', n: 0, stock: 0 });
    const [a, b] = await Promise.all([Counter.findById('v'), Counter.findById('v')]);
    a!.n = 1;
    b!.n = 2;
    const results = await Promise.allSettled([a!.save(), b!.save()]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect((results.find((r) => r.status === 'rejected') as PromiseRejectedResult).reason).toBeInstanceOf(mongoose.Error.VersionError);
    expect((await Counter.findById('v').lean())!.version).toBe(1);
  });

  it('serializes raw-driver writes wrapped in withDocumentLock', async () => {
    await Counter.create({ _id: 'r', n: 0, stock: 0 });
    await Promise.all(
      Array.from({ length: 20 }, () =>
        withDocumentLock('lockcounters', 'r', () => Counter.collection.updateOne({ _id: 'r' } as never, { $inc: { n: 1 } })),
      ),
    );
    expect((await Counter.findById('r').lean())!.n).toBe(20);
  });

  it('takes over a lock left by a crashed holder once it is stale', async () => {
    process.env.JETMART_DOCUMENT_LOCKS = 'on';
    try {
      await mongoose.connection
        .db!.collection('_locks')
        .insertOne({ _id: 'x:1' as never, owner: 'dead', expiresAt: new Date(Date.now() - 1) });
      const lock = await lockDocument('x', 1);
      await lock.release();
      expect(await mongoose.connection.db!.collection('_locks').countDocuments({ _id: 'x:1' as never })).toBe(0);
    } finally {
      delete process.env.JETMART_DOCUMENT_LOCKS;
    }
  });

  it('writers of one process take a lock in arrival order, each with one insert (only the first waiter asks the server)', async () => {
    process.env.JETMART_DOCUMENT_LOCKS = 'on';
    const conn = await mongoose.createConnection(db.url(), { monitorCommands: true }).asPromise();
    let lockInserts = 0;
    conn.getClient().on('commandStarted', (e) => {
      if (e.commandName === 'insert' && e.command.insert === '_locks') lockInserts++;
    });
    try {
      const order: number[] = [];
      await Promise.all(Array.from({ length: 20 }, (_, i) => withDocumentLock('lockcounters', 'q', async () => void order.push(i), conn)));
      expect(order).toEqual(Array.from({ length: 20 }, (_, i) => i));
      expect(lockInserts).toBe(20);
    } finally {
      delete process.env.JETMART_DOCUMENT_LOCKS;
      await conn.close();
    }
  });
});
