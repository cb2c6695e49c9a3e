import { createLogger } from '@jetmart/common';
import { useTestDatabase } from '@jetmart/common/testing';
import { OrderSweeper } from '../../background/order-sweeper';
import { applyProductUpdated } from '../../models';
import { completeOrder, withdrawExcessHolds } from '..';
import { newId, placed, seedProduct, syncIndexes, testApp } from '../../__tests__/helpers';

const { connection } = useTestDatabase();
const { models } = testApp(connection);
beforeAll(() => syncIndexes(models));

const order = (productId: string, quantity: number) => placed(models, newId(), [{ productId, quantity }]);

async function pay(id: string) {
  expect((await completeOrder({ models }, id)).kind).toBe('completed');
}

describe('withdrawExcessHolds: the seller lists fewer units than orders hold', () => {
  it('cancels the newest unpaid orders until the holds fit, never a paid one, and only once', async () => {
    const product = await seedProduct(models, { quantity: 5 });
    const oldest = await order(product.id, 2);
    const paid = await order(product.id, 1);
    await pay(paid.id);
    const newest = await order(product.id, 2);
    expect((await models.ProductReplica.findById(product.id).lean())!.available).toBe(0);

    // The seller's lower quantity arrives after the holds were taken: 2 + 2 held + 1 sold > 3.
    await applyProductUpdated(models.ProductReplica, { ...product, quantity: 3, version: 1 });
    expect((await models.ProductReplica.findById(product.id).lean())!.available).toBe(-2);

    expect(await withdrawExcessHolds({ models }, product.id)).toEqual([newest.id]);
    const replica = (await models.ProductReplica.findById(product.id).lean())!;
    expect(replica.available).toBe(0);
    expect(replica.holds.map((h) => h.orderId)).toEqual([oldest.id]);
    expect(replica.sold).toBe(1);
    const cancelled = (await models.Order.findById(newest.id).lean())!;
    expect(cancelled).toMatchObject({ status: 'cancelled', cancelReason: 'unavailable' });
    expect(cancelled.outbox.map((e) => [e.subject, (e.event.data as { reason?: string }).reason])).toContainEqual([
      'order.cancelled',
      'unavailable',
    ]);
    expect((await models.Order.findById(oldest.id).lean())!.status).toBe('created');
    expect((await models.Order.findById(paid.id).lean())!.status).toBe('complete');

    // A redelivered product.updated changes nothing more.
    expect(await withdrawExcessHolds({ models }, product.id)).toEqual([]);
  });

  it('holds + sold never exceed the listed stock when the seller keeps only what was sold', async () => {
    const product = await seedProduct(models, { quantity: 4 });
    const a = await order(product.id, 1);
    const b = await order(product.id, 2);
    const c = await order(product.id, 1);
    await pay(c.id);
    await applyProductUpdated(models.ProductReplica, { ...product, quantity: 1, version: 1 });
    expect((await withdrawExcessHolds({ models }, product.id)).sort()).toEqual([a.id, b.id].sort());
    const replica = (await models.ProductReplica.findById(product.id).lean())!;
    expect(replica.holds).toEqual([]);
    expect(replica.sold).toBe(1);
    expect(replica.available).toBe(0);
  });

  it('the sweeper finishes what product.updated could not: an order confirmed while the stock was short', async () => {
    const product = await seedProduct(models, { quantity: 2 });
    const confirmedLate = await order(product.id, 2);
    // As if the holds were taken while placing, the lower quantity applied, then the order confirmed.
    await applyProductUpdated(models.ProductReplica, { ...product, quantity: 1, version: 1 });
    const sweeper = new OrderSweeper(models, { logger: createLogger('orders', { level: 'silent' }) });
    expect(await sweeper.withdrawOverheld()).toEqual([confirmedLate.id]);
    expect((await models.ProductReplica.findById(product.id).lean())!.available).toBe(1);
  });

  it('does nothing while the holds fit', async () => {
    const product = await seedProduct(models, { quantity: 5 });
    const a = await order(product.id, 2);
    await applyProductUpdated(models.ProductReplica, { ...product, quantity: 2, version: 1 });
    expect(await withdrawExcessHolds({ models }, product.id)).toEqual([]);
    expect((await models.Order.findById(a.id).lean())!.status).toBe('created');
  });
});
