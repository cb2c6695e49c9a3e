/**
 * Hostile input at the sellers' money routes (SPEC invariant 6): wrong types, NoSQL operators,
 * weird strings, hostile cursors, query keys and session cookies. Every answer is < 500 and, when
 * an error, a 4xx in the documented shape; no hostile request ever moves money or changes an
 * account. Seeded, so a failure reproduces.
 */
import fc from 'fast-check';
import mongoose from 'mongoose';
import request from 'supertest';
import {
  expectErrorShape,
  expectNever5xx,
  hostileCookie,
  percentEncode,
  rawBody,
  rawSegment,
  signinCookie,
  useTestDatabase,
  weirdString,
  wrongType,
} from '@jetmart/common/testing';
import { SandboxGateway } from '../gateway/sandbox-gateway';
import { appendEntry, releasePart } from '../models';
import { testApp, testModels } from './support/fixtures';

useTestDatabase({ clearEachTest: false, prefix: 'payments_hostile_sellers' });
const models = testModels();
const gateway = new SandboxGateway();
const app = testApp(gateway, { ADMIN_EMAILS: new Set(['admin@jetmart.dev']) });
const seller = new mongoose.Types.ObjectId().toHexString();
const verified = signinCookie({ id: seller, emailVerified: true });
const admin = signinCookie({ email: 'admin@jetmart.dev' });

beforeAll(async () => {
  await Promise.all(Object.values(models).map((m) => m.syncIndexes()));
  // A seller with money available and an account: a hostile request that slipped through would pay it out.
  const orderId = new mongoose.Types.ObjectId().toHexString();
  await appendEntry(models.LedgerEntry, {
    _id: `sale-x-0`,
    sellerId: seller,
    kind: 'sale',
    orderId,
    productId: 'p',
    quantity: 1,
    sourceId: 'x',
    grossMinor: 1000,
    commissionMinor: 100,
    netMinor: 900,
    commissionPercent: 10,
  });
  await releasePart(models.Release, { orderId, sellerId: seller, reason: 'return-window-closed' });
  await models.SellerAccount.create({ _id: seller, stripeAccountId: 'acct_1Seller', paidOutMinor: 0 });
});

const RUNS = Number(process.env.HOSTILE_RUNS ?? 200);
const params = (seed: number) => ({ numRuns: RUNS, seed });
const untouched = async () => {
  expect(gateway.transfers).toHaveLength(0);
  expect(await models.SellerAccount.findById(seller).lean()).toMatchObject({ stripeAccountId: 'acct_1Seller', paidOutMinor: 0 });
};

describe("sellers' routes: hostile input never answers 5xx and never moves money", () => {
  it('PUT /api/sellers/me/account: wrong types, operators and weird strings → 400', async () => {
    const body = fc.oneof(
      fc.record({ stripeAccountId: wrongType }),
      fc.record({ stripeAccountId: weirdString }),
      fc.record({ stripeAccountId: fc.constantFrom({ $ne: null }, { $gt: '' }, ['acct_1'], 'acct_1; drop', 'acct_1\u0000', ' acct_ ') }),
      fc.constant({}),
    );
    await fc.assert(
      fc.asyncProperty(body, async (b) => {
        const res = await request(app).put('/api/sellers/me/account').set('Cookie', verified).send(b);
        expectNever5xx(res);
        if (res.status === 200) expect(res.body.stripeAccountId).toMatch(/^acct_[A-Za-z0-9]{1,64}$/);
        else {
          expect([400, 413]).toContain(res.status);
          expectErrorShape(res);
        }
        // Whatever was accepted, put the account back (a valid acct_ weird string is a legal change).
        if (res.status === 200) await models.SellerAccount.updateOne({ _id: seller }, { $set: { stripeAccountId: 'acct_1Seller' } });
      }),
      params(401),
    );
    await untouched();
  });

  it('POST /api/payouts: any body but {} → 400; malformed JSON → 4xx; hostile cookies → 401', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc
          .dictionary(fc.string({ minLength: 1, maxLength: 20 }), wrongType, { minKeys: 1, maxKeys: 3 })
          .filter((d) => Object.keys(d).length > 0),
        async (b) => {
          const res = await request(app).post('/api/payouts').set('Cookie', verified).send(b);
          expect(res.status).toBe(400);
          expectErrorShape(res);
        },
      ),
      params(402),
    );
    // Raw bodies as a verified stranger with no payout account: nothing they send can pay (409 at most).
    const stranger = signinCookie({ emailVerified: true });
    await fc.assert(
      fc.asyncProperty(rawBody, fc.constantFrom('application/json', 'text/plain'), async (raw, type) => {
        const res = await request(app).post('/api/payouts').set('Cookie', stranger).set('Content-Type', type).send(raw);
        expectNever5xx(res);
        expectErrorShape(res);
        // Only a JSON body may ask for a payout (a cross-site form can send text/plain).
        if (type === 'text/plain') expect(res.status).toBe(400);
      }),
      params(403),
    );
    await fc.assert(
      fc.asyncProperty(hostileCookie, async (cookie) => {
        const res = await request(app).post('/api/payouts').set('Cookie', cookie).send({});
        expect(res.status).toBe(401);
        expectErrorShape(res);
      }),
      params(404),
    );
    await untouched();
  });

  it('GET /api/sellers/me/ledger, /api/payouts, /api/payments/commission, /api/payments/unclaimed-balances: hostile query strings → 200/400, never 5xx, only the caller’s data', async () => {
    const key = fc.constantFrom('cursor', 'cursor[$gt]', 'cursor[]', 'days', 'days[$gt]', 'days[]', 'sellerId', '__proto__');
    const value = fc.oneof(
      rawSegment,
      weirdString.filter((w) => w.length <= 200).map(percentEncode),
      fc.constantFrom('30', '1', '366', '367', '0', '-1', '1e3', 'MQ'),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(key, value), { maxLength: 4 }),
        fc.constantFrom('/api/sellers/me/ledger', '/api/payouts', '/api/payments/commission', '/api/payments/unclaimed-balances'),
        async (pairs, path) => {
          const qs = pairs.map(([k, v]) => `${percentEncode(k)}=${v}`).join('&');
          const res = await request(app)
            .get(`${path}?${qs}`)
            .set('Cookie', path.startsWith('/api/payments/') ? admin : signinCookie({ emailVerified: true }));
          expectNever5xx(res);
          expect([200, 400]).toContain(res.status);
          if (res.status !== 200) return expectErrorShape(res);
          // A stranger sees no entry or payout of the seller's.
          if (path === '/api/sellers/me/ledger') expect(res.body.entries).toEqual([]);
          if (path === '/api/payouts') expect(res.body.payouts).toEqual([]);
          // The seller's account is open: a query string cannot make it look unclaimed.
          if (path === '/api/payments/unclaimed-balances') expect(res.body.balances).toEqual([]);
        },
      ),
      params(405),
    );
    await fc.assert(
      fc.asyncProperty(
        hostileCookie,
        fc.constantFrom(
          '/api/sellers/me/ledger',
          '/api/payouts',
          '/api/sellers/me/account',
          '/api/payments/commission',
          '/api/payments/unclaimed-balances',
        ),
        async (cookie, path) => {
          const res = await request(app).get(path).set('Cookie', cookie);
          expect(res.status).toBe(401);
          expectErrorShape(res);
        },
      ),
      params(406),
    );
    await untouched();
  });

  it('GET /api/payments/unclaimed-balances: only ADMIN_EMAILS (403 for any other signed-in email, look-alikes included)', async () => {
    const email = fc.oneof(
      fc.emailAddress(),
      fc.constantFrom('admin@jetmart.dev.evil.com', 'xadmin@jetmart.dev', 'admin@jetmart.dev\u0000', 'admin@jetmart'),
    );
    await fc.assert(
      fc.asyncProperty(email, async (e) => {
        const res = await request(app)
          .get('/api/payments/unclaimed-balances')
          .set('Cookie', signinCookie({ email: e }));
        if (e.trim().toLowerCase() === 'admin@jetmart.dev') return expect(res.status).toBe(200);
        expect(res.status).toBe(403);
        expectErrorShape(res);
      }),
      params(407),
    );
    await untouched();
  });
});
