import { createLogger } from '@jetmart/common';
import mongoose from 'mongoose';
import { useTestDatabase } from '@jetmart/common/testing';
import { orderCandidates, reserveUnits, type OrderLine } from '../../models';
import { cancelOrder, completeOrder } from '../../lifecycle';
import { OrderSweeper } from '../order-sweeper';
import { newId, placed, seedProduct, syncIndexes, testApp } from '../../__tests__/helpers';

const { connection } = useTestDatabase();
const { models } = testApp(connection);
beforeAll(() => syncIndexes(models));

const replica = (id: string) => models.ProductReplica.findById(id).lean();
const sweeper = () => new OrderSweeper(models, { logger: createLogger('orders'), pendingTimeoutMs: 30_000, settleAfterMs: 10_000 });
const line = (p: Awaited<ReturnType<typeof seedProduct>>, quantity: number): OrderLine => ({
  productId: p.id,
  title: p.title,
  priceMinor: p.priceMinor,
  quantity,
});

/**
 * What placeOrder leaves behind when its process dies after holding the units of the first `held`
 * lines (all by default): an order created through the model, so that this process noted it for
 * its sweeper, or, `byDeadPeer`, written straight into the collection, so that only a scan finds it.
 */
async function pendingOrder(items: OrderLine[], opts: { held?: number; byDeadPeer?: boolean } = {}) {
  const fields = {
    userId: newId(),
    status: 'pending' as const,
    items,
    totalMinor: items.reduce((sum, l) => sum + l.priceMinor * l.quantity, 0),
    expiresAt: new Date(Date.now() + 900_000),
  };
  const order = opts.byDeadPeer ? new models.Order(fields) : await models.Order.create(fields);
  if (opts.byDeadPeer) await models.Order.collection.insertOne(order.toObject() as never);
  for (const l of items.slice(0, opts.held ?? items.length)) {
    expect(await reserveUnits(models.ProductReplica, l.productId, order.id, l.quantity)).toBe(true);
  }
  return order;
}

describe('OrderSweeper (crash recovery)', () => {
  it('a multi-line order whose process died between lines: after the sweep no units are held by it', async () => {
    const products = [
      await seedProduct(models, { quantity: 4 }),
      await seedProduct(models, { quantity: 4 }),
      await seedProduct(models, { quantity: 4 }),
    ];
    // Killed after holding lines 1 and 2 of 3.
    const order = await pendingOrder(
      products.map((p) => line(p, 2)),
      { held: 2 },
    );
    // A live order on the same product must keep its units.
    const live = await placed(models, newId(), [{ productId: products[0].id, quantity: 1 }]);

    // Too young to be abandoned: left alone.
    expect(await sweeper().sweepOnce(Date.now())).toEqual({ failed: 0, settled: 0 });
    expect((await replica(products[0].id))!.available).toBe(1);

    expect(await sweeper().sweepOnce(Date.now() + 31_000)).toEqual({ failed: 1, settled: 0 });
    expect(await replica(products[0].id)).toMatchObject({ available: 3, holds: [{ orderId: live.id, quantity: 1 }] });
    expect(await replica(products[1].id)).toMatchObject({ available: 4, holds: [] });
    expect(await replica(products[2].id)).toMatchObject({ available: 4, holds: [] });
    expect(await models.Order.findById(order.id).lean()).toMatchObject({ status: 'failed', holdAction: null, outbox: [] });
    expect((await models.Order.findById(live.id).lean())!.status).toBe('created');

    // Nothing left to do on the next pass.
    expect(await sweeper().sweepOnce(Date.now() + 60_000)).toEqual({ failed: 0, settled: 0 });
  });

  it('finishes a release that a process died before doing (order cancelled, units still held)', async () => {
    const p = await seedProduct(models, { quantity: 3 });
    const order = await placed(models, newId(), [{ productId: p.id, quantity: 3 }]);
    const doc = (await models.Order.findById(order.id))!;
    expect(doc.cancel('buyer')).toBe('cancelled');
    await doc.save(); // ...and the process dies before releasing
    expect((await replica(p.id))!.available).toBe(0);
    expect(await sweeper().sweepOnce(Date.now() + 11_000)).toEqual({ failed: 0, settled: 1 });
    expect(await replica(p.id)).toMatchObject({ available: 3, holds: [] });
    expect((await models.Order.findById(order.id).lean())!.holdAction).toBeNull();
  });

  it('finishes a sale that a process died before recording (order complete, units still held)', async () => {
    const p = await seedProduct(models, { quantity: 3 });
    const order = await placed(models, newId(), [{ productId: p.id, quantity: 2 }]);
    const doc = (await models.Order.findById(order.id))!;
    expect(doc.complete()).toBe('completed');
    await doc.save();
    await sweeper().sweepOnce(Date.now() + 11_000);
    expect(await replica(p.id)).toMatchObject({ available: 1, sold: 2, holds: [] });
  });

  it('after its start-up scan, reads only what this process noted: a placement that failed midway here is finished, nothing else is read', async () => {
    const s = new OrderSweeper(models, { logger: createLogger('orders', { level: 'silent' }), fullScanIntervalMs: 3_600_000 });
    await s.sweep(Date.now()); // the start-up scan (nothing to do)
    const p = await seedProduct(models, { quantity: 4 });
    // This process's placement, stopped after its hold (noted by the order's write).
    const mine = await pendingOrder([line(p, 2)]);
    // A dead process's: only a scan finds it.
    const theirs = await pendingOrder([line(p, 2)], { byDeadPeer: true });

    await s.sweep(Date.now() + 31_000);
    expect((await models.Order.findById(mine.id).lean())!.status).toBe('failed');
    expect((await models.Order.findById(theirs.id).lean())!.status).toBe('pending');
    expect(await replica(p.id)).toMatchObject({ available: 2, holds: [{ orderId: theirs.id, quantity: 2 }] });
  });

  it('leaves nothing for the sweeper to read after orders that were placed, paid or cancelled without a hitch', async () => {
    await sweeper().sweepOnce(); // forgets whatever earlier tests left noted
    const p = await seedProduct(models, { quantity: 5 });
    const paid = await placed(models, newId(), [{ productId: p.id, quantity: 1 }]);
    const cancelled = await placed(models, newId(), [{ productId: p.id, quantity: 1 }]);
    expect((await completeOrder({ models }, paid.id)).kind).toBe('completed');
    expect((await cancelOrder({ models }, cancelled.id, 'buyer')).kind).toBe('cancelled');
    expect(orderCandidates(models.Order).size).toBe(0);
    // One that stopped midway is noted.
    const stuck = (await models.Order.findById(paid.id))!;
    await models.Order.updateOne({ _id: stuck._id }, { $set: { holdAction: 'sell' } });
    expect(orderCandidates(models.Order).size).toBe(1);
  });

  it("scans for what a dead peer left once the peer's lease has expired", async () => {
    const p = await seedProduct(models, { quantity: 2 });
    const running = new OrderSweeper(models, {
      logger: createLogger('orders', { level: 'silent' }),
      intervalMs: 20,
      pendingTimeoutMs: 0,
      leaseTtlMs: 300,
      fullScanIntervalMs: 3_600_000,
    }).start();
    try {
      // Once this process's own abandoned placement is failed, the start-up scan is behind us.
      await pendingOrder([line(p, 1)]);
      for (let i = 0; i < 250 && (await replica(p.id))!.available !== 2; i++) await new Promise((r) => setTimeout(r, 20));
      expect((await replica(p.id))!.available).toBe(2);

      await pendingOrder([line(p, 2)], { byDeadPeer: true });
      await mongoose.connection.db!.collection('_leases').insertOne({
        _id: 'order-sweeper:dead-peer' as never,
        role: 'order-sweeper',
        expiresAt: new Date(Date.now() - 1_000),
      });
      for (let i = 0; i < 250 && (await replica(p.id))!.available !== 2; i++) await new Promise((r) => setTimeout(r, 20));
    } finally {
      await running.stop();
    }
    expect((await replica(p.id))!.available).toBe(2);
  });

  it('runs on its own timer when started', async () => {
    const p = await seedProduct(models, { quantity: 2 });
    await pendingOrder([line(p, 2)]);
    const running = new OrderSweeper(models, { logger: createLogger('orders'), intervalMs: 20, pendingTimeoutMs: 0 }).start();
    try {
      for (let i = 0; i < 100 && (await replica(p.id))!.available !== 2; i++) await new Promise((r) => setTimeout(r, 20));
    } finally {
      await running.stop();
    }
    expect((await replica(p.id))!.available).toBe(2);
  });
});
