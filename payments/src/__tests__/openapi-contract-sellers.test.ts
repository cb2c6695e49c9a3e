/**
 * Every documented response of the sellers' money routes (openapi-sellers.ts), produced by real
 * requests on a real database and checked against the payments document; the rest of the document
 * is openapi-contract.test.ts's.
 */
import { createServer } from 'node:net';
import mongoose from 'mongoose';
import request from 'supertest';
import { OpenApiContract, signinCookie, useTestDatabase } from '@jetmart/common/testing';
import { SandboxGateway } from '../gateway/sandbox-gateway';
import { StripeGateway } from '../gateway/stripe-gateway';
import { appendEntry, releasePart } from '../models';
import { paymentsApiDocument } from '../openapi';
import { closeDeletedSeller } from '../payouts';
import { sellersApiPaths } from '../openapi-sellers';
import { testApp, testModels } from './support/fixtures';

useTestDatabase({ prefix: 'payments_contract_sellers' });
const contract = new OpenApiContract(paymentsApiDocument);
const gateway = new SandboxGateway();
const app = testApp(gateway, { ADMIN_EMAILS: new Set(['admin@jetmart.dev']) });
const models = testModels();
const oid = () => new mongoose.Types.ObjectId().toHexString();
const verified = (id: string) => signinCookie({ id, emailVerified: true });

/** A released sale and a pending refund for `sellerId`. */
async function books(sellerId: string) {
  const orderId = oid();
  await appendEntry(models.LedgerEntry, {
    _id: `sale-${oid()}-0`,
    sellerId,
    kind: 'sale',
    orderId,
    productId: 'p1',
    quantity: 2,
    sourceId: oid(),
    grossMinor: 2000,
    commissionMinor: 200,
    netMinor: 1800,
    commissionPercent: 10,
  });
  await releasePart(models.Release, { orderId, sellerId, reason: 'return-window-closed' });
  await appendEntry(models.LedgerEntry, {
    _id: `refund-${oid()}-0`,
    sellerId,
    kind: 'refund',
    orderId: oid(),
    productId: 'p2',
    quantity: 1,
    sourceId: oid(),
    grossMinor: -5,
    commissionMinor: 0,
    netMinor: -5,
    commissionPercent: 10,
  });
}

const closedPort = () =>
  new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });

it('GET/PUT /api/sellers/me/account: 200, 400, 401, 403', async () => {
  const me = oid();
  await contract.expect(request(app).get('/api/sellers/me/account').set('Cookie', verified(me)), 200);
  await contract.expect(request(app).get('/api/sellers/me/account'), 401);
  await contract.expect(request(app).put('/api/sellers/me/account').set('Cookie', verified(me)).send({ stripeAccountId: 'acct_1X' }), 200);
  const after = await contract.expect(request(app).get('/api/sellers/me/account').set('Cookie', verified(me)), 200);
  expect(after.body).toEqual({ stripeAccountId: 'acct_1X' });
  await contract.expect(request(app).put('/api/sellers/me/account').set('Cookie', verified(me)).send({ stripeAccountId: 'nope' }), 400);
  await contract.expect(request(app).put('/api/sellers/me/account').send({ stripeAccountId: 'acct_1X' }), 401);
  await contract.expect(
    request(app)
      .put('/api/sellers/me/account')
      .set('Cookie', signinCookie({ id: me }))
      .send({ stripeAccountId: 'acct_1X' }),
    403,
  );
});

it('POST/GET /api/payouts and GET /api/sellers/me/ledger: 200, 201, 400, 401, 403, 409, 503', async () => {
  const me = oid();
  await books(me);
  await contract.expect(request(app).post('/api/payouts').set('Cookie', verified(me)).send({}), 409);
  await request(app).put('/api/sellers/me/account').set('Cookie', verified(me)).send({ stripeAccountId: 'acct_1X' });
  await contract.expect(request(app).post('/api/payouts').set('Cookie', verified(me)).send({ all: true }), 400);
  await contract.expect(request(app).post('/api/payouts').send({}), 401);
  await contract.expect(
    request(app)
      .post('/api/payouts')
      .set('Cookie', signinCookie({ id: me }))
      .send({}),
    403,
  );
  const sent = await contract.expect(request(app).post('/api/payouts').set('Cookie', verified(me)).send({}), 201);
  expect(sent.body).toMatchObject({ amount: 18, status: 'sent' });
  await contract.expect(request(app).get('/api/payouts').set('Cookie', verified(me)), 200);
  await contract.expect(request(app).get('/api/payouts'), 401);
  const ledger = await contract.expect(request(app).get('/api/sellers/me/ledger').set('Cookie', verified(me)), 200);
  expect(ledger.body.balance).toEqual({ pending: -0.05, available: 0, paidOut: 18 });
  expect(ledger.body.entries.map((e: { kind: string }) => e.kind).sort()).toEqual(['payout', 'refund', 'sale']);
  await contract.expect(request(app).get('/api/sellers/me/ledger?cursor=bad').set('Cookie', verified(me)), 400);
  await contract.expect(request(app).get('/api/sellers/me/ledger'), 401);

  const unreachable = new StripeGateway({
    secretKey: 'sk_test_123',
    host: '127.0.0.1',
    port: await closedPort(),
    protocol: 'http',
    maxNetworkRetries: 0,
    timeoutMs: 2000,
  });
  const other = oid();
  await books(other);
  const down = testApp(unreachable);
  await request(down).put('/api/sellers/me/account').set('Cookie', verified(other)).send({ stripeAccountId: 'acct_1Y' });
  await contract.expect(request(down).post('/api/payouts').set('Cookie', verified(other)).send({}), 503);
});

it('GET /api/payments/commission: 200, 400, 401, 403', async () => {
  const admin = signinCookie({ email: 'admin@jetmart.dev' });
  const res = await contract.expect(request(app).get('/api/payments/commission?days=7').set('Cookie', admin), 200);
  expect(res.body.days).toHaveLength(7);
  await contract.expect(request(app).get('/api/payments/commission?days=0').set('Cookie', admin), 400);
  await contract.expect(request(app).get('/api/payments/commission'), 401);
  await contract.expect(request(app).get('/api/payments/commission').set('Cookie', signinCookie()), 403);
});

it('GET /api/payments/unclaimed-balances: 200, 401, 403', async () => {
  const admin = signinCookie({ email: 'admin@jetmart.dev' });
  const seller = oid();
  await books(seller);
  await closeDeletedSeller(models, seller);
  const res = await contract.expect(request(app).get('/api/payments/unclaimed-balances').set('Cookie', admin), 200);
  expect(res.body.balances).toEqual([expect.objectContaining({ sellerId: seller, available: 18, pending: -0.05 })]);
  await contract.expect(request(app).get('/api/payments/unclaimed-balances'), 401);
  await contract.expect(request(app).get('/api/payments/unclaimed-balances').set('Cookie', signinCookie()), 403);
});

it("every documented response of the sellers' routes was produced", () => {
  const mine = Object.keys(sellersApiPaths);
  expect(contract.unexercised().filter((k) => mine.includes(k.split(' ')[1]))).toEqual([]);
});
