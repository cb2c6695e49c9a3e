import request from 'supertest';
import { verifyOrderTicket, type EventData, type Subjects } from '@jetmart/common';
import { ADDRESS_LIMITS } from '@jetmart/common/contracts';
import { signinCookie, useTestDatabase } from '@jetmart/common/testing';
import { completeOrder } from '../../lifecycle';
import type { ShipmentReplicaStatus } from '../../models';
import { jwtKey, newId, placed, seedProduct, syncIndexes, testAddress, testApp } from '../../__tests__/helpers';

const { connection } = useTestDatabase();
const { app, models } = testApp(connection);
beforeAll(() => syncIndexes(models));

const buyer = { id: newId() };
const other = { id: newId() };

/** Posts an order with a valid shipping address unless `body` says otherwise. */
const post = (body: object, user = buyer) =>
  request(app)
    .post('/api/orders')
    .set('Cookie', signinCookie(user))
    .send({ shippingAddress: testAddress(), ...body });
const replica = (id: string) => models.ProductReplica.findById(id).lean();

describe('POST /api/orders', () => {
  it('401 when not signed in', async () => {
    const p = await seedProduct(models);
    await request(app)
      .post('/api/orders')
      .send({ items: [{ productId: p.id, quantity: 1 }], shippingAddress: testAddress() })
      .expect(401);
    expect(await models.Order.countDocuments()).toBe(0);
  });

  it.each([
    ['items', {}],
    ['items', { items: [] }],
    ['items', { items: 'lamp' }],
    ['items', { items: Array.from({ length: 51 }, () => ({ productId: newId(), quantity: 1 })) }],
    ['items.0.productId', { items: [{ quantity: 1 }] }],
    ['items.0.productId', { items: [{ productId: 5, quantity: 1 }] }],
    ['items.0.quantity', { items: [{ productId: 'x', quantity: 0 }] }],
    ['items.0.quantity', { items: [{ productId: 'x', quantity: 101 }] }],
    ['items.0.quantity', { items: [{ productId: 'x', quantity: 1.5 }] }],
    ['items.0.quantity', { items: [{ productId: 'x' }] }],
    [
      'items.1.productId',
      {
        items: [
          { productId: 'x', quantity: 1 },
          { productId: 'x', quantity: 2 },
        ],
      },
    ],
    ['shippingAddress', { items: [{ productId: 'x', quantity: 1 }], shippingAddress: undefined }],
    ['shippingAddress', { items: [{ productId: 'x', quantity: 1 }], shippingAddress: 'Berlin' }],
    ['shippingAddress', { items: [{ productId: 'x', quantity: 1 }], shippingAddress: [testAddress()] }],
    ['shippingAddress.country', { items: [{ productId: 'x', quantity: 1 }], shippingAddress: testAddress({ country: 'XX' }) }],
    ['shippingAddress.country', { items: [{ productId: 'x', quantity: 1 }], shippingAddress: testAddress({ country: 'de' }) }],
    ['shippingAddress.country', { items: [{ productId: 'x', quantity: 1 }], shippingAddress: { ...testAddress(), country: undefined } }],
    ['shippingAddress.name', { items: [{ productId: 'x', quantity: 1 }], shippingAddress: testAddress({ name: '' }) }],
    [
      'shippingAddress.name',
      { items: [{ productId: 'x', quantity: 1 }], shippingAddress: testAddress({ name: 'n'.repeat(ADDRESS_LIMITS.name + 1) }) },
    ],
    ['shippingAddress.line1', { items: [{ productId: 'x', quantity: 1 }], shippingAddress: { ...testAddress(), line1: undefined } }],
    [
      'shippingAddress.line2',
      { items: [{ productId: 'x', quantity: 1 }], shippingAddress: testAddress({ line2: 'l'.repeat(ADDRESS_LIMITS.line2 + 1) }) },
    ],
    ['shippingAddress.city', { items: [{ productId: 'x', quantity: 1 }], shippingAddress: { ...testAddress(), city: 5 } }],
    ['shippingAddress.postalCode', { items: [{ productId: 'x', quantity: 1 }], shippingAddress: testAddress({ postalCode: '' }) }],
    ['shippingAddress.phone', { items: [{ productId: 'x', quantity: 1 }], shippingAddress: { ...testAddress(), phone: { $ne: null } } }],
  ])('400 naming %s for %j', async (field, body) => {
    const res = await post(body).expect(400);
    expect(res.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ field, message: expect.any(String) })]));
    expect(await models.Order.countDocuments()).toBe(0);
  });

  it('404 for an unknown product, nothing held', async () => {
    const p = await seedProduct(models, { quantity: 3 });
    const res = await post({
      items: [
        { productId: p.id, quantity: 1 },
        { productId: newId(), quantity: 1 },
      ],
    }).expect(404);
    expect(res.body.errors[0].message).toMatch(/not found/i);
    expect((await replica(p.id))!.available).toBe(3);
  });

  it("400 for buying one's own product", async () => {
    const p = await seedProduct(models, { userId: buyer.id });
    const res = await post({ items: [{ productId: p.id, quantity: 1 }] }).expect(400);
    expect(res.body.errors[0]).toMatchObject({ field: 'items.0.productId' });
    expect((await replica(p.id))!).toMatchObject({ available: 10, holds: [] });
  });

  it('201 holds every line, totals in minor units, keeps the address and sellers, queues order.created at version 0', async () => {
    const a = await seedProduct(models, { title: 'Lamp', priceMinor: 10, quantity: 5 });
    const b = await seedProduct(models, { title: 'Chair', priceMinor: 20, quantity: 5 });
    // Only the required fields: the optional ones stay absent rather than becoming empty.
    const shippingAddress = { name: 'Grace Hopper', line1: '1 Harbour St', city: 'Arlington', postalCode: '22201', country: 'US' };
    const before = Date.now();
    const res = await post({
      items: [
        { productId: a.id, quantity: 3 },
        { productId: b.id, quantity: 1 },
      ],
      shippingAddress,
    }).expect(201);
    expect(res.body).toEqual({
      id: expect.any(String),
      userId: buyer.id,
      status: 'created',
      items: [
        { productId: a.id, sellerId: a.userId, title: 'Lamp', price: 0.1, quantity: 3 },
        { productId: b.id, sellerId: b.userId, title: 'Chair', price: 0.2, quantity: 1 },
      ],
      total: 0.5,
      expiresAt: expect.any(String),
      createdAt: expect.any(String),
      shippingAddress,
      fulfillment: 'unfulfilled',
      payment: 'unpaid',
      refunded: 0,
      version: 0,
      orderTicket: expect.any(String),
    });
    const createdAt = Date.parse(res.body.createdAt);
    expect(createdAt).toBeGreaterThanOrEqual(before);
    expect(createdAt).toBeLessThanOrEqual(Date.now());
    const expiresIn = Date.parse(res.body.expiresAt) - before;
    expect(expiresIn).toBeGreaterThanOrEqual(900_000);
    expect(expiresIn).toBeLessThan(910_000);
    expect(await replica(a.id)).toMatchObject({ available: 2, holds: [{ orderId: res.body.id, quantity: 3 }] });
    expect(await replica(b.id)).toMatchObject({ available: 4, holds: [{ orderId: res.body.id, quantity: 1 }] });
    const stored = await models.Order.findById(res.body.id).lean();
    expect(stored!.outbox.map((e) => e.event)).toEqual([
      expect.objectContaining({
        subject: 'order.created',
        data: expect.objectContaining({
          id: res.body.id,
          status: 'created',
          totalMinor: 50,
          version: 0,
          expiresAt: res.body.expiresAt,
          shippingAddress,
        }),
      }),
    ]);
    expect((stored!.outbox[0].event.data as { items: unknown }).items).toEqual([
      { productId: a.id, sellerId: a.userId, quantity: 3, title: 'Lamp', priceMinor: 10 },
      { productId: b.id, sellerId: b.userId, quantity: 1, title: 'Chair', priceMinor: 20 },
    ]);
  });

  it('its orderTicket is signed with the shared key and states what order.created tells payments (version 0); GET answers carry none', async () => {
    const a = await seedProduct(models, { priceMinor: 10, quantity: 5 });
    const b = await seedProduct(models, { priceMinor: 25, quantity: 5 });
    const res = await post({
      items: [
        { productId: a.id, quantity: 2 },
        { productId: b.id, quantity: 1 },
      ],
    }).expect(201);
    const check = verifyOrderTicket(res.body.orderTicket, jwtKey());
    expect(check).toEqual({ ok: true, expired: false, claims: expect.any(Object) });
    const { data } = (await models.Order.findById(res.body.id).lean())!.outbox[0].event as {
      data: EventData<typeof Subjects.OrderCreated>;
    };
    expect(check.ok && check.claims).toEqual({
      orderId: data.id,
      userId: data.userId,
      totalMinor: data.totalMinor,
      expiresAt: data.expiresAt,
      items: data.items.map(({ productId, sellerId, priceMinor, quantity }) => ({ productId, sellerId, priceMinor, quantity })),
      version: data.version,
    });
    expect(verifyOrderTicket(res.body.orderTicket, 'another-key')).toMatchObject({ ok: false });
    const got = await request(app).get(`/api/orders/${res.body.id}`).set('Cookie', signinCookie(buyer)).expect(200);
    expect(got.body).not.toHaveProperty('orderTicket');
  });

  it('stores the address exactly as sent (unicode, an empty line2) as a snapshot', async () => {
    const p = await seedProduct(models);
    const shippingAddress = testAddress({ name: 'Zoë Ünal 💥', line1: 'Straße 1\u202e', line2: '', city: '東京', country: 'JP' });
    const res = await post({ items: [{ productId: p.id, quantity: 1 }], shippingAddress }).expect(201);
    expect(res.body.shippingAddress).toEqual(shippingAddress);
    expect(
      (await request(app).get(`/api/orders/${res.body.id}`).set('Cookie', signinCookie(buyer)).expect(200)).body.shippingAddress,
    ).toEqual(shippingAddress);
  });

  it('409 when a line is short: no order is shown and nothing is held', async () => {
    const a = await seedProduct(models, { quantity: 5 });
    const b = await seedProduct(models, { quantity: 1 });
    const res = await post({
      items: [
        { productId: a.id, quantity: 2 },
        { productId: b.id, quantity: 2 },
      ],
    }).expect(409);
    expect(res.body.errors[0]).toMatchObject({ field: 'items.1.quantity', message: expect.stringMatching(/not enough/i) });
    expect(await replica(a.id)).toMatchObject({ available: 5, holds: [] });
    expect(await replica(b.id)).toMatchObject({ available: 1, holds: [] });
    expect((await request(app).get('/api/orders').set('Cookie', signinCookie(buyer)).expect(200)).body).toEqual([]);
  });
});

describe('GET /api/orders and /api/orders/:id', () => {
  it("lists only the caller's visible orders, newest first", async () => {
    const p = await seedProduct(models);
    const o1 = (await post({ items: [{ productId: p.id, quantity: 1 }] }).expect(201)).body;
    const o2 = (await post({ items: [{ productId: p.id, quantity: 2 }] }).expect(201)).body;
    await post({ items: [{ productId: p.id, quantity: 1 }] }, other).expect(201);
    await models.Order.create({
      userId: buyer.id,
      status: 'pending',
      items: [{ productId: p.id, title: 'x', priceMinor: 1, quantity: 1 }],
      totalMinor: 1,
      expiresAt: new Date(),
    });
    await request(app).get('/api/orders').expect(401);
    const res = await request(app).get('/api/orders').set('Cookie', signinCookie(buyer)).expect(200);
    expect(res.body.map((o: { id: string }) => o.id)).toEqual([o2.id, o1.id]);
  });

  it("200 for one's own order; 404 for another user's, unknown or malformed ids; 401 signed out", async () => {
    const p = await seedProduct(models);
    // The placed answer is the order and its ticket; reading it again gives the order alone.
    const { orderTicket, ...mine } = (await post({ items: [{ productId: p.id, quantity: 1 }] }).expect(201)).body;
    expect(orderTicket).toEqual(expect.any(String));
    expect((await request(app).get(`/api/orders/${mine.id}`).set('Cookie', signinCookie(buyer)).expect(200)).body).toEqual(mine);
    await request(app).get(`/api/orders/${mine.id}`).set('Cookie', signinCookie(other)).expect(404);
    await request(app).get(`/api/orders/${newId()}`).set('Cookie', signinCookie(buyer)).expect(404);
    await request(app).get('/api/orders/abc').set('Cookie', signinCookie(buyer)).expect(404);
    await request(app).get(`/api/orders/${mine.id}`).expect(401);
  });
});

describe('DELETE /api/orders/:id', () => {
  const cancel = (id: string, user = buyer) => request(app).delete(`/api/orders/${id}`).set('Cookie', signinCookie(user));

  it('200 cancels, releases the units and queues order.cancelled; again → 200 with nothing more', async () => {
    const p = await seedProduct(models, { quantity: 4 });
    const order = (await post({ items: [{ productId: p.id, quantity: 3 }] }).expect(201)).body;
    const res = await cancel(order.id).expect(200);
    expect(res.body).toMatchObject({ id: order.id, status: 'cancelled', cancelReason: 'buyer', createdAt: order.createdAt, version: 1 });
    expect(await replica(p.id)).toMatchObject({ available: 4, holds: [] });
    const again = await cancel(order.id).expect(200);
    expect(again.body).toMatchObject({ status: 'cancelled', version: 1 });
    expect((await replica(p.id))!.available).toBe(4);
    const stored = await models.Order.findById(order.id).lean();
    expect(stored!.outbox.map((e) => [e.subject, (e.event.data as { version?: number }).version])).toEqual([
      ['order.created', 0],
      ['order.cancelled', 1],
    ]);
    expect(stored!.outbox[1].event.data).toMatchObject({ reason: 'buyer', items: [{ productId: p.id, quantity: 3 }] });
    expect(stored!.holdAction).toBeNull();
  });

  it('404 for another user, 401 signed out', async () => {
    const p = await seedProduct(models);
    const order = (await post({ items: [{ productId: p.id, quantity: 1 }] }).expect(201)).body;
    await cancel(order.id, other).expect(404);
    await request(app).delete(`/api/orders/${order.id}`).expect(401);
    expect((await models.Order.findById(order.id).lean())!.status).toBe('created');
  });

  it('409 for a complete order, which keeps its sold units', async () => {
    const p = await seedProduct(models, { quantity: 2 });
    const order = (await post({ items: [{ productId: p.id, quantity: 2 }] }).expect(201)).body;
    const doc = (await models.Order.findById(order.id))!;
    doc.complete();
    await doc.save();
    const res = await cancel(order.id).expect(409);
    expect(res.body.errors[0].message).toMatch(/paid/);
    // It names the way: cancel the parts that have not shipped, return delivered goods.
    expect(res.body.errors[0].message).toMatch(/POST \/api\/shipments\/\{id\}\/cancel/);
    expect(res.body.errors[0].message).toMatch(/return/);
    expect((await models.Order.findById(order.id).lean())!.status).toBe('complete');
    expect((await replica(p.id))!.available).toBe(0);
  });
});

describe('seller ids and the address in order events', () => {
  it('order.cancelled lines carry the seller; order.completed lines carry seller, title and price, with the address', async () => {
    const a = await seedProduct(models, { title: 'Lamp', priceMinor: 1999 });
    const b = await seedProduct(models, { title: 'Chair', priceMinor: 500 });
    const shippingAddress = testAddress({ phone: undefined });
    const paid = await placed(
      models,
      buyer.id,
      [
        { productId: a.id, quantity: 2 },
        { productId: b.id, quantity: 1 },
      ],
      900,
      shippingAddress,
    );
    expect((await completeOrder({ models }, paid.id)).kind).toBe('completed');
    const completed = (await models.Order.findById(paid.id).lean())!.outbox[1].event;
    expect(completed).toMatchObject({ subject: 'order.completed', data: { id: paid.id, userId: buyer.id, version: 1 } });
    const data = completed.data as EventData<typeof Subjects.OrderCompleted>;
    expect(data.shippingAddress).toEqual(shippingAddress);
    expect(data.items).toEqual([
      { productId: a.id, sellerId: a.userId, quantity: 2, title: 'Lamp', priceMinor: 1999 },
      { productId: b.id, sellerId: b.userId, quantity: 1, title: 'Chair', priceMinor: 500 },
    ]);

    const order = (await post({ items: [{ productId: a.id, quantity: 1 }] }).expect(201)).body;
    await request(app).delete(`/api/orders/${order.id}`).set('Cookie', signinCookie(buyer)).expect(200);
    const cancelled = (await models.Order.findById(order.id).lean())!.outbox[1].event;
    expect(cancelled).toMatchObject({
      subject: 'order.cancelled',
      data: { items: [{ productId: a.id, sellerId: a.userId, quantity: 1 }] },
    });
  });

  it('an order stored before fulfilment (no sellers, no address) still completes and shows without them', async () => {
    const p = await seedProduct(models);
    const legacy = await models.Order.create({
      userId: buyer.id,
      status: 'created',
      items: [{ productId: p.id, title: 'Lamp', priceMinor: 1999, quantity: 1 }],
      totalMinor: 1999,
      expiresAt: new Date(Date.now() + 60_000),
    });
    expect((await completeOrder({ models }, legacy.id)).kind).toBe('completed');
    const event = (await models.Order.findById(legacy.id).lean())!.outbox[0].event;
    expect(event.data).not.toHaveProperty('shippingAddress');
    expect((event.data as EventData<typeof Subjects.OrderCompleted>).items).toEqual([
      { productId: p.id, quantity: 1, title: 'Lamp', priceMinor: 1999 },
    ]);
    const shown = (await request(app).get(`/api/orders/${legacy.id}`).set('Cookie', signinCookie(buyer)).expect(200)).body;
    expect(shown).not.toHaveProperty('shippingAddress');
    expect(shown.items[0]).not.toHaveProperty('sellerId');
    expect(shown).toMatchObject({ status: 'complete', fulfillment: 'unfulfilled' });
  });
});

describe('fulfillment, derived from the shipment replicas', () => {
  const replica = (orderId: string, sellerId: string, status: ShipmentReplicaStatus) =>
    models.ShipmentReplica.create({
      _id: newId(),
      orderId,
      sellerId,
      status,
      version: { pending: 0, shipped: 1, delivered: 2, cancelled: 1 }[status],
    });
  const get = async (id: string) => (await request(app).get(`/api/orders/${id}`).set('Cookie', signinCookie(buyer)).expect(200)).body;
  const list = async () =>
    (await request(app).get('/api/orders').set('Cookie', signinCookie(buyer)).expect(200)).body as { id: string; fulfillment: string }[];

  /** A paid order with one line from each of two sellers. */
  async function paidOrder() {
    const a = await seedProduct(models);
    const b = await seedProduct(models);
    const order = await placed(models, buyer.id, [
      { productId: a.id, quantity: 1 },
      { productId: b.id, quantity: 1 },
    ]);
    await completeOrder({ models }, order.id);
    return { id: order.id as string, sellerA: a.userId, sellerB: b.userId };
  }

  it('follows each part: unfulfilled → partially_shipped → shipped → partially_delivered → delivered', async () => {
    const o = await paidOrder();
    expect((await get(o.id)).fulfillment).toBe('unfulfilled');
    // Only one part's shipment has reached orders yet: the other counts as pending.
    await replica(o.id, o.sellerA, 'shipped');
    expect((await get(o.id)).fulfillment).toBe('partially_shipped');
    await replica(o.id, o.sellerB, 'shipped');
    expect((await get(o.id)).fulfillment).toBe('shipped');
    await models.ShipmentReplica.updateOne({ orderId: o.id, sellerId: o.sellerB }, { $set: { status: 'delivered', version: 2 } });
    expect((await get(o.id)).fulfillment).toBe('partially_delivered');
    await models.ShipmentReplica.updateOne({ orderId: o.id, sellerId: o.sellerA }, { $set: { status: 'delivered', version: 2 } });
    expect((await get(o.id)).fulfillment).toBe('delivered');
  });

  it("the list shows each order with its own shipments' state", async () => {
    const shipped = await paidOrder();
    const partly = await paidOrder();
    const unpaid = await placed(models, buyer.id, [{ productId: (await seedProduct(models)).id, quantity: 1 }]);
    await replica(shipped.id, shipped.sellerA, 'shipped');
    await replica(shipped.id, shipped.sellerB, 'delivered');
    await replica(partly.id, partly.sellerB, 'delivered');
    // A shipment of another buyer's order never counts towards these.
    await replica(newId(), shipped.sellerA, 'delivered');
    const byId = new Map((await list()).map((o) => [o.id, o.fulfillment]));
    expect(byId.get(shipped.id)).toBe('partially_delivered');
    expect(byId.get(partly.id)).toBe('partially_delivered');
    expect(byId.get(unpaid.id)).toBe('unfulfilled');
    await replica(partly.id, partly.sellerA, 'delivered');
    expect(new Map((await list()).map((o) => [o.id, o.fulfillment])).get(partly.id)).toBe('delivered');
  });

  it('a cancelled order is cancelled', async () => {
    const p = await seedProduct(models);
    const order = (await post({ items: [{ productId: p.id, quantity: 1 }] }).expect(201)).body;
    const res = await request(app).delete(`/api/orders/${order.id}`).set('Cookie', signinCookie(buyer)).expect(200);
    expect(res.body.fulfillment).toBe('cancelled');
    expect((await get(order.id)).fulfillment).toBe('cancelled');
  });
});
