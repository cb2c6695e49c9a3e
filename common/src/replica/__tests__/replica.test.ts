import mongoose, { Schema } from 'mongoose';
import { applyVersion, createReplica, RetryLater } from '../..';
import { useTestDatabase } from '../../testing';
import { installDatabasePlugins, modelOn } from '../../database';

// The models below are built at load time, before useTestDatabase() runs.
installDatabasePlugins(mongoose.connection);

interface Replica {
  _id: string;
  title: string;
  stock: number;
  version: number;
}
const Replica = modelOn<mongoose.Model<Replica>>(
  mongoose.connection,
  'ReplicaThing',
  new Schema<Replica>({ _id: String, title: String, stock: Number, version: Number }, { versionKey: false }),
);

const update = (v: number) => ({ $set: { title: `v${v}` } });

describe('version-checked replicas', () => {
  useTestDatabase();

  it('applies versions strictly in order whatever order they arrive in, each delivered twice', async () => {
    const arrivals = [0, 3, 1, 3, 2, 1, 0, 2, 3];
    const pending = new Set(arrivals.map((v, i) => `${i}:${v}`));
    const outcomes: string[] = [];
    // Deliver like a durable consumer would: RetryLater puts the message back for later.
    for (let round = 0; pending.size && round < 10; round++) {
      for (const key of [...pending]) {
        const v = Number(key.split(':')[1]);
        try {
          outcomes.push(
            v === 0
              ? await createReplica(Replica, { _id: 'p1', title: 'v0', stock: 1, version: 0 })
              : await applyVersion(Replica, 'p1', v, update(v)),
          );
          pending.delete(key);
        } catch (err) {
          expect(err).toBeInstanceOf(RetryLater);
        }
      }
    }
    expect(pending.size).toBe(0);
    expect(outcomes.filter((o) => o === 'applied')).toHaveLength(4);
    const r = await Replica.findById('p1').lean();
    expect(r).toMatchObject({ title: 'v3', version: 3 });
  });

  it('ignores an older or equal version', async () => {
    await createReplica(Replica, { _id: 'p2', title: 'v0', stock: 1, version: 0 });
    await applyVersion(Replica, 'p2', 1, update(1));
    expect(await applyVersion(Replica, 'p2', 1, { $set: { title: 'replayed' } })).toBe('duplicate');
    expect(await createReplica(Replica, { _id: 'p2', title: 'again', stock: 1, version: 0 })).toBe('duplicate');
    expect(await Replica.findById('p2').lean()).toMatchObject({ title: 'v1', version: 1 });
  });

  it('asks to retry later on a gap or a missing record', async () => {
    await expect(applyVersion(Replica, 'nope', 1, update(1))).rejects.toThrow(/replica missing/);
    await createReplica(Replica, { _id: 'p3', title: 'v0', stock: 1, version: 0 });
    await expect(applyVersion(Replica, 'p3', 2, update(2))).rejects.toThrow(RetryLater);
  });

  it('applies each version once when replicas of the consumer race on the same event', async () => {
    await createReplica(Replica, { _id: 'p4', title: 'v0', stock: 10, version: 0 });
    const results = await Promise.all(
      Array.from({ length: 8 }, () => applyVersion(Replica, 'p4', 1, { $set: { title: 'v1' }, $inc: { stock: -3 } })),
    );
    expect(results.filter((r) => r === 'applied')).toHaveLength(1);
    expect(await Replica.findById('p4').lean()).toMatchObject({ stock: 7, version: 1 });
  });
});
