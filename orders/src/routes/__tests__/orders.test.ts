import request from 'supertest';
import { signinCookie, useTestDatabase } from '@jetmart/common/testing';
import { newId, seedProduct, syncIndexes, testApp } from '../../__tests__/helpers';

const { connection } = useTestDatabase();
const { app, models } = testApp(connection);
beforeAll(() => syncIndexes(models));

const buyer = { id: newId() };
const other = { id: newId() };

const post = (body: unknown, user = buyer) => request(app).post('/api/orders').set('Cookie', signinCookie(user)).send(body as object);
const replica = (id: string) => models.ProductReplica.findById(id).lean();

describe('POST /api/orders', () => {
  it('401 when not signed in', async () => {
    const p = await seedProduct(models);
    await request(app).post('/api/orders').send({ items: [{ productId: p.id, quantity: 1 }] }).expect(401);
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
    ['items.1.productId', { items: [{ productId: 'x', quantity: 1 }, { productId: 'x', quantity: 2 }] }],
  ])('400 naming %s for %j', async (field, body) => {
    const res = await post(body).expect(400);
    expect(res.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ field, message: expect.any(String) })]));
    expect(await models.Order.countDocuments()).toBe(0);
  });

  it('404 for an unknown product, nothing held', async () => {
    const p = await seedProduct(models, { quantity: 3 });
    const res = await post({ items: [{ productId: p.id, quantity: 1 }, { productId: newId(), quantity: 1 }] }).expect(404);
    expect(res.body.errors[0].message).toMatch(/not found/i);
    expect((await replica(p.id))!.available).toBe(3);
  });

  it("400 for buying one's own product", async () => {
    const p = await seedProduct(models, { userId: buyer.id });
    const res = await post({ items: [{ productId: p.id, quantity: 1 }] }).expect(400);
    expect(res.body.errors[0]).toMatchObject({ field: 'items.0.productId' });
    expect((await replica(p.id))!).toMatchObject({ available: 10, holds: [] });
  });

  it('201 holds every line, totals in minor units, queues order.created at version 0', async () => {
    const a = await seedProduct(models, { title: 'Lamp', priceMinor: 10, quantity: 5 });
    const b = await seedProduct(models, { title: 'Chair', priceMinor: 20, quantity: 5 });
    const before = Date.now();
    const res = await post({ items: [{ productId: a.id, quantity: 3 }, { productId: b.id, quantity: 1 }] }).expect(201);
    expect(res.body).toEqual({
      id: expect.any(String),
      userId: buyer.id,
      status: 'created',
      items: [
        { productId: a.id, title: 'Lamp', price: 0.1, quantity: 3 },
        { productId: b.id, title: 'Chair', price: 0.2, quantity: 1 },
      ],
      total: 0.5,
      expiresAt: expect.any(String),
      createdAt: expect.any(String),
      version: 0,
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
        data: expect.objectContaining({ id: res.body.id, status: 'created', totalMinor: 50, version: 0, expiresAt: res.body.expiresAt }),
      }),
    ]);
  });

  it('409 when a line is short: no order is shown and nothing is held', async () => {
    const a = await seedProduct(models, { quantity: 5 });
    const b = await seedProduct(models, { quantity: 1 });
    const res = await post({ items: [{ productId: a.id, quantity: 2 }, { productId: b.id, quantity: 2 }] }).expect(409);
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
    await models.Order.create({ userId: buyer.id, status: 'pending', items: [{ productId: p.id, title: 'x', priceMinor: 1, quantity: 1 }], totalMinor: 1, expiresAt: new Date() });
    await request(app).get('/api/orders').expect(401);
    const res = await request(app).get('/api/orders').set('Cookie', signinCookie(buyer)).expect(200);
    expect(res.body.map((o: { id: string }) => o.id)).toEqual([o2.id, o1.id]);
  });

  it("200 for one's own order; 404 for another user's, unknown or malformed ids; 401 signed out", async () => {
    const p = await seedProduct(models);
    const mine = (await post({ items: [{ productId: p.id, quantity: 1 }] }).expect(201)).body;
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
    expect(stored!.outbox.map((e) => [e.subject, e.event.data.version])).toEqual([
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
    expect((await models.Order.findById(order.id).lean())!.status).toBe('complete');
    expect((await replica(p.id))!.available).toBe(0);
  });
});
