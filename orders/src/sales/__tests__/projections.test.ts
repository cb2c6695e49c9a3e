/**
 * The sales read model's projections on FerretDB, step by step: a line recorded after its
 * shipment and return steps catches up; steps never move a line back; a buyer's deletion forgets
 * the city whichever comes first; a paid line of an order placed before fulfilment takes its
 * seller from the order. And the sales page: filters, and paging that neither repeats nor skips.
 */
import fc from 'fast-check';
import request from 'supertest';
import { signinCookie, useTestDatabase } from '@jetmart/common/testing';
import { forgetBuyer } from '../../forgetting';
import { applyShipmentStep, insertSaleLine, newReturn, type OrderDoc } from '../../models';
import { forgetSaleCities, projectReturn, projectShipment, recordSale } from '..';
import { completeOrder } from '../../lifecycle';
import { monitoredModels, newId, paidOrderWithShipment, placed, seedProduct, syncIndexes, testApp } from '../../__tests__/helpers';

const db = useTestDatabase();
const { connection } = db;
const { app, models } = testApp(connection);
beforeEach(() => syncIndexes(models));

/** order.completed's data, as the order's outbox holds it. */
const completedData = (order: OrderDoc) => order.outbox.find((o) => o.event.subject === 'order.completed')!.event.data as never;
const line = (orderId: string, productId: string) => models.SaleLine.findById(`${orderId}:${productId}`).lean();

describe('projections', () => {
  it('a sale recorded after its shipment was delivered and a return received catches up with both', async () => {
    const buyer = newId();
    const { order, shipmentId, sellerId, products } = await paidOrderWithShipment(models, buyer, { lines: [{ quantity: 3 }] });
    const ret = newReturn(models.Return, {
      orderId: order.id,
      shipmentId,
      sellerId,
      buyerId: buyer,
      items: [{ productId: products[0].id, title: 'Lamp', priceMinor: 1999, quantity: 2 }],
      reason: 'changed_mind',
    });
    ret.status = 'received';
    await ret.save();
    // The steps arrive first: no line yet, nothing to change.
    expect(await projectShipment({ models }, shipmentId)).toBe(0);
    expect(await projectReturn({ models }, { id: ret.id, orderId: order.id, items: ret.items })).toBe(0);

    expect(await recordSale({ models }, completedData(order), new Date().toISOString())).toEqual({
      kind: 'recorded',
      lines: 1,
      skipped: 0,
    });
    expect(await line(order.id, products[0].id)).toMatchObject({
      sellerId,
      shipmentStatus: 'delivered',
      returnedQuantity: 2,
      keptQuantity: 1,
      revenueMinor: 1999,
      returns: [ret.id],
      buyerCity: 'London',
    });
    // Everything again: nothing moves.
    await recordSale({ models }, completedData(order), new Date().toISOString());
    expect(await projectReturn({ models }, { id: ret.id, orderId: order.id, items: ret.items })).toBe(0);
    expect(await projectShipment({ models }, shipmentId)).toBe(0);
    expect(await line(order.id, products[0].id)).toMatchObject({ returnedQuantity: 2, keptQuantity: 1, revenueMinor: 1999 });
  });

  it('a shipment state never moves back, and a return never counts more units than were kept', async () => {
    const { order, shipmentId, sellerId, products } = await paidOrderWithShipment(models, newId(), { final: 'shipped' });
    await recordSale({ models }, completedData(order), new Date().toISOString());
    expect(await line(order.id, products[0].id)).toMatchObject({ shipmentStatus: 'shipped', shipmentRank: 1 });
    // The replica cannot go back either, but a stale projection (pending) must not win.
    await models.ShipmentReplica.updateOne({ _id: shipmentId }, { $set: { status: 'pending' } });
    expect(await projectShipment({ models }, shipmentId)).toBe(0);
    await models.ShipmentReplica.updateOne({ _id: shipmentId }, { $set: { status: 'shipped' } });
    await applyShipmentStep(
      models.ShipmentReplica,
      { id: shipmentId, orderId: order.id, sellerId, buyerId: newId(), deliveredAt: new Date().toISOString(), by: 'auto', version: 2 },
      'delivered',
    );
    expect(await projectShipment({ models }, shipmentId)).toBe(1);
    const tooMany = { id: newId(), orderId: order.id, items: [{ productId: products[0].id, quantity: 3, priceMinor: 1999 }] };
    expect(await projectReturn({ models }, tooMany)).toBe(0);
    expect(await line(order.id, products[0].id)).toMatchObject({ shipmentStatus: 'delivered', returnedQuantity: 0, keptQuantity: 2 });
  });

  it("the buyer's deletion forgets the city, before or after the sale is recorded; another buyer's city stays", async () => {
    const early = newId();
    const late = newId();
    const other = newId();
    const a = await paidOrderWithShipment(models, early);
    const b = await paidOrderWithShipment(models, late);
    const c = await paidOrderWithShipment(models, other);
    await recordSale({ models }, completedData(a.order), new Date().toISOString());
    await recordSale({ models }, completedData(c.order), new Date().toISOString());
    await forgetBuyer({ models }, early);
    await forgetBuyer({ models }, late); // before its sale is recorded (the event still has the city)
    await recordSale({ models }, completedData(b.order), new Date().toISOString());
    expect((await line(a.order.id, a.products[0].id))!.buyerCity).toBeNull();
    expect((await line(b.order.id, b.products[0].id))!.buyerCity).toBeNull();
    expect((await line(c.order.id, c.products[0].id))!.buyerCity).toBe('London');
    expect(await forgetSaleCities({ models }, a.order.id)).toBe(0);
    // The read model never held the buyer's id, name or street.
    const text = JSON.stringify(await models.SaleLine.find().lean());
    for (const secret of [early, late, other, 'Ada Lovelace', 'Analytical Row', 'NW1 6XE']) expect(text).not.toContain(secret);
  });

  it('an order.completed written before fulfilment (no seller, title, price, address) takes them from the order; an unknown order skips its lines', async () => {
    const { order, products, sellerId } = await paidOrderWithShipment(models, newId());
    const old = { id: order.id, userId: order.userId, items: [{ productId: products[0].id, quantity: 2 }], version: 1 };
    expect(await recordSale({ models }, old, new Date().toISOString())).toEqual({ kind: 'recorded', lines: 1, skipped: 0 });
    expect(await line(order.id, products[0].id)).toMatchObject({ sellerId, title: 'Lamp', priceMinor: 1999, buyerCity: 'London' });
    const unknown = { ...old, id: newId() };
    expect(await recordSale({ models }, unknown, new Date().toISOString())).toEqual({ kind: 'recorded', lines: 0, skipped: 1 });
  });
});

describe('what recording a sale reads', () => {
  it('an order not split into shipments yet: no look for returns (none can exist), the line recorded', async () => {
    const monitored = await monitoredModels(db.url());
    try {
      const product = await seedProduct(monitored.models);
      const order = await placed(monitored.models, newId(), [{ productId: product.id, quantity: 1 }]);
      const done = await completeOrder({ models: monitored.models }, order.id);
      if (done.kind !== 'completed') throw new Error(done.kind);
      monitored.reset();
      await recordSale({ models: monitored.models }, completedData(done.order), new Date().toISOString());
      const reads = monitored.sent.filter((s) => s.command === 'find' || s.command === 'aggregate').map((s) => s.collection);
      expect(reads).toContain('shipmentreplicas');
      expect(reads).not.toContain('returns');
      expect(await line(order.id, product.id)).toMatchObject({ quantity: 1, shipmentRank: -1, returnedQuantity: 0 });
    } finally {
      await monitored.conn.close();
    }
  });
});

describe('GET /api/sales paging and filters', () => {
  const seller = newId();
  const DAY = 86_400_000;
  const base = Date.UTC(2026, 0, 10, 12);
  /** 23 lines over 5 days, several sharing the same soldAt (same order), a few cancelled or returned. */
  async function seed() {
    for (let o = 0; o < 12; o++) {
      const orderId = newId();
      const soldAt = new Date(base + Math.floor(o / 3) * DAY);
      for (let p = 0; p < (o % 2) + 1; p++) {
        await insertSaleLine(models.SaleLine, {
          orderId,
          productId: `prod-${p}`,
          sellerId: seller,
          title: `T${o}-${p}`,
          quantity: 2,
          priceMinor: 100,
          soldAt,
          buyerCity: 'Oslo',
        });
      }
      if (o % 4 === 1)
        await models.SaleLine.updateOne(
          { _id: `${orderId}:prod-0` },
          { $set: { shipmentStatus: 'cancelled', shipmentRank: 3, keptQuantity: 0, revenueMinor: 0 } },
        );
      if (o % 4 === 2)
        await projectReturn({ models }, { id: newId(), orderId, items: [{ productId: 'prod-0', quantity: 1, priceMinor: 100 }] });
      if (o % 4 === 3)
        await projectReturn({ models }, { id: newId(), orderId, items: [{ productId: 'prod-0', quantity: 2, priceMinor: 100 }] });
    }
    await insertSaleLine(models.SaleLine, {
      orderId: newId(),
      productId: 'x',
      sellerId: newId(),
      title: 'Not mine',
      quantity: 1,
      priceMinor: 1,
      soldAt: new Date(base),
      buyerCity: null,
    });
  }
  const get = (qs: string) =>
    request(app)
      .get(`/api/sales?${qs}`)
      .set('Cookie', signinCookie({ id: seller }));
  const key = (s: { orderId: string; productId: string }) => `${s.orderId}:${s.productId}`;

  it('property: any page size, filter and range pages through every matching line once, newest first', async () => {
    await seed();
    const all = await models.SaleLine.find({ sellerId: seller }).lean();
    expect(all).toHaveLength(18);
    const statuses = ['paid', 'cancelled', 'partially_returned', 'returned'] as const;
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 20 }),
        fc.option(fc.constantFrom(...statuses), { nil: undefined }),
        fc.option(fc.integer({ min: 0, max: 4 }), { nil: undefined }),
        fc.option(fc.integer({ min: 0, max: 4 }), { nil: undefined }),
        async (limit, status, fromDay, toSpan) => {
          const from = fromDay === undefined ? undefined : new Date(base + fromDay * DAY).toISOString().slice(0, 10);
          const to = toSpan === undefined ? undefined : new Date(base + ((fromDay ?? 0) + toSpan) * DAY).toISOString().slice(0, 10);
          const qs = [status && `status=${status}`, from && `from=${from}`, to && `to=${to}`].filter(Boolean).join('&');
          const seen: { orderId: string; productId: string; soldAt: string; status: string }[] = [];
          let cursor: string | null = null;
          for (let pages = 0; pages < 40; pages++) {
            const res: request.Response = await get(`limit=${limit}&${qs}${cursor ? `&cursor=${cursor}` : ''}`).expect(200);
            expect(res.body.sales.length).toBeLessThanOrEqual(limit);
            seen.push(...res.body.sales);
            cursor = res.body.nextCursor;
            if (!cursor) break;
          }
          const expected = all
            .filter((l) => !from || l.soldAt.toISOString().slice(0, 10) >= from)
            .filter((l) => !to || l.soldAt.toISOString().slice(0, 10) <= to)
            .filter((l) => {
              if (!status) return true;
              const s =
                l.shipmentStatus === 'cancelled'
                  ? 'cancelled'
                  : l.returnedQuantity > 0
                    ? l.keptQuantity > 0
                      ? 'partially_returned'
                      : 'returned'
                    : 'paid';
              return s === status;
            })
            .sort((a, b) => b.soldAt.getTime() - a.soldAt.getTime() || (a._id < b._id ? 1 : -1))
            .map((l) => l._id);
          expect(seen.map(key)).toEqual(expected);
          if (status) for (const s of seen) expect(s.status).toBe(status);
        },
      ),
      { numRuns: 25, seed: 1018 },
    );
  });

  it('400 for bad filters, limits and cursors; 401 signed out', async () => {
    await request(app).get('/api/sales').expect(401);
    await request(app).get('/api/sales/dashboard').expect(401);
    const cases: [string, string][] = [
      ['from=2026-02-30', 'from'],
      ['to=26-01-01', 'to'],
      ['from=2026-01-05&to=2026-01-04', 'from'],
      ['status=shipped', 'status'],
      ['limit=0', 'limit'],
      ['limit=101', 'limit'],
      ['format=xml', 'format'],
      ['cursor=abc', 'cursor'],
    ];
    for (const [qs, field] of cases) {
      const res = await get(qs).expect(400);
      expect(res.body.errors.length).toBeGreaterThan(0);
      for (const e of res.body.errors) expect(e).toEqual({ field, message: expect.any(String) });
    }
    for (const qs of ['days=0', 'days=367', 'days=x', 'days=1.5']) {
      const res = await request(app)
        .get(`/api/sales/dashboard?${qs}`)
        .set('Cookie', signinCookie({ id: seller }))
        .expect(400);
      expect(res.body.errors[0].field).toBe('days');
    }
  });
});
