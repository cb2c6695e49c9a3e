/**
 * `GET /api/payments/me/export` (payments' part of the person's data export): every payment record
 * of the caller's (declined ones too) and its refunds, never anyone else's; no card token; hostile
 * query strings change nothing, hostile session cookies get 401. Seeded.
 */
import mongoose from 'mongoose';
import request from 'supertest';
import { expectHostileCookiesRefused, expectQueryStringsChangeNothing, signinCookie, useTestDatabase } from '@jetmart/common/testing';
import { refundPayment } from '../charging';
import { SandboxGateway } from '../gateway/sandbox-gateway';
import { seedOrder, testApp, testModels } from './support/fixtures';

useTestDatabase({ clearEachTest: false, prefix: 'payments_export' });
const gateway = new SandboxGateway();
const app = testApp(gateway);
const RUNS = Number(process.env.HOSTILE_RUNS ?? 200);
const newId = () => new mongoose.Types.ObjectId().toHexString();
const as = (id: string) => signinCookie({ id });
const me = newId();
const other = newId();
const paidOrders: string[] = [];
let declinedOrder = '';

const pay = (userId: string, orderId: string, token: string) =>
  request(app).post('/api/payments').set('Cookie', as(userId)).send({ orderId, token });

beforeAll(async () => {
  for (const totalMinor of [1000, 2500]) {
    const o = await seedOrder({ userId: me, totalMinor });
    expect((await pay(me, o._id, 'tok_visa')).status).toBe(201);
    paidOrders.push(o._id);
  }
  const declined = await seedOrder({ userId: me, totalMinor: 300 });
  expect((await pay(me, declined._id, 'tok_chargeDeclined')).status).toBe(402);
  declinedOrder = declined._id;
  await refundPayment(
    { models: testModels(), gateway },
    { orderId: paidOrders[1], reason: 'return', sourceId: 'ret-mine', amountMinor: 500, items: [] },
  );
  const theirs = await seedOrder({ userId: other, totalMinor: 4200 });
  expect((await pay(other, theirs._id, 'tok_visa')).status).toBe(201);
  await refundPayment(
    { models: testModels(), gateway },
    { orderId: theirs._id, reason: 'return', sourceId: 'ret-theirs', amountMinor: 100, items: [] },
  );
});

const exportOf = (cookie: string, qs = '') => request(app).get(`/api/payments/me/export${qs}`).set('Cookie', cookie);

it("holds every payment record of the caller's and their refunds, nothing of anyone else's, no card token", async () => {
  const res = await exportOf(as(me));
  expect(res.status).toBe(200);
  expect(res.body.payments.map((p: { orderId: string; status: string }) => [p.orderId, p.status])).toEqual([
    [paidOrders[0], 'succeeded'],
    [paidOrders[1], 'succeeded'],
    [declinedOrder, 'failed'],
  ]);
  expect(res.body.payments[1]).toMatchObject({ amount: 25, refunded: 5, refunds: [{ id: 'return-ret-mine', amount: 5 }] });
  expect(res.body.refunds).toEqual([expect.objectContaining({ id: 'return-ret-mine', orderId: paidOrders[1], amount: 5 })]);
  const text = JSON.stringify(res.body);
  expect(text).not.toContain('ret-theirs');
  expect(text).not.toContain('tok_');
  expect((await exportOf(as(other))).body.payments).toHaveLength(1);
  expect((await exportOf(as(newId()))).body).toEqual({ payments: [], refunds: [] });
});

it('hostile query strings never widen or break the export', () =>
  expectQueryStringsChangeNothing({
    get: exportOf,
    cookie: as(me),
    keys: ['userId', 'orderId', 'userId[$ne]', 'status', '__proto__', 'orderId[$gt]'],
    otherId: other,
    seed: 1721,
    runs: RUNS,
  }));

it('hostile session cookies → 401 in the error shape', () => expectHostileCookiesRefused({ get: exportOf, seed: 1722, runs: RUNS }));
