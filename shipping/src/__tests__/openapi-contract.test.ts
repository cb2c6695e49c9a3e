/**
 * Every documented response of the shipping API, produced by real requests against the test
 * database and checked against src/openapi.ts; then nothing documented is left unproduced.
 */
import request from 'supertest';
import { OpenApiContract, signinCookie, useTestDatabase } from '@jetmart/common/testing';
import { shippingApiDocument } from '../openapi';
import { oid, seedShipment, testApp } from './support/fixtures';

useTestDatabase({ prefix: 'shipping_contract' });
const contract = new OpenApiContract(shippingApiDocument);
const app = testApp();
const as = (id: string) => signinCookie({ id });

it('GET /api/shipments: 200, 400, 401', async () => {
  const s = await seedShipment();
  const listed = await contract.expect(request(app).get('/api/shipments?status=pending').set('Cookie', as(s.sellerId)), 200);
  expect(listed.body).toHaveLength(1);
  const byOrder = await contract.expect(request(app).get(`/api/shipments?orderId=${s.orderId}`).set('Cookie', as(s.buyerId)), 200);
  expect(byOrder.body).toEqual(listed.body);
  await contract.expect(request(app).get('/api/shipments?orderId=x').set('Cookie', as(s.sellerId)), 400);
  await contract.expect(request(app).get('/api/shipments'), 401);
});

it('GET /api/shipments/{id}: 200, 401, 404', async () => {
  const s = await seedShipment();
  await contract.expect(request(app).get(`/api/shipments/${s.id}`).set('Cookie', as(s.buyerId)), 200);
  await contract.expect(request(app).get(`/api/shipments/${s.id}`), 401);
  await contract.expect(request(app).get(`/api/shipments/${s.id}`).set('Cookie', as(oid())), 404);
});

it('POST /api/shipments/{id}/ship and /deliver: 200, 400, 401, 404, 409', async () => {
  const s = await seedShipment();
  const ship = (body: object, userId: string | null = s.sellerId) => {
    const r = request(app).post(`/api/shipments/${s.id}/ship`);
    return (userId ? r.set('Cookie', as(userId)) : r).send(body);
  };
  const deliver = (userId: string | undefined) => {
    const r = request(app).post(`/api/shipments/${s.id}/deliver`);
    return userId ? r.set('Cookie', as(userId)) : r;
  };
  await contract.expect(deliver(s.buyerId), 409);
  await contract.expect(ship({ carrier: '' }), 400);
  await contract.expect(ship({ carrier: 'DHL', trackingNumber: '1' }, null), 401);
  await contract.expect(ship({ carrier: 'DHL', trackingNumber: '1' }, s.buyerId), 404);
  const shipped = await contract.expect(ship({ carrier: 'DHL', trackingNumber: '1' }), 200);
  expect(shipped.body).toMatchObject({ status: 'shipped', carrier: 'DHL', trackingNumber: '1', shippedAt: expect.any(String) });
  await contract.expect(ship({ carrier: 'UPS', trackingNumber: '1' }), 409);
  await contract.expect(deliver(undefined), 401);
  await contract.expect(deliver(oid()), 404);
  await contract.expect(
    request(app).post(`/api/shipments/${s.id}/deliver`).set('Cookie', as(s.buyerId)).set('Content-Type', 'application/json').send('{"x":'),
    400,
  );
  const delivered = await contract.expect(deliver(s.buyerId), 200);
  expect(delivered.body).toMatchObject({ status: 'delivered', deliveredBy: 'buyer', deliveredAt: expect.any(String), version: 2 });
});

it('POST /api/shipments/{id}/cancel: 200, 400, 401, 404, 409', async () => {
  const s = await seedShipment();
  const cancel = (id: string, userId: string | undefined) => {
    const r = request(app).post(`/api/shipments/${id}/cancel`);
    return userId ? r.set('Cookie', as(userId)) : r;
  };
  await contract.expect(cancel(s.id, undefined), 401);
  await contract.expect(cancel(s.id, s.sellerId), 404);
  await contract.expect(
    request(app).post(`/api/shipments/${s.id}/cancel`).set('Cookie', as(s.buyerId)).set('Content-Type', 'application/json').send('{"x":'),
    400,
  );
  const cancelled = await contract.expect(cancel(s.id, s.buyerId), 200);
  expect(cancelled.body).toMatchObject({ status: 'cancelled', cancelledAt: expect.any(String), version: 1 });

  const shipped = await seedShipment();
  await request(app)
    .post(`/api/shipments/${shipped.id}/ship`)
    .set('Cookie', as(shipped.sellerId))
    .send({ carrier: 'DHL', trackingNumber: '1' });
  await contract.expect(cancel(shipped.id, shipped.buyerId), 409);
  const delivered = await contract.expect(
    request(app).post(`/api/shipments/${shipped.id}/deliver`).set('Cookie', as(shipped.buyerId)),
    200,
  );
  expect(delivered.body.returnableUntil).toEqual(expect.any(String));
});

it('GET /api/shipments/me/export: 200, 401', async () => {
  const s = await seedShipment();
  const mine = await contract.expect(request(app).get('/api/shipments/me/export').set('Cookie', as(s.buyerId)), 200);
  expect(mine.body.shipments.map((x: { id: string }) => x.id)).toEqual([s.id]);
  await contract.expect(request(app).get('/api/shipments/me/export'), 401);
});

it('the document is served at /api/shipments/docs/openapi.json', async () => {
  const res = await request(app).get('/api/shipments/docs/openapi.json');
  expect(res.status).toBe(200);
  expect(res.body).toEqual(JSON.parse(JSON.stringify(shippingApiDocument)));
});

it('every documented response was produced', () => {
  expect(contract.unexercised()).toEqual([]);
});
