import { useTestDatabase } from '@jetmart/common/testing';
import { recordHeld, recordReleased, recordSold, unitsTaken } from '..';
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
