/**
 * Every documented response of the orders API, produced by real requests (real database) and
 * checked against src/openapi.ts; then nothing documented is left unproduced.
 */
import request from 'supertest';
import { OpenApiContract, signinCookie, useTestDatabase } from '@jetmart/common/testing';
import { completeOrder } from '../lifecycle';
import { ordersApiDocument } from '../openapi';
import { newId, seedProduct, syncIndexes, testAddress, testApp } from './helpers';

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
