import type { Query } from 'mongoose';
import { useTestDatabase } from '@jetmart/common/testing';
import { placeOrder } from '..';
import { productReplicaSchema, reserveUnits } from '../../models';
import { newId, seedProduct, syncIndexes, testAddress, testApp } from '../../__tests__/helpers';

const { connection } = useTestDatabase();

/**
 * Set by a test to act between placeOrder's steps: runs after every update of a product replica
 * (a post hook on this file's ProductReplica model), with the update's filter.
 */
let afterReplicaUpdate: ((filter: Record<string, unknown>) => Promise<void>) | undefined;
const hookedSchema = productReplicaSchema.clone();
hookedSchema.post('updateOne', async function (this: Query<unknown, unknown>) {
  await afterReplicaUpdate?.(this.getFilter());
});
// Registered before the service's models are built, so ordersModels(connection) uses it.
connection.model('ProductReplica', hookedSchema);

const { models } = testApp(connection);
beforeAll(() => syncIndexes(models));
afterEach(() => {
  afterReplicaUpdate = undefined;
});

const replica = (id: string) => models.ProductReplica.findById(id).lean();

/** Runs `act` once, after the first update of product `productId`'s replica. */
function afterFirstUpdateOf(productId: string, act: () => Promise<void>) {
  afterReplicaUpdate = async (filter) => {
    if (filter._id !== productId) return;
    afterReplicaUpdate = undefined;
    await act();
  };
}

describe('placeOrder', () => {
  it('when line 3 turns out short after lines 1 and 2 are held, releases them and fails the order', async () => {
    const a = await seedProduct(models, { quantity: 5 });
    const b = await seedProduct(models, { quantity: 5 });
    const c = await seedProduct(models, { quantity: 1 });
    const rival = newId();
    // Another order takes c's last unit after this one passed the pre-check and held line 2.
    afterFirstUpdateOf(b.id, async () => {
      expect(await reserveUnits(models.ProductReplica, c.id, rival, 1)).toBe(true);
    });
    const items = [
      { productId: a.id, quantity: 2 },
      { productId: b.id, quantity: 3 },
      { productId: c.id, quantity: 1 },
    ];
    const result = await placeOrder({ models }, newId(), { items, shippingAddress: testAddress() }, { expirationSeconds: 900 });
    expect(result).toEqual({ kind: 'short', line: 2, title: c.title });
    expect(await replica(a.id)).toMatchObject({ available: 5, holds: [] });
    expect(await replica(b.id)).toMatchObject({ available: 5, holds: [] });
    expect(await replica(c.id)).toMatchObject({ available: 0, holds: [{ orderId: rival, quantity: 1 }] });
    const orders = await models.Order.find().lean();
    expect(orders).toHaveLength(1);
    expect(orders[0]).toMatchObject({ status: 'failed', holdAction: null, outbox: [] });
  });

  it('holds nothing and fails the order when placing takes longer than the holding deadline', async () => {
    const a = await seedProduct(models, { quantity: 5 });
    const b = await seedProduct(models, { quantity: 5 });
    let clock = 1_000_000;
    // Holding line 1 takes 5 s on this clock.
    afterFirstUpdateOf(a.id, async () => {
      clock += 5000;
    });
    const items = [
      { productId: a.id, quantity: 1 },
      { productId: b.id, quantity: 1 },
    ];
    const result = await placeOrder(
      { models, now: () => clock },
      newId(),
      { items, shippingAddress: testAddress() },
      {
        expirationSeconds: 900,
        holdingDeadlineMs: 1000,
      },
    );
    expect(result).toEqual({ kind: 'too-slow' });
    expect((await replica(a.id))!.available).toBe(5);
    expect((await replica(b.id))!.available).toBe(5);
    expect((await models.Order.findOne().lean())!.status).toBe('failed');
  });

  it('a replica reserve is idempotent per order', async () => {
    const a = await seedProduct(models, { quantity: 5 });
    const orderId = newId();
    expect(await reserveUnits(models.ProductReplica, a.id, orderId, 2)).toBe(true);
    expect(await reserveUnits(models.ProductReplica, a.id, orderId, 2)).toBe(false);
    expect(await replica(a.id)).toMatchObject({ available: 3, holds: [{ orderId, quantity: 2 }] });
  });
});
