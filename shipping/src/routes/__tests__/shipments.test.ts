import request from 'supertest';
import { signinCookie, useTestDatabase } from '@jetmart/common/testing';
import { createShipmentsForOrder } from '../../fulfilment';
import { ADDRESS, oid, orderCompleted, seedShipment, testApp, testModels } from '../../__tests__/support/fixtures';

useTestDatabase({ prefix: 'shipping_routes' });
const models = testModels();
const { Shipment } = models;
const DAY_MS = 24 * 3600 * 1000;
const app = testApp({ autoDeliverAfterMs: 3 * DAY_MS, returnWindowMs: 10 * DAY_MS });

const as = (userId: string) => signinCookie({ id: userId });
const ship = (id: string, userId: string | undefined, body: unknown = { carrier: 'DHL', trackingNumber: 'JD0001' }) => {
  const r = request(app).post(`/api/shipments/${id}/ship`);
  return (userId ? r.set('Cookie', as(userId)) : r).send(body as object);
};
const deliver = (id: string, userId: string | undefined) => {
  const r = request(app).post(`/api/shipments/${id}/deliver`);
  return userId ? r.set('Cookie', as(userId)) : r;
};
const cancel = (id: string, userId: string | undefined) => {
  const r = request(app).post(`/api/shipments/${id}/cancel`);
  return userId ? r.set('Cookie', as(userId)) : r;
};
const stored = async (id: string) => (await Shipment.findById(id).lean())!;
const events = async (id: string) => (await stored(id)).outbox.map((e) => [e.subject, (e.event.data as { version?: number }).version]);

describe('GET /api/shipments', () => {
  it("200: the caller's shipments as seller, oldest first; ?status=pending is the to-ship list", async () => {
    const seller = oid();
    const [first, second, third] = [orderCompleted([seller]), orderCompleted([seller, oid()]), orderCompleted([oid()])];
    for (const o of [first, second, third]) await createShipmentsForOrder(models, o);
    const firstShipment = (await Shipment.findOne({ orderId: first.id }))!;
    expect((await ship(firstShipment.id, seller)).status).toBe(200);

    const all = await request(app).get('/api/shipments').set('Cookie', as(seller));
    expect(all.status).toBe(200);
    expect(all.body.map((s: { orderId: string }) => s.orderId)).toEqual([first.id, second.id]);
    expect(all.body[1]).toEqual({
      id: expect.any(String),
      orderId: second.id,
      sellerId: seller,
      buyerId: second.userId,
      status: 'pending',
      items: [{ productId: second.items[0].productId, title: 'Item 0', price: 10, quantity: 1 }],
      shippingAddress: ADDRESS,
      createdAt: expect.any(String),
      version: 0,
    });
    const toShip = await request(app).get('/api/shipments?status=pending').set('Cookie', as(seller));
    expect(toShip.body.map((s: { orderId: string }) => s.orderId)).toEqual([second.id]);
    const shipped = await request(app).get('/api/shipments?status=shipped').set('Cookie', as(seller));
    expect(shipped.body.map((s: { orderId: string }) => s.orderId)).toEqual([first.id]);
  });

  it("200 with ?orderId=: every part for the order's buyer, only their own part for a seller, nothing for anyone else", async () => {
    const [a, b] = [oid(), oid()];
    const order = orderCompleted([a, b, a]);
    await createShipmentsForOrder(models, order);
    const forBuyer = await request(app).get(`/api/shipments?orderId=${order.id}`).set('Cookie', as(order.userId));
    expect(forBuyer.status).toBe(200);
    expect(forBuyer.body.map((s: { sellerId: string }) => s.sellerId).sort()).toEqual([a, b].sort());
    const forA = await request(app).get(`/api/shipments?orderId=${order.id}`).set('Cookie', as(a));
    expect(forA.body).toHaveLength(1);
    expect(forA.body[0]).toMatchObject({ sellerId: a, items: [{ quantity: 1 }, { quantity: 3 }] });
    const forStranger = await request(app).get(`/api/shipments?orderId=${order.id}`).set('Cookie', as(oid()));
    expect(forStranger.body).toEqual([]);
  });

  it.each([
    ['?status=lost', 'status'],
    ['?orderId=nope', 'orderId'],
    ['?status=pending&status=shipped', 'status'],
    [`?orderId[$ne]=x&orderId=${'a'.repeat(25)}`, 'orderId'],
  ])('400 for %s naming %s', async (qs, field) => {
    const res = await request(app).get(`/api/shipments${qs}`).set('Cookie', as(oid()));
    expect(res.status).toBe(400);
    expect(res.body.errors.map((e: { field?: string }) => e.field)).toEqual([field]);
  });

  it('401 when not signed in', async () => {
    const res = await request(app).get('/api/shipments');
    expect(res.status).toBe(401);
    expect(res.body.errors[0].message).toBeDefined();
  });
});

describe('GET /api/shipments/:id', () => {
  it('200 for its seller and its buyer, 404 for anyone else and for ids that are no shipment, 401 signed out', async () => {
    const s = await seedShipment();
    for (const who of [s.sellerId, s.buyerId]) {
      const res = await request(app).get(`/api/shipments/${s.id}`).set('Cookie', as(who));
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ id: s.id, status: 'pending', version: 0 });
    }
    for (const id of [s.id, oid(), 'nope']) {
      const res = await request(app).get(`/api/shipments/${id}`).set('Cookie', as(oid()));
      expect(res.status).toBe(404);
      expect(res.body.errors[0].message).toBe('Shipment not found');
    }
    expect((await request(app).get(`/api/shipments/${s.id}`)).status).toBe(401);
  });
});

describe('POST /api/shipments/:id/ship', () => {
  it('200: the seller ships it; shipment.shipped at version 1 with autoDeliverAt = shippedAt + the configured delay', async () => {
    const s = await seedShipment();
    const res = await ship(s.id, s.sellerId, { carrier: ' DHL ', trackingNumber: 'JD0001' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      status: 'shipped',
      carrier: 'DHL',
      trackingNumber: 'JD0001',
      shippedAt: expect.any(String),
      version: 1,
    });
    const doc = await stored(s.id);
    expect(doc.autoDeliverAt!.getTime() - doc.shippedAt!.getTime()).toBe(3 * DAY_MS);
    const shipped = doc.outbox[1].event;
    expect(shipped).toMatchObject({
      subject: 'shipment.shipped',
      data: {
        id: s.id,
        orderId: s.orderId,
        sellerId: s.sellerId,
        buyerId: s.buyerId,
        carrier: 'DHL',
        trackingNumber: 'JD0001',
        version: 1,
      },
    });
    expect(shipped.data).toMatchObject({ shippedAt: doc.shippedAt!.toISOString(), autoDeliverAt: doc.autoDeliverAt!.toISOString() });
  });

  it('200 again for the same carrier and tracking number (no second event); 409 for different ones', async () => {
    const s = await seedShipment();
    expect((await ship(s.id, s.sellerId)).status).toBe(200);
    const again = await ship(s.id, s.sellerId);
    expect(again.status).toBe(200);
    expect(again.body.version).toBe(1);
    for (const body of [
      { carrier: 'UPS', trackingNumber: 'JD0001' },
      { carrier: 'DHL', trackingNumber: 'JD0002' },
    ]) {
      const res = await ship(s.id, s.sellerId, body);
      expect(res.status).toBe(409);
      expect(res.body.errors[0].message).toMatch(/another carrier or tracking number/);
    }
    expect(await events(s.id)).toEqual([
      ['shipment.created', 0],
      ['shipment.shipped', 1],
    ]);
    expect(await stored(s.id)).toMatchObject({ carrier: 'DHL', trackingNumber: 'JD0001', version: 1 });
  });

  it('after delivery: 200 for the same values, 409 for others', async () => {
    const s = await seedShipment();
    await ship(s.id, s.sellerId);
    expect((await deliver(s.id, s.buyerId)).status).toBe(200);
    const same = await ship(s.id, s.sellerId);
    expect(same.status).toBe(200);
    expect(same.body).toMatchObject({ status: 'delivered', version: 2 });
    const other = await ship(s.id, s.sellerId, { carrier: 'UPS', trackingNumber: 'X' });
    expect(other.status).toBe(409);
    expect(other.body.errors[0].message).toMatch(/delivered/);
  });

  it.each([
    [{}, ['carrier', 'trackingNumber']],
    [{ carrier: 'DHL' }, ['trackingNumber']],
    [{ carrier: '   ', trackingNumber: 'x' }, ['carrier']],
    [{ carrier: 'x'.repeat(61), trackingNumber: 'x' }, ['carrier']],
    [{ carrier: 'DHL', trackingNumber: 'x'.repeat(81) }, ['trackingNumber']],
    [{ carrier: { $gt: '' }, trackingNumber: 42 }, ['carrier', 'trackingNumber']],
  ])('400 for body %j naming %j, nothing changed', async (body, fields) => {
    const s = await seedShipment();
    const res = await ship(s.id, s.sellerId, body);
    expect(res.status).toBe(400);
    expect(res.body.errors.map((e: { field?: string }) => e.field).sort()).toEqual(fields);
    expect(await stored(s.id)).toMatchObject({ status: 'pending', version: 0 });
  });

  it('404 for its buyer, anyone else, an unknown id and a malformed one; 401 signed out; nothing changed', async () => {
    const s = await seedShipment();
    for (const [id, who] of [
      [s.id, s.buyerId],
      [s.id, oid()],
      [oid(), s.sellerId],
      ['x', s.sellerId],
    ]) {
      const res = await ship(id, who);
      expect({ id, status: res.status }).toEqual({ id, status: 404 });
    }
    expect((await ship(s.id, undefined)).status).toBe(401);
    expect(await stored(s.id)).toMatchObject({ status: 'pending', version: 0 });
  });
});

describe('POST /api/shipments/:id/deliver', () => {
  it('409 before it is shipped, nothing changed', async () => {
    const s = await seedShipment();
    const res = await deliver(s.id, s.buyerId);
    expect(res.status).toBe(409);
    expect(res.body.errors[0].message).toMatch(/not been shipped/);
    expect(await stored(s.id)).toMatchObject({ status: 'pending', version: 0 });
  });

  it('200 for the buyer: delivered at version 2 by the buyer with shipment.delivered; 200 again for either side, no second event', async () => {
    const s = await seedShipment();
    await ship(s.id, s.sellerId);
    const res = await deliver(s.id, s.buyerId);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'delivered', deliveredBy: 'buyer', deliveredAt: expect.any(String), version: 2 });
    for (const who of [s.buyerId, s.sellerId]) {
      const again = await deliver(s.id, who);
      expect(again.status).toBe(200);
      expect(again.body).toMatchObject({ deliveredBy: 'buyer', version: 2 });
    }
    expect(await events(s.id)).toEqual([
      ['shipment.created', 0],
      ['shipment.shipped', 1],
      ['shipment.delivered', 2],
    ]);
    expect((await stored(s.id)).outbox[2].event.data).toMatchObject({ by: 'buyer', deliveredAt: res.body.deliveredAt });
    // The delivered lines (products lets the buyer review them), as the shipment holds them.
    expect(s.items.length).toBeGreaterThan(0);
    expect(((await stored(s.id)).outbox[2].event.data as { items?: unknown }).items).toEqual(
      s.items.map((l) => ({ productId: l.productId, quantity: l.quantity })),
    );
  });

  it('sets returnableUntil = deliveredAt + the return window, stored, shown and carried in shipment.delivered', async () => {
    const s = await seedShipment();
    await ship(s.id, s.sellerId);
    expect((await request(app).get(`/api/shipments/${s.id}`).set('Cookie', as(s.buyerId))).body.returnableUntil).toBeUndefined();
    const res = await deliver(s.id, s.sellerId);
    expect(res.status).toBe(200);
    const until = new Date(res.body.deliveredAt).getTime() + 10 * DAY_MS;
    expect(res.body.returnableUntil).toBe(new Date(until).toISOString());
    const doc = await stored(s.id);
    expect(doc.returnableUntil!.getTime()).toBe(until);
    expect(doc.outbox[2].event.data).toMatchObject({ returnableUntil: res.body.returnableUntil, version: 2 });
    // A repeat confirmation does not move the window.
    expect((await deliver(s.id, s.buyerId)).body.returnableUntil).toBe(res.body.returnableUntil);
  });

  it('200 for the seller (deliveredBy seller)', async () => {
    const s = await seedShipment();
    await ship(s.id, s.sellerId);
    const res = await deliver(s.id, s.sellerId);
    expect(res.status).toBe(200);
    expect(res.body.deliveredBy).toBe('seller');
  });

  it('404 for anyone else, unknown and malformed ids; 401 signed out', async () => {
    const s = await seedShipment();
    await ship(s.id, s.sellerId);
    for (const [id, who] of [
      [s.id, oid()],
      [oid(), s.buyerId],
      ['..', s.buyerId],
    ]) {
      expect((await deliver(id, who)).status).toBe(404);
    }
    expect((await deliver(s.id, undefined)).status).toBe(401);
    expect(await stored(s.id)).toMatchObject({ status: 'shipped', version: 1 });
  });
});

describe('POST /api/shipments/:id/cancel', () => {
  it('200 for the buyer: cancelled at version 1 with shipment.cancelled (lines with prices, their sum); 200 again, no second event', async () => {
    const order = orderCompleted([oid(), oid()]);
    const seller = order.items[0].sellerId!;
    // Two lines of one seller: 2 × 10.00 and 3 × 4.99.
    order.items = [
      { productId: oid(), quantity: 2, sellerId: seller, title: 'Lamp', priceMinor: 1000 },
      { productId: oid(), quantity: 3, sellerId: seller, title: 'Bulb', priceMinor: 499 },
      order.items[1],
    ];
    await createShipmentsForOrder(models, order);
    const s = (await Shipment.findOne({ orderId: order.id, sellerId: seller }))!;
    const res = await cancel(s.id, order.userId);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: s.id, status: 'cancelled', cancelledAt: expect.any(String), version: 1 });
    expect(res.body.shippedAt).toBeUndefined();
    const again = await cancel(s.id, order.userId);
    expect(again.status).toBe(200);
    expect(again.body).toEqual(res.body);
    expect(await events(s.id)).toEqual([
      ['shipment.created', 0],
      ['shipment.cancelled', 1],
    ]);
    expect((await stored(s.id)).outbox[1].event.data).toEqual({
      id: s.id,
      orderId: order.id,
      sellerId: seller,
      buyerId: order.userId,
      items: [
        { productId: order.items[0].productId, quantity: 2, priceMinor: 1000 },
        { productId: order.items[1].productId, quantity: 3, priceMinor: 499 },
      ],
      amountMinor: 2 * 1000 + 3 * 499,
      cancelledAt: res.body.cancelledAt,
      reason: 'buyer',
      version: 1,
    });
    // The other seller's part of the order is untouched.
    expect(await Shipment.findOne({ orderId: order.id, sellerId: { $ne: seller } }).lean()).toMatchObject({
      status: 'pending',
      version: 0,
    });
  });

  it('a cancelled part cannot be shipped or delivered afterwards (409), nothing changed', async () => {
    const s = await seedShipment();
    await cancel(s.id, s.buyerId);
    const shipped = await ship(s.id, s.sellerId);
    expect(shipped.status).toBe(409);
    expect(shipped.body.errors[0].message).toMatch(/cancelled/);
    expect((await deliver(s.id, s.buyerId)).status).toBe(409);
    expect(await stored(s.id)).toMatchObject({ status: 'cancelled', version: 1 });
  });

  it('409 once shipped or delivered, saying it can be returned after delivery; nothing changed', async () => {
    const s = await seedShipment();
    await ship(s.id, s.sellerId);
    const onTheWay = await cancel(s.id, s.buyerId);
    expect(onTheWay.status).toBe(409);
    expect(onTheWay.body).toEqual({ errors: [{ message: 'This part has already shipped; it can be returned after delivery' }] });
    expect(await stored(s.id)).toMatchObject({ status: 'shipped', version: 1 });
    await deliver(s.id, s.buyerId);
    const arrived = await cancel(s.id, s.buyerId);
    expect(arrived.status).toBe(409);
    expect(arrived.body.errors[0].message).toMatch(/returned after delivery/);
    expect(await events(s.id)).toEqual([
      ['shipment.created', 0],
      ['shipment.shipped', 1],
      ['shipment.delivered', 2],
    ]);
  });

  it('404 for its seller, anyone else, an unknown id and a malformed one; 401 signed out; nothing changed', async () => {
    const s = await seedShipment();
    for (const [id, who] of [
      [s.id, s.sellerId],
      [s.id, oid()],
      [oid(), s.buyerId],
      ['..', s.buyerId],
      ['%24ne', s.buyerId],
    ]) {
      const res = await cancel(id, who);
      expect({ id, who, status: res.status }).toEqual({ id, who, status: 404 });
    }
    expect((await cancel(s.id, undefined)).status).toBe(401);
    expect(await stored(s.id)).toMatchObject({ status: 'pending', version: 0, outbox: [expect.anything()] });
  });
});
