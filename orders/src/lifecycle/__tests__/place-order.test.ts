import { ConflictError } from '@jetmart/common';
import { useTestDatabase } from '@jetmart/common/testing';
import { placeOrder, reserveUnits } from '..';
import { newId, seedProduct, syncIndexes, testApp } from '../../__tests__/helpers';

useTestDatabase();
const { models } = testApp();
beforeAll(() => syncIndexes(models));

const replica = (id: string) => models.ProductReplica.findById(id).lean();

describe('placeOrder', () => {
  it('when line 3 turns out short after lines 1 and 2 are held, releases them and fails the order', async () => {
    const a = await seedProduct(models, { quantity: 5 });
    const b = await seedProduct(models, { quantity: 5 });
    const c = await seedProduct(models, { quantity: 1 });
    const rival = newId();
    const attempt = placeOrder(
      models,
      newId(),
      [
        { productId: a.id, quantity: 2 },
        { productId: b.id, quantity: 3 },
        { productId: c.id, quantity: 1 },
      ],
      {
        expirationSeconds: 900,
        // Another order takes c's last unit after this one passed the pre-check.
        afterHold: async (i) => {
          if (i === 1) expect(await reserveUnits(models.ProductReplica, c.id, rival, 1)).toBe(true);
        },
      },
    );
    await expect(attempt).rejects.toMatchObject({ statusCode: 409, field: 'items.2.quantity' });
    await expect(attempt).rejects.toBeInstanceOf(ConflictError);
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
    const attempt = placeOrder(models, newId(), [{ productId: a.id, quantity: 1 }, { productId: b.id, quantity: 1 }], {
      expirationSeconds: 900,
      now: () => clock,
      holdingDeadlineMs: 1000,
      afterHold: async () => {
        clock += 5000;
      },
    });
    await expect(attempt).rejects.toMatchObject({ statusCode: 409 });
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
