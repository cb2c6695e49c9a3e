/**
 * The stock document's guard (product-stock.ts), step by step on FerretDB: the conditional flip
 * is the only place that decides what is published, so a recompute that read before a move, or a
 * second recompute of the same state, must miss.
 */
import mongoose from 'mongoose';
import { useTestDatabase } from '@jetmart/common/testing';
import { noteStockMove, productsModels, readStock, recordStockFlip } from '..';

useTestDatabase({ prefix: 'products_stock_model' });
const models = productsModels(mongoose.connection);
beforeAll(() => models.ProductStock.syncIndexes());
const oid = () => new mongoose.Types.ObjectId().toHexString();

const snapshot = async (id: string) => {
  const s = (await readStock(models.ProductStock, id))!;
  return { revision: s.revision, version: s.version, inStock: s.inStock ?? true };
};

it('the first move creates the document at revision 1, stock version 0, no state yet', async () => {
  const id = oid();
  await noteStockMove(models.ProductStock, id);
  expect(await readStock(models.ProductStock, id)).toEqual({ _id: id, revision: 1, version: 0 });
});

it('a flip computed before a move misses (moved); read again, it is published at version + 1', async () => {
  const id = oid();
  await noteStockMove(models.ProductStock, id);
  const stale = await snapshot(id);
  await noteStockMove(models.ProductStock, id); // a ledger move lands after the read
  expect(await recordStockFlip(models.ProductStock, id, stale, { inStock: false, available: 0 })).toBe('moved');
  expect((await models.ProductStock.findById(id).lean())!.outbox ?? []).toEqual([]);

  const fresh = await snapshot(id);
  expect(await recordStockFlip(models.ProductStock, id, fresh, { inStock: false, available: 0 })).toBe('flipped');
  const stored = (await models.ProductStock.findById(id).lean())!;
  expect(stored).toMatchObject({ inStock: false, available: 0, version: 1, revision: 2 });
  expect(stored.outbox.map((e) => [e.subject, e.event.data])).toEqual([
    ['product.stock-changed', { id, inStock: false, available: 0, version: 1 }],
  ]);
});

it('two recomputes that read the same state: one flip is published, the other misses', async () => {
  const id = oid();
  await noteStockMove(models.ProductStock, id);
  const seen = await snapshot(id);
  const outcomes = await Promise.all(
    Array.from({ length: 6 }, () => recordStockFlip(models.ProductStock, id, seen, { inStock: false, available: 0 })),
  );
  expect(outcomes.filter((o) => o === 'flipped')).toHaveLength(1);
  const stored = (await models.ProductStock.findById(id).lean())!;
  expect(stored.version).toBe(1);
  expect(stored.outbox).toHaveLength(1);
});

it('concurrent first moves of one product all count (no lost $inc, no duplicate key)', async () => {
  const id = oid();
  await Promise.all(Array.from({ length: 8 }, () => noteStockMove(models.ProductStock, id)));
  expect((await readStock(models.ProductStock, id))!.revision).toBe(8);
});
