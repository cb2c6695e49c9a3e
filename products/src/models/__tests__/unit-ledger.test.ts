import mongoose from 'mongoose';
import { useTestDatabase } from '@jetmart/common/testing';
import { recordHeld, recordReleased, recordRestocked, recordSold, unitsTaken } from '..';
import { syncIndexes, testApp } from '../../__tests__/helpers';

useTestDatabase();
const { models } = testApp();
beforeAll(() => syncIndexes(models));

const P = '64b0000000000000000000a1';
const Q = '64b0000000000000000000a2';
const taken = async (id = P) => (await unitsTaken(models.UnitLedger, [id])).get(id);

describe('unit ledger (order events → units taken)', () => {
  it('counts held and sold units, not released ones, per product', async () => {
    await recordHeld(models.UnitLedger, 'o1', [
      { productId: P, quantity: 2 },
      { productId: Q, quantity: 5 },
    ]);
    await recordHeld(models.UnitLedger, 'o2', [{ productId: P, quantity: 3 }]);
    await recordHeld(models.UnitLedger, 'o3', [{ productId: P, quantity: 4 }]);
    await recordSold(models.UnitLedger, 'o2', [{ productId: P, quantity: 3 }]);
    await recordReleased(models.UnitLedger, 'o3', [{ productId: P, quantity: 4 }]);
    const all = await unitsTaken(models.UnitLedger, [P, Q, '64b0000000000000000000a3']);
    expect([...all.entries()]).toEqual([
      [P, 5],
      [Q, 5],
      ['64b0000000000000000000a3', 0],
    ]);
  });

  it('a page of products: each matched by equality (FerretDB reads the whole ledger for `$in`), a repeated id counted once', async () => {
    await recordHeld(models.UnitLedger, 'o1', [
      { productId: P, quantity: 2 },
      { productId: Q, quantity: 1 },
    ]);
    await recordSold(models.UnitLedger, 'o1', [{ productId: Q, quantity: 1 }]);
    const matched: unknown[] = [];
    mongoose.set('debug', (collection: string, method: string, pipeline: { $match?: { productId?: unknown } }[]) => {
      if (collection === 'unitledgers' && method === 'aggregate') matched.push(pipeline[0].$match?.productId);
    });
    let all: Map<string, number>;
    try {
      all = await unitsTaken(models.UnitLedger, [P, Q, P]);
    } finally {
      mongoose.set('debug', false);
    }
    expect([...all.entries()]).toEqual([
      [P, 2],
      [Q, 1],
    ]);
    expect(matched.sort()).toEqual([P, Q].sort());
  });

  it('duplicates have no second effect', async () => {
    for (let i = 0; i < 3; i++) await recordHeld(models.UnitLedger, 'o1', [{ productId: P, quantity: 2 }]);
    expect(await taken()).toBe(2);
    for (let i = 0; i < 3; i++) await recordReleased(models.UnitLedger, 'o1', [{ productId: P, quantity: 2 }]);
    expect(await taken()).toBe(0);
  });

  it('a cancel handled before its create (separate consumers) leaves nothing held', async () => {
    await recordReleased(models.UnitLedger, 'o1', [{ productId: P, quantity: 2 }]);
    await recordHeld(models.UnitLedger, 'o1', [{ productId: P, quantity: 2 }]);
    expect(await taken()).toBe(0);
  });

  it('a completion handled before its create counts the units sold once', async () => {
    await recordSold(models.UnitLedger, 'o1', [{ productId: P, quantity: 2 }]);
    await recordHeld(models.UnitLedger, 'o1', [{ productId: P, quantity: 2 }]);
    expect(await taken()).toBe(2);
    expect((await models.UnitLedger.findById(`o1:${P}`).lean())!.state).toBe('sold');
  });

  it('concurrent deliveries of create and cancel for one line end released', async () => {
    await Promise.all([
      recordHeld(models.UnitLedger, 'o1', [{ productId: P, quantity: 2 }]),
      recordReleased(models.UnitLedger, 'o1', [{ productId: P, quantity: 2 }]),
      recordHeld(models.UnitLedger, 'o1', [{ productId: P, quantity: 2 }]),
    ]);
    expect(await taken()).toBe(0);
  });
});

describe('unit ledger: restocks (units back on sale once per order, product and source)', () => {
  const sell = async (orderId: string, lines: { productId: string; quantity: number }[]) => {
    await recordHeld(models.UnitLedger, orderId, lines);
    await recordSold(models.UnitLedger, orderId, lines);
  };
  const restocks = () => models.UnitLedger.find({ state: 'restocked' }).sort({ _id: 1 }).lean();

  it('takes the restocked units off the units taken, once per source however often it is repeated', async () => {
    await sell('o1', [
      { productId: P, quantity: 5 },
      { productId: Q, quantity: 2 },
    ]);
    await recordHeld(models.UnitLedger, 'o2', [{ productId: P, quantity: 1 }]);
    expect(await taken()).toBe(6);
    expect(await recordRestocked(models.UnitLedger, 'o1', 'ship1', [{ productId: P, quantity: 2 }])).toBe('restocked');
    expect(await taken()).toBe(4);
    for (let i = 0; i < 3; i++) {
      expect(await recordRestocked(models.UnitLedger, 'o1', 'ship1', [{ productId: P, quantity: 2 }])).toBe('already-restocked');
    }
    expect(await taken()).toBe(4);
    // Another source of the same line is another restock.
    expect(await recordRestocked(models.UnitLedger, 'o1', 'ret1', [{ productId: P, quantity: 3 }])).toBe('restocked');
    expect(await taken()).toBe(1);
    expect(await taken(Q)).toBe(2);
    expect((await restocks()).map((e) => [e._id, e.quantity, e.sourceId])).toEqual([
      [`o1:${P}:restock:ret1`, 3, 'ret1'],
      [`o1:${P}:restock:ship1`, 2, 'ship1'],
    ]);
  });

  it('concurrent deliveries of one source restock once', async () => {
    await sell('o1', [{ productId: P, quantity: 4 }]);
    const outcomes = await Promise.all(
      Array.from({ length: 6 }, () => recordRestocked(models.UnitLedger, 'o1', 'ship1', [{ productId: P, quantity: 4 }])),
    );
    expect(outcomes.filter((o) => o === 'restocked')).toHaveLength(1);
    expect(await taken()).toBe(0);
    expect(await restocks()).toHaveLength(1);
  });

  it('not-sold-yet before the sale is recorded (held or unknown line): nothing written; restocked once it is', async () => {
    const line = [{ productId: P, quantity: 2 }];
    expect(await recordRestocked(models.UnitLedger, 'o1', 'ret1', line)).toBe('not-sold-yet');
    await recordHeld(models.UnitLedger, 'o1', line);
    expect(await recordRestocked(models.UnitLedger, 'o1', 'ret1', line)).toBe('not-sold-yet');
    expect(await restocks()).toEqual([]);
    expect(await taken()).toBe(2);
    await recordSold(models.UnitLedger, 'o1', line);
    expect(await recordRestocked(models.UnitLedger, 'o1', 'ret1', line)).toBe('restocked');
    expect(await taken()).toBe(0);
  });

  it('a line whose sale is recorded waits for the others: the next try restocks the rest, the first line once', async () => {
    await sell('o1', [{ productId: P, quantity: 2 }]);
    await recordHeld(models.UnitLedger, 'o1', [{ productId: Q, quantity: 3 }]);
    const lines = [
      { productId: P, quantity: 2 },
      { productId: Q, quantity: 3 },
    ];
    expect(await recordRestocked(models.UnitLedger, 'o1', 'ship1', lines)).toBe('not-sold-yet');
    await recordSold(models.UnitLedger, 'o1', [{ productId: Q, quantity: 3 }]);
    expect(await recordRestocked(models.UnitLedger, 'o1', 'ship1', lines)).toBe('restocked');
    expect([await taken(P), await taken(Q)]).toEqual([0, 0]);
    expect(await restocks()).toHaveLength(2);
  });

  it('more units back than the line sold, in one source or over several, throws and writes nothing', async () => {
    await sell('o1', [{ productId: P, quantity: 3 }]);
    await expect(recordRestocked(models.UnitLedger, 'o1', 'ret1', [{ productId: P, quantity: 4 }])).rejects.toThrow(
      `cannot restock 4 of ${P} of order o1 from ret1: 0 of the 3 sold are back on sale already`,
    );
    await recordRestocked(models.UnitLedger, 'o1', 'ret1', [{ productId: P, quantity: 2 }]);
    await expect(recordRestocked(models.UnitLedger, 'o1', 'ret2', [{ productId: P, quantity: 2 }])).rejects.toThrow(
      /2 of the 3 sold are back on sale already/,
    );
    expect(await taken()).toBe(1);
    expect(await restocks()).toHaveLength(1);
  });

  it('concurrent sources that together exceed the sale never leave more back on sale than was sold', async () => {
    await sell('o1', [{ productId: P, quantity: 3 }]);
    await Promise.allSettled(
      ['r1', 'r2', 'r3'].map((source) => recordRestocked(models.UnitLedger, 'o1', source, [{ productId: P, quantity: 2 }])),
    );
    const back = (await restocks()).reduce((sum, e) => sum + e.quantity, 0);
    expect(back).toBeLessThanOrEqual(3);
    expect(await taken()).toBe(3 - back);
  });

  it('a released line (the order was cancelled, never sold) cannot be restocked: it throws', async () => {
    await recordHeld(models.UnitLedger, 'o1', [{ productId: P, quantity: 2 }]);
    await recordReleased(models.UnitLedger, 'o1', [{ productId: P, quantity: 2 }]);
    await expect(recordRestocked(models.UnitLedger, 'o1', 'ship1', [{ productId: P, quantity: 2 }])).rejects.toThrow(
      /released, never sold/,
    );
    expect(await restocks()).toEqual([]);
  });
});
