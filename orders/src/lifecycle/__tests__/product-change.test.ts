/**
 * applyProductChange (a product.updated): what it sends to the database, and that the read it
 * decides on under the replica's lock cannot lose a racing hold or double an update. Real
 * MongoDB-wire server; on FerretDB locks are on, on MongoDB the write carries the version filter.
 */
import { reserveUnits, releaseUnits } from '../../models';
import { applyProductChange } from '..';
import { newId, placed, seedProduct, useMonitoredModels } from '../../__tests__/helpers';

const monitored = useMonitoredModels('orders_product_change');
/** What was sent to the replicas' collection since the last reset. */
const replicaCommands = () => monitored.sent.filter((s) => s.collection === 'productreplicas');

const units = async (id: string) => (await monitored.models.ProductReplica.findById(id).lean())!;
const heldOf = (r: { holds: { quantity: number }[] }) => r.holds.reduce((n, h) => n + h.quantity, 0);

it('one read and one write of the replica, no guard read, and no second look before deciding on the holds', async () => {
  const product = await seedProduct(monitored.models, { quantity: 5 });
  monitored.reset();
  const applied = await applyProductChange({ models: monitored.models }, { ...product, quantity: 7, version: 1 });
  expect(applied).toMatchObject({ outcome: 'applied', units: { available: 7, holds: [] }, cancelled: [] });
  const sent = replicaCommands();
  expect(sent.map((s) => [s.command, s.guard])).toEqual([
    ['find', false],
    ['findAndModify', false],
  ]);
  // Under the lock the version was checked on the read; without one the write checks it.
  expect(sent[1].filter).toEqual(monitored.locksOn ? { _id: product.id } : { _id: product.id, version: 0 });
  expect(await units(product.id)).toMatchObject({ version: 1, quantity: 7, available: 7 });

  monitored.reset();
  const again = await applyProductChange({ models: monitored.models }, { ...product, quantity: 7, version: 1 });
  expect(again.outcome).toBe('duplicate');
  expect(replicaCommands().filter((s) => s.command !== 'find')).toEqual([]);
  expect(await units(product.id)).toMatchObject({ version: 1, quantity: 7, available: 7 });
});

it('the units the write left decide the withdrawal: a lower quantity cancels the newest unpaid holder at once', async () => {
  const product = await seedProduct(monitored.models, { quantity: 4 });
  const older = await placed(monitored.models, newId(), [{ productId: product.id, quantity: 2 }]);
  const newer = await placed(monitored.models, newId(), [{ productId: product.id, quantity: 2 }]);
  const applied = await applyProductChange({ models: monitored.models }, { ...product, quantity: 3, version: 1 });
  expect(applied.units?.available).toBe(-1);
  expect(applied.cancelled).toEqual([newer.id]);
  const replica = await units(product.id);
  expect(replica.available).toBe(1);
  expect(replica.holds.map((h) => h.orderId)).toEqual([older.id]);
});

it('racing holds, releases and duplicate deliveries of each version: listed = available + held + sold, every version once', async () => {
  const product = await seedProduct(monitored.models, { quantity: 40 });
  const orderIds = Array.from({ length: 24 }, () => newId());
  const quantities = [40, 45, 38, 50];
  const work: Promise<unknown>[] = [];
  for (const [i, id] of orderIds.entries()) {
    work.push(
      reserveUnits(monitored.models.ProductReplica, product.id, id, 1).then(async (held) => {
        if (held && i % 3 === 0) await releaseUnits(monitored.models.ProductReplica, product.id, id, 1);
      }),
    );
  }
  // Every version delivered twice at once, in order (a version waits for the one before, as the
  // listener's redelivery would make it).
  const versions = (async () => {
    for (const [i, quantity] of quantities.entries()) {
      const data = { ...product, quantity, version: i + 1 };
      const outcomes = await Promise.all([
        applyProductChange({ models: monitored.models }, data),
        applyProductChange({ models: monitored.models }, data),
      ]);
      expect(outcomes.map((o) => o.outcome).sort()).toEqual(['applied', 'duplicate']);
    }
  })();
  await Promise.all([...work, versions]);
  const replica = await units(product.id);
  expect(replica.version).toBe(quantities.length);
  expect(replica.quantity).toBe(quantities.at(-1));
  expect(replica.available + heldOf(replica) + replica.sold).toBe(replica.quantity);
  expect(heldOf(replica)).toBe(orderIds.length - Math.ceil(orderIds.length / 3));
});
