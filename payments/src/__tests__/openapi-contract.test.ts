/**
 * Every documented response of the payments API, produced by real requests (real database,
 * the sandbox gateway, and a Stripe gateway with nothing listening for the 503) and checked
 * against src/openapi.ts; then nothing documented is left unproduced.
 */
import { createServer } from 'node:net';
import mongoose from 'mongoose';
import request from 'supertest';
import { OpenApiContract, signinCookie, useTestDatabase } from '@jetmart/common/testing';
import { SandboxGateway } from '../gateway/sandbox-gateway';
import { StripeGateway } from '../gateway/stripe-gateway';
import { paymentsApiDocument } from '../openapi';
import { sellersApiPaths } from '../openapi-sellers';
import { refundPayment } from '../charging';
import { seedOrder, testApp, testModels } from './support/fixtures';

useTestDatabase({ prefix: 'payments_contract' });
const contract = new OpenApiContract(paymentsApiDocument);
const gateway = new SandboxGateway();
const app = testApp(gateway);

const pay = (userId: string | undefined, body: object, key?: string) => {
  let r = request(app).post('/api/payments');
  if (userId) r = r.set('Cookie', signinCookie({ id: userId }));
  if (key !== undefined) r = r.set('Idempotency-Key', key);
  return r.send(body);
};

const closedPort = () =>
  new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });

it('POST /api/payments: 201, 400, 401, 402, 404, 409, 503', async () => {
  const order = await seedOrder({ totalMinor: 1999 });
  const paid = await contract.expect(pay(order.userId, { orderId: order._id, token: 'tok_visa' }, 'key-1'), 201);
  expect(paid.body).toMatchObject({ orderId: order._id, amount: 19.99 });
  await contract.expect(pay(order.userId, { orderId: order._id, token: 'tok_visa' }), 409);
  await contract.expect(pay(order.userId, { orderId: order._id }), 400);
  await contract.expect(pay(order.userId, { orderId: order._id, token: 'tok_visa' }, 'bad key with spaces'), 400);
  await contract.expect(pay(undefined, { orderId: order._id, token: 'tok_visa' }), 401);
  await contract.expect(pay(new mongoose.Types.ObjectId().toHexString(), { orderId: order._id, token: 'tok_visa' }), 404);

  const declined = await seedOrder();
  await contract.expect(pay(declined.userId, { orderId: declined._id, token: 'tok_chargeDeclined' }), 402);
  const cancelled = await seedOrder({ status: 'cancelled', version: 1 });
  await contract.expect(pay(cancelled.userId, { orderId: cancelled._id, token: 'tok_visa' }), 409);

  const unreachable = new StripeGateway({
    secretKey: 'sk_test_123',
    host: '127.0.0.1',
    port: await closedPort(),
    protocol: 'http',
    maxNetworkRetries: 0,
    timeoutMs: 2000,
  });
  const waiting = await seedOrder();
  await contract.expect(
    request(testApp(unreachable))
      .post('/api/payments')
      .set('Cookie', signinCookie({ id: waiting.userId }))
      .send({ orderId: waiting._id, token: 'tok_visa' }),
    503,
  );
});

it('GET /api/payments?orderId=: 200, 400, 401', async () => {
  const order = await seedOrder({ totalMinor: 500 });
  const list = (userId: string | undefined, query: string) => {
    const r = request(app).get(`/api/payments${query}`);
    return userId ? r.set('Cookie', signinCookie({ id: userId })) : r;
  };
  const none = await contract.expect(list(order.userId, `?orderId=${order._id}`), 200);
  expect(none.body).toEqual([]);
  const paid = await pay(order.userId, { orderId: order._id, token: 'tok_visa' });
  expect(paid.status).toBe(201);
  const listed = await contract.expect(list(order.userId, `?orderId=${order._id}`), 200);
  expect(listed.body).toEqual([paid.body]);
  // With refunds: a partial one and the rest (the Refund schema, reasons and decimal amounts).
  const deps = { models: testModels(), gateway };
  const line = { productId: 'p1', quantity: 1, priceMinor: 199 };
  await refundPayment(deps, { orderId: order._id, reason: 'return', sourceId: 'r1', amountMinor: 199, items: [line] });
  await refundPayment(deps, { orderId: order._id, reason: 'shipment-cancelled', sourceId: 's1', amountMinor: 301, items: [] });
  const refunded = await contract.expect(list(order.userId, `?orderId=${order._id}`), 200);
  expect(refunded.body[0]).toMatchObject({ amount: 5, refunded: 5, refunds: [{ amount: 1.99 }, { amount: 3.01 }] });
  await contract.expect(list(order.userId, '?orderId=nope'), 400);
  await contract.expect(list(undefined, `?orderId=${order._id}`), 401);
});

it('GET /api/payments/me/export: 200, 401', async () => {
  const order = await seedOrder({ totalMinor: 700 });
  expect((await pay(order.userId, { orderId: order._id, token: 'tok_visa' })).status).toBe(201);
  await refundPayment(
    { models: testModels(), gateway },
    { orderId: order._id, reason: 'shipment-cancelled', sourceId: 's-export', amountMinor: 200, items: [] },
  );
  const cookie = signinCookie({ id: order.userId });
  const res = await contract.expect(request(app).get('/api/payments/me/export').set('Cookie', cookie), 200);
  expect(res.body).toMatchObject({ payments: [{ orderId: order._id, status: 'succeeded', refunded: 2 }], refunds: [{ amount: 2 }] });
  await contract.expect(request(app).get('/api/payments/me/export'), 401);
});

it('every documented response was produced', () => {
  // The sellers' routes (openapi-sellers.ts) are exercised by openapi-contract-sellers.test.ts.
  const sellers = Object.keys(sellersApiPaths);
  expect(contract.unexercised().filter((k) => !sellers.includes(k.split(' ')[1]))).toEqual([]);
});
