/**
 * A seller's products (issue 18): `?sellerId=` and `/mine` as indexed queries, the low-stock view,
 * unlist / relist (owner only, guarded in the model, product.updated with `listed` through the
 * outbox) and an unlisted product out of the catalog and its search.
 */
import fc from 'fast-check';
import request from 'supertest';
import { signinCookie, useTestDatabase } from '@jetmart/common/testing';
import { recordHeld, recordSold } from '../../models';
import { unlistSeller } from '../../forgetting';
import { syncIndexes, testApp } from '../../__tests__/helpers';

useTestDatabase();
const { app, models } = testApp();
beforeAll(() => syncIndexes(models));

const seller = { id: '64b0000000000000000000a1' };
const other = { id: '64b0000000000000000000a2' };
const create = (title: string, quantity = 5, user = seller) =>
  request(app).post('/api/products').set('Cookie', signinCookie(user)).send({ title, price: 10, quantity }).expect(201);
const post = (path: string, user: { id: string } | null = seller) => {
  const r = request(app).post(path);
  return user ? r.set('Cookie', signinCookie(user)) : r;
};
const mine = (qs = '', user = seller) => request(app).get(`/api/products/mine${qs}`).set('Cookie', signinCookie(user));

describe('GET /api/products?sellerId=', () => {
  it("lists only that seller's listed products, newest first, paged; the query uses the seller index", async () => {
    const a1 = (await create('Lamp A1')).body;
    await create('Lamp B1', 5, other);
    const a2 = (await create('Lamp A2')).body;
    const a3 = (await create('Lamp A3')).body;
    await post(`/api/products/${a2.id}/unlist`).expect(200);
    const first = await request(app).get(`/api/products?sellerId=${seller.id}&limit=1`).expect(200);
    expect(first.body.items.map((p: { id: string }) => p.id)).toEqual([a3.id]);
    const rest = await request(app).get(`/api/products?sellerId=${seller.id}&cursor=${first.body.nextCursor}`).expect(200);
    expect(rest.body).toEqual({ items: [expect.objectContaining({ id: a1.id, listed: true })], nextCursor: null });
    expect((await request(app).get(`/api/products?sellerId=${other.id}`)).body.items).toHaveLength(1);
    expect((await request(app).get('/api/products?sellerId=64b0000000000000000000ff')).body.items).toEqual([]);
    // A real indexed query, not a scan of the newest products.
    const plan = await models.Product.find({ userId: seller.id, unlistedAt: { $exists: false } })
      .sort({ createdAt: -1, _id: -1 })
      .explain();
    expect(JSON.stringify(plan)).not.toMatch(/"COLLSCAN"/);
  });

  it('400 for a sellerId that is not a user id', async () => {
    for (const bad of ['x', '64b0000000000000000000a', '{"$ne":1}']) {
      const res = await request(app)
        .get(`/api/products?sellerId=${encodeURIComponent(bad)}`)
        .expect(400);
      expect(res.body.errors).toEqual([{ message: 'sellerId must be a user id', field: 'sellerId' }]);
    }
    // Bracket keys are not parsed into objects (Express 5's simple query parser): an unknown key, ignored.
    expect((await request(app).get(`/api/products?sellerId[$ne]=1`).expect(200)).body.items).toEqual([]);
  });
});

describe('unlist / relist', () => {
  it('the owner unlists: out of the catalog and its search, product.updated (listed: false) queued, units kept; relist brings it back', async () => {
    const p = (await create('Green teapot', 4)).body;
    await recordHeld(models.UnitLedger, '64b0000000000000000000c1', [{ productId: p.id, quantity: 1 }]);
    const unlisted = await post(`/api/products/${p.id}/unlist`).expect(200);
    expect(unlisted.body).toMatchObject({ id: p.id, listed: false, quantity: 4, available: 3, version: 1 });
    expect((await request(app).get('/api/products')).body.items).toEqual([]);
    expect((await request(app).get('/api/products?q=teapot')).body.items).toEqual([]);
    // Still readable by id (orders and shipments show it).
    expect((await request(app).get(`/api/products/${p.id}`).expect(200)).body.listed).toBe(false);
    const stored = (await models.Product.findById(p.id).lean())!;
    expect(stored.outbox.map((o) => o.event)).toEqual([
      expect.objectContaining({ subject: 'product.created' }),
      expect.objectContaining({ subject: 'product.updated', data: expect.objectContaining({ listed: false, quantity: 4, version: 1 }) }),
    ]);

    // A repeat changes nothing (no version bump, no second event).
    expect((await post(`/api/products/${p.id}/unlist`).expect(200)).body.version).toBe(1);
    expect((await models.Product.findById(p.id).lean())!.outbox).toHaveLength(2);

    const relisted = await post(`/api/products/${p.id}/relist`).expect(200);
    expect(relisted.body).toMatchObject({ listed: true, quantity: 4, available: 3, version: 2 });
    expect((await request(app).get('/api/products?q=teapot')).body.items.map((i: { id: string }) => i.id)).toEqual([p.id]);
    const after = (await models.Product.findById(p.id).lean())!;
    expect(after.unlistedAt).toBeUndefined();
    expect(after.outbox[2].event).toMatchObject({ subject: 'product.updated', data: { listed: true, version: 2 } });
    expect((await post(`/api/products/${p.id}/relist`).expect(200)).body.version).toBe(2);
  });

  it('only the owner: 401 signed out, 403 another user, 404 unknown or malformed ids; nothing changes', async () => {
    const p = (await create('Mug')).body;
    for (const action of ['unlist', 'relist']) {
      await post(`/api/products/${p.id}/${action}`, null).expect(401);
      const res = await post(`/api/products/${p.id}/${action}`, other).expect(403);
      expect(res.body.errors[0].message).toBe('Only the seller can change this product');
      await post(`/api/products/64b0000000000000000000ff/${action}`).expect(404);
      await post(`/api/products/not-an-id/${action}`).expect(404);
    }
    expect(await models.Product.findById(p.id).lean()).toMatchObject({ version: 0 });
  });

  it("a deleted seller's product (user.deleted) cannot be relisted, even one its seller had unlisted first: 409", async () => {
    const p = (await create('Chair')).body;
    const q = (await create('Table')).body;
    await post(`/api/products/${q.id}/unlist`).expect(200);
    await unlistSeller({ models }, seller.id);
    for (const id of [p.id, q.id]) {
      const res = await post(`/api/products/${id}/relist`).expect(409);
      expect(res.body.errors[0].message).toBe("This product's seller account was deleted; it cannot be listed again");
      expect(await models.Product.findById(id).lean()).toMatchObject({ unlistReason: 'account-deleted', quantity: 0 });
    }
  });
});

describe('GET /api/products/mine', () => {
  it('401 signed out; 400 for a bad lowStock, limit or cursor', async () => {
    await request(app).get('/api/products/mine').expect(401);
    for (const qs of ['?lowStock=yes', '?lowStock=TRUE', '?lowStock=', '?limit=0', '?limit=101', '?cursor=nope'])
      await mine(qs).expect(400);
  });

  it("the caller's listed and unlisted products only, with listed and available; lowStock = available ≤ LOW_STOCK_THRESHOLD (3)", async () => {
    const plenty = (await create('Plenty', 10)).body;
    const few = (await create('Few', 3)).body;
    const sold = (await create('Mostly sold', 6)).body;
    const off = (await create('Off', 1)).body;
    await create('Not mine', 1, other);
    await post(`/api/products/${off.id}/unlist`).expect(200);
    await recordHeld(models.UnitLedger, '64b0000000000000000000c2', [{ productId: sold.id, quantity: 2 }]);
    await recordHeld(models.UnitLedger, '64b0000000000000000000c3', [{ productId: sold.id, quantity: 1 }]);
    await recordSold(models.UnitLedger, '64b0000000000000000000c3', [{ productId: sold.id, quantity: 1 }]);

    const all = await mine().expect(200);
    expect(all.body.items.map((p: { title: string; listed: boolean; available: number }) => [p.title, p.listed, p.available])).toEqual([
      ['Off', false, 1],
      ['Mostly sold', true, 3],
      ['Few', true, 3],
      ['Plenty', true, 10],
    ]);
    const low = await mine('?lowStock=true').expect(200);
    expect(low.body.items.map((p: { id: string }) => p.id)).toEqual([off.id, sold.id, few.id]);
    expect((await mine('?lowStock=false')).body.items).toHaveLength(4);
    expect((await mine('', other)).body.items.map((p: { title: string }) => p.title)).toEqual(['Not mine']);
    expect(plenty.id).toBeDefined();
  });

  it('property: paging (any limit, with or without lowStock) shows every matching product exactly once, in order', async () => {
    const quantities = [0, 1, 5, 2, 9, 3, 4, 0, 7, 3, 1, 8];
    for (const [i, q] of quantities.entries()) await create(`P${i}`, q);
    const expected = (low: boolean) =>
      quantities
        .map((q, i) => ({ q, title: `P${i}` }))
        .filter((p) => !low || p.q <= 3)
        .map((p) => p.title)
        .reverse();
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 13 }), fc.boolean(), async (limit, low) => {
        const seen: string[] = [];
        let cursor: string | null = null;
        for (let pages = 0; pages < 20; pages++) {
          const qs: string = `?limit=${limit}${low ? '&lowStock=true' : ''}${cursor ? `&cursor=${cursor}` : ''}`;
          const res = await mine(qs).expect(200);
          expect(res.body.items.length).toBeLessThanOrEqual(limit);
          seen.push(...res.body.items.map((p: { title: string }) => p.title));
          cursor = res.body.nextCursor;
          if (!cursor) break;
        }
        expect(seen).toEqual(expected(low));
      }),
      { numRuns: 15, seed: 18 },
    );
  });
});
