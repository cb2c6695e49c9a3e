/**
 * Every documented response of the orders API, produced by real requests (real database) and
 * checked against src/openapi.ts; then nothing documented is left unproduced.
 */
import request from 'supertest';
import { OpenApiContract, signinCookie, useTestDatabase } from '@jetmart/common/testing';
import { completeOrder } from '../lifecycle';
import { ordersApiDocument } from '../openapi';
import { recordSale } from '../sales';
import { newId, paidOrderWithShipment, seedProduct, syncIndexes, testAddress, testApp } from './helpers';

const { connection } = useTestDatabase({ prefix: 'orders_contract', clearEachTest: false });
const { app, models } = testApp(connection);
const contract = new OpenApiContract(ordersApiDocument);
beforeAll(() => syncIndexes(models));

const buyer = signinCookie({ id: newId() });
const stranger = signinCookie({ id: newId() });
const seller = { id: newId() };

it('POST /api/orders: 201, 400, 401, 404, 409', async () => {
  const product = await seedProduct(models, { quantity: 2, userId: seller.id });
  const post = (body: object, cookie = buyer) =>
    request(app)
      .post('/api/orders')
      .set('Cookie', cookie)
      .send({ shippingAddress: testAddress(), ...body });
  const created = await contract.expect(post({ items: [{ productId: product.id, quantity: 1 }] }), 201);
  expect(created.body).toMatchObject({ status: 'created', total: 19.99, shippingAddress: testAddress(), fulfillment: 'unfulfilled' });
  await contract.expect(post({ items: [] }), 400);
  await contract.expect(post({ items: [{ productId: product.id, quantity: 1 }], shippingAddress: testAddress({ country: 'XX' }) }), 400);
  await contract.expect(post({ items: [{ productId: product.id, quantity: 1 }] }, signinCookie(seller)), 400);
  await contract.expect(
    request(app)
      .post('/api/orders')
      .send({ items: [{ productId: product.id, quantity: 1 }] }),
    401,
  );
  await contract.expect(post({ items: [{ productId: newId(), quantity: 1 }] }), 404);
  await contract.expect(post({ items: [{ productId: product.id, quantity: 2 }] }), 409);
});

it('GET /api/orders and /api/orders/:id: 200, 401, 404', async () => {
  const list = await contract.expect(request(app).get('/api/orders').set('Cookie', buyer), 200);
  expect(list.body).toHaveLength(1);
  await contract.expect(request(app).get('/api/orders'), 401);
  const id = list.body[0].id;
  await contract.expect(request(app).get(`/api/orders/${id}`).set('Cookie', buyer), 200);
  await contract.expect(request(app).get(`/api/orders/${id}`), 401);
  await contract.expect(request(app).get(`/api/orders/${id}`).set('Cookie', stranger), 404);
  await contract.expect(request(app).get('/api/orders/not-an-id').set('Cookie', buyer), 404);
});

it('DELETE /api/orders/:id: 200, 401, 404, 409', async () => {
  const product = await seedProduct(models, { quantity: 5, userId: seller.id });
  const place = async () =>
    (
      await request(app)
        .post('/api/orders')
        .set('Cookie', buyer)
        .send({ items: [{ productId: product.id, quantity: 1 }], shippingAddress: testAddress() })
        .expect(201)
    ).body.id as string;
  const toCancel = await place();
  const cancelled = await contract.expect(request(app).delete(`/api/orders/${toCancel}`).set('Cookie', buyer), 200);
  expect(cancelled.body.status).toBe('cancelled');
  await contract.expect(request(app).delete(`/api/orders/${toCancel}`), 401);
  await contract.expect(request(app).delete(`/api/orders/${toCancel}`).set('Cookie', stranger), 404);
  const paid = await place();
  await completeOrder({ models }, paid);
  await contract.expect(request(app).delete(`/api/orders/${paid}`).set('Cookie', buyer), 409);
});

it('a paid order with shipments shows its derived fulfillment in the documented shape', async () => {
  const paid = await request(app).get('/api/orders').set('Cookie', buyer).expect(200);
  const order = (paid.body as { id: string; status: string; items: { sellerId: string }[] }[]).find((o) => o.status === 'complete')!;
  await models.ShipmentReplica.create({
    _id: newId(),
    orderId: order.id,
    sellerId: order.items[0].sellerId,
    status: 'shipped',
    version: 1,
  });
  const one = await contract.expect(request(app).get(`/api/orders/${order.id}`).set('Cookie', buyer), 200);
  expect(one.body.fulfillment).toBe('shipped');
  const list = await contract.expect(request(app).get('/api/orders').set('Cookie', buyer), 200);
  expect(list.body.map((o: { fulfillment: string }) => o.fulfillment).sort()).toEqual(['cancelled', 'shipped', 'unfulfilled']);
});

describe('returns', () => {
  const returner = { id: newId() };
  const asReturner = signinCookie(returner);
  let setup: Awaited<ReturnType<typeof paidOrderWithShipment>>;
  let asSeller = '';
  beforeAll(async () => {
    setup = await paidOrderWithShipment(models, returner.id, { lines: [{ quantity: 3 }] });
    asSeller = signinCookie({ id: setup.sellerId });
  });
  const ask = (body: object, cookie: string | null = asReturner, orderId = setup.order.id) => {
    const r = request(app).post(`/api/orders/${orderId}/returns`);
    return (cookie ? r.set('Cookie', cookie) : r).send(body);
  };
  const one = (quantity = 1) => ({ items: [{ productId: setup.products[0].id, quantity }], reason: 'damaged' });
  const step = (id: string, name: string, cookie: string | null, body: object = {}) => {
    const r = request(app).post(`/api/returns/${id}/${name}`);
    return (cookie ? r.set('Cookie', cookie) : r).send(body);
  };

  it('POST /api/orders/:id/returns: 201, 400, 401, 404, 409', async () => {
    const created = await contract.expect(ask({ ...one(), note: 'cracked' }), 201);
    expect(created.body).toMatchObject({ status: 'requested', note: 'cracked', amount: 19.99 });
    await contract.expect(ask({ items: [], reason: 'damaged' }), 400);
    await contract.expect(ask(one(), null), 401);
    await contract.expect(ask(one(), signinCookie({ id: newId() })), 404);
    await contract.expect(ask(one(3)), 409);
  });

  it('GET /api/orders/:id/returns, /api/returns and /api/returns/:id: 200, 400, 401, 404', async () => {
    const list = await contract.expect(request(app).get(`/api/orders/${setup.order.id}/returns`).set('Cookie', asReturner), 200);
    expect(list.body).toHaveLength(1);
    await contract.expect(request(app).get(`/api/orders/${setup.order.id}/returns`), 401);
    await contract.expect(request(app).get(`/api/orders/${setup.order.id}/returns`).set('Cookie', stranger), 404);
    await contract.expect(request(app).get('/api/returns?role=seller&status=requested').set('Cookie', asSeller), 200);
    await contract.expect(request(app).get('/api/returns?status=lost').set('Cookie', asSeller), 400);
    await contract.expect(request(app).get('/api/returns'), 401);
    const id = list.body[0].id;
    await contract.expect(request(app).get(`/api/returns/${id}`).set('Cookie', asSeller), 200);
    await contract.expect(request(app).get(`/api/returns/${id}`), 401);
    await contract.expect(request(app).get(`/api/returns/${id}`).set('Cookie', stranger), 404);
  });

  it('approve, reject, receive, cancel: 200, 400, 401, 404, 409', async () => {
    const [first] = (await request(app).get('/api/returns').set('Cookie', asReturner).expect(200)).body;
    const second = (await ask(one()).expect(201)).body;
    const third = (await ask(one()).expect(201)).body;
    await contract.expect(step(first.id, 'receive', asSeller, { restock: true }), 409);
    await contract.expect(step(first.id, 'approve', asSeller), 200);
    await contract.expect(step(first.id, 'approve', null), 401);
    await contract.expect(step(first.id, 'approve', asReturner), 404);
    await contract.expect(step(first.id, 'reject', asSeller, { message: 'late' }), 409);
    await contract.expect(step(first.id, 'cancel', asReturner), 409);
    await contract.expect(step(first.id, 'receive', asSeller, { restock: 'yes' }), 400);
    await contract.expect(step(first.id, 'receive', null, { restock: true }), 401);
    await contract.expect(step(first.id, 'receive', asReturner, { restock: true }), 404);
    const received = await contract.expect(step(first.id, 'receive', asSeller, { restock: true }), 200);
    expect(received.body).toMatchObject({ status: 'received', restock: true });
    await contract.expect(step(first.id, 'approve', asSeller), 200);
    await contract.expect(step(second.id, 'reject', asSeller, {}), 400);
    await contract.expect(step(second.id, 'reject', null, { message: 'no' }), 401);
    await contract.expect(step(second.id, 'reject', asReturner, { message: 'no' }), 404);
    const rejected = await contract.expect(step(second.id, 'reject', asSeller, { message: 'Used' }), 200);
    expect(rejected.body).toMatchObject({ status: 'rejected', message: 'Used' });
    await contract.expect(step(third.id, 'cancel', null), 401);
    await contract.expect(step(third.id, 'cancel', asSeller), 404);
    await contract.expect(step(third.id, 'cancel', asReturner), 200);
    await contract.expect(step(second.id, 'cancel', asReturner), 409);
    await contract.expect(step(third.id, 'approve', asSeller), 409);
  });
});

it('GET /api/orders/me/export: 200, 401', async () => {
  const me = { id: newId() };
  const { order } = await paidOrderWithShipment(models, me.id);
  const res = await contract.expect(request(app).get('/api/orders/me/export').set('Cookie', signinCookie(me)), 200);
  expect(res.body.orders.map((o: { id: string }) => o.id)).toEqual([order.id]);
  await contract.expect(request(app).get('/api/orders/me/export'), 401);
});

it('GET /api/sales and /api/sales/dashboard: 200, 400, 401', async () => {
  const buyerId = newId();
  const { order, sellerId } = await paidOrderWithShipment(models, buyerId, { final: 'shipped' });
  const data = order.outbox.find((o) => o.event.subject === 'order.completed')!.event.data as never;
  await recordSale({ models }, data, new Date().toISOString());
  const seller = signinCookie({ id: sellerId });
  const page = await contract.expect(request(app).get('/api/sales?limit=1').set('Cookie', seller), 200);
  expect(page.body.sales).toEqual([
    expect.objectContaining({ orderId: order.id, status: 'paid', shipmentStatus: 'shipped', buyerCity: 'London' }),
  ]);
  await contract.expect(request(app).get('/api/sales?status=lost').set('Cookie', seller), 400);
  await contract.expect(request(app).get('/api/sales'), 401);
  const dashboard = await contract.expect(request(app).get('/api/sales/dashboard?days=7').set('Cookie', seller), 200);
  expect(dashboard.body).toMatchObject({ ordersCount: 1, revenue: 39.98 });
  await contract.expect(request(app).get('/api/sales/dashboard?days=0').set('Cookie', seller), 400);
  await contract.expect(request(app).get('/api/sales/dashboard'), 401);
});

it('an undocumented status or body shape is refused by the checker', async () => {
  // Unknown routes answer 404, which the document does not list for an unknown path.
  const res = await request(app).get('/api/orders/x/y').set('Cookie', buyer);
  expect(() => contract.check(res)).toThrow(/no operation/);
  const ok = await request(app).get('/api/orders').set('Cookie', buyer).expect(200);
  expect(() => contract.check({ ...ok, body: [{ id: 1 }] } as never)).toThrow(/does not match/);
  // The nested address and the fulfilment values are checked too.
  const [order] = ok.body as Record<string, unknown>[];
  expect(() => contract.check({ ...ok, body: [{ ...order, shippingAddress: { ...testAddress(), country: undefined } }] } as never)).toThrow(
    /does not match/,
  );
  expect(() => contract.check({ ...ok, body: [{ ...order, fulfillment: 'lost' }] } as never)).toThrow(/does not match/);
});

it('every documented response was produced', () => {
  expect(contract.unexercised()).toEqual([]);
});
