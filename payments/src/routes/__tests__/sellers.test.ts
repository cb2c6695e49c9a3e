import mongoose from 'mongoose';
import request from 'supertest';
import { signinCookie, useTestDatabase } from '@jetmart/common/testing';
import { SandboxGateway } from '../../gateway/sandbox-gateway';
import { appendEntry, releasePart } from '../../models';
import { testApp, testModels } from '../../__tests__/support/fixtures';

useTestDatabase({ prefix: 'payments_sellers_routes' });
const models = testModels();
const { LedgerEntry } = models;
const oid = () => new mongoose.Types.ObjectId().toHexString();

let gateway: SandboxGateway;
let app: ReturnType<typeof testApp>;
beforeAll(async () => {
  await Promise.all(Object.values(models).map((m) => m.syncIndexes()));
});
beforeEach(() => {
  gateway = new SandboxGateway();
  app = testApp(gateway, { ADMIN_EMAILS: new Set(['boss@jetmart.dev']) });
});

const verified = (id: string) => signinCookie({ id, emailVerified: true });

/** A sale of `grossMinor` at 10% for `sellerId` (released or not), posted `at`. */
async function sale(sellerId: string, grossMinor: number, released: boolean, at = new Date()) {
  const orderId = oid();
  const commissionMinor = Math.floor((grossMinor * 10 + 50) / 100);
  await LedgerEntry.create({
    _id: `sale-${oid()}-0`,
    sellerId,
    kind: 'sale',
    orderId,
    productId: 'p1',
    quantity: 1,
    sourceId: oid(),
    grossMinor,
    commissionMinor,
    netMinor: grossMinor - commissionMinor,
    commissionPercent: 10,
    createdAt: at,
  });
  if (released) await releasePart(models.Release, { orderId, sellerId, reason: 'return-window-closed' });
  return orderId;
}

describe('/api/sellers/me/account', () => {
  it('GET → null before, the acct_ id after PUT; PUT only with a verified email', async () => {
    const me = oid();
    expect((await request(app).get('/api/sellers/me/account').set('Cookie', verified(me))).body).toEqual({ stripeAccountId: null });
    const unverified = await request(app)
      .put('/api/sellers/me/account')
      .set('Cookie', signinCookie({ id: me }))
      .send({ stripeAccountId: 'acct_123' });
    expect(unverified.status).toBe(403);
    expect(unverified.body.errors[0].message).toBe('Verify your email address before receiving payouts');
    const put = await request(app).put('/api/sellers/me/account').set('Cookie', verified(me)).send({ stripeAccountId: 'acct_123' });
    expect(put.status).toBe(200);
    expect(put.body).toEqual({ stripeAccountId: 'acct_123' });
    await request(app).put('/api/sellers/me/account').set('Cookie', verified(me)).send({ stripeAccountId: 'acct_456' });
    expect((await request(app).get('/api/sellers/me/account').set('Cookie', verified(me))).body).toEqual({ stripeAccountId: 'acct_456' });
    // Someone else's account is theirs alone.
    expect((await request(app).get('/api/sellers/me/account').set('Cookie', verified(oid()))).body).toEqual({ stripeAccountId: null });
  });

  it('400 for anything but an acct_ id; 401 signed out', async () => {
    for (const stripeAccountId of ['', 'acct_', 'ba_123', 'acct_12 3', 42, { $ne: null }, 'acct_' + 'x'.repeat(65)]) {
      const res = await request(app).put('/api/sellers/me/account').set('Cookie', verified(oid())).send({ stripeAccountId });
      expect(res.status).toBe(400);
      expect(res.body.errors[0].field).toBe('stripeAccountId');
    }
    expect((await request(app).get('/api/sellers/me/account')).status).toBe(401);
  });
});

describe('GET /api/sellers/me/ledger', () => {
  it('the balance and the entries newest first, in decimal units, paged by cursor; only the caller’s', async () => {
    const me = oid();
    const t0 = Date.now() - 100_000;
    for (let i = 0; i < 55; i++) await sale(me, 1000 + i, i < 5, new Date(t0 + i * 1000));
    await sale(oid(), 5000, true);
    // Each entry's release is read by _id: FerretDB reads every release for `_id: {$in}`.
    const releaseReads: unknown[] = [];
    mongoose.set('debug', (collection: string, _method: string, filter: unknown) => {
      if (collection === models.Release.collection.collectionName) releaseReads.push(filter);
    });
    let first: request.Response;
    try {
      first = await request(app).get('/api/sellers/me/ledger').set('Cookie', verified(me));
    } finally {
      mongoose.set('debug', false);
    }
    expect(first.status).toBe(200);
    // (The balance reads the seller's releases by sellerId.)
    const byId = releaseReads.filter((f) => '_id' in (f as object)) as { _id: unknown }[];
    expect(byId).toHaveLength(50);
    expect(byId.every((f) => typeof f._id === 'string')).toBe(true);
    expect(JSON.stringify(releaseReads)).not.toContain('$in');
    // Released: the first five sales (1000..1004 gross, 100 commission each).
    const releasedNet = [1000, 1001, 1002, 1003, 1004].reduce((s, g) => s + g - 100, 0);
    const allNet = Array.from({ length: 55 }, (_, i) => 1000 + i - Math.floor(((1000 + i) * 10 + 50) / 100)).reduce((a, b) => a + b, 0);
    expect(first.body.balance).toEqual({ pending: (allNet - releasedNet) / 100, available: releasedNet / 100, paidOut: 0 });
    expect(first.body.entries).toHaveLength(50);
    expect(first.body.entries[0]).toMatchObject({
      kind: 'sale',
      gross: 10.54,
      commission: 1.05,
      net: 9.49,
      commissionPercent: 10,
      availableAt: null,
    });
    const second = await request(app).get(`/api/sellers/me/ledger?cursor=${first.body.nextCursor}`).set('Cookie', verified(me));
    expect(second.body.entries.map((e: { gross: number }) => e.gross)).toEqual([10.04, 10.03, 10.02, 10.01, 10]);
    expect(second.body.entries[0].availableAt).toEqual(expect.any(String));
    expect(second.body.nextCursor).toBeNull();
  });

  it('400 for a malformed cursor, 401 signed out', async () => {
    for (const c of ['nope', Buffer.from('1|{"$gt":""}').toString('base64url'), 'x'.repeat(500)]) {
      const res = await request(app).get(`/api/sellers/me/ledger?cursor=${c}`).set('Cookie', verified(oid()));
      expect(res.status).toBe(400);
    }
    expect((await request(app).get('/api/sellers/me/ledger')).status).toBe(401);
  });
});

describe('/api/payouts', () => {
  it('10 simultaneous POSTs → exactly one 201 of exactly the available amount, nine 409; GET lists it', async () => {
    const me = oid();
    await sale(me, 12345, true);
    await sale(me, 999, false);
    await request(app).put('/api/sellers/me/account').set('Cookie', verified(me)).send({ stripeAccountId: 'acct_1Me' });
    const answers = await Promise.all(
      Array.from({ length: 10 }, () => request(app).post('/api/payouts').set('Cookie', verified(me)).send({})),
    );
    const created = answers.filter((r) => r.status === 201);
    expect(created).toHaveLength(1);
    expect(answers.filter((r) => r.status === 409)).toHaveLength(9);
    const net = 12345 - 1235;
    expect(created[0].body).toEqual({
      id: expect.any(String),
      amount: net / 100,
      status: 'sent',
      transferId: gateway.transfers[0].id,
      createdAt: expect.any(String),
    });
    expect(gateway.transfers.map((t) => [t.amountMinor, t.destination])).toEqual([[net, 'acct_1Me']]);
    const list = await request(app).get('/api/payouts').set('Cookie', verified(me));
    expect(list.body).toEqual({ payouts: [created[0].body] });
    const ledger = await request(app).get('/api/sellers/me/ledger').set('Cookie', verified(me));
    expect(ledger.body.balance).toEqual({ pending: (999 - 100) / 100, available: 0, paidOut: net / 100 });
    expect(ledger.body.entries[0]).toMatchObject({ kind: 'payout', orderId: null, gross: -net / 100, net: -net / 100, commission: 0 });
    expect((await request(app).get('/api/payouts').set('Cookie', verified(oid()))).body).toEqual({ payouts: [] });
  });

  it('403 unverified, 409 without an account or with nothing available, 400 for a body other than {}, 401 signed out', async () => {
    const me = oid();
    await sale(me, 5000, true);
    expect(
      (
        await request(app)
          .post('/api/payouts')
          .set('Cookie', signinCookie({ id: me }))
          .send({})
      ).status,
    ).toBe(403);
    const noAccount = await request(app).post('/api/payouts').set('Cookie', verified(me)).send({});
    expect(noAccount.status).toBe(409);
    expect(noAccount.body.errors[0].message).toMatch(/payout account/);
    expect((await request(app).post('/api/payouts').set('Cookie', verified(me)).send({ amount: 1 })).status).toBe(400);
    const empty = oid();
    await request(app).put('/api/sellers/me/account').set('Cookie', verified(empty)).send({ stripeAccountId: 'acct_1' });
    // JSON only: a body-less or text/plain POST (a cross-site form can send those) is refused before anything else.
    expect((await request(app).post('/api/payouts').set('Cookie', verified(empty))).status).toBe(400);
    expect(
      (await request(app).post('/api/payouts').set('Cookie', verified(empty)).set('Content-Type', 'text/plain').send('{}')).status,
    ).toBe(400);
    const nothing = await request(app).post('/api/payouts').set('Cookie', verified(empty)).send({});
    expect(nothing.status).toBe(409);
    expect(nothing.body.errors[0].message).toBe('Nothing is available to pay out');
    expect((await request(app).post('/api/payouts').send({})).status).toBe(401);
    expect(gateway.transfers).toHaveLength(0);
  });
});

describe('GET /api/payments/commission', () => {
  it('admins only: the commission per UTC day, refunds giving it back', async () => {
    const today = new Date();
    const yesterday = new Date(today.getTime() - 86_400_000);
    await sale(oid(), 1000, false, yesterday);
    await sale(oid(), 2000, false, today);
    await appendEntry(LedgerEntry, {
      _id: `refund-${oid()}-0`,
      sellerId: oid(),
      kind: 'refund',
      orderId: oid(),
      sourceId: 'r',
      grossMinor: -1000,
      commissionMinor: -100,
      netMinor: -900,
      commissionPercent: 10,
    });
    const res = await request(app)
      .get('/api/payments/commission?days=2')
      .set('Cookie', signinCookie({ email: 'Boss@jetmart.dev' }));
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      days: [
        { date: yesterday.toISOString().slice(0, 10), commission: 1 },
        { date: today.toISOString().slice(0, 10), commission: 1 },
      ],
    });
    expect(
      (
        await request(app)
          .get('/api/payments/commission')
          .set('Cookie', signinCookie({ email: 'boss@jetmart.dev' }))
      ).body.days,
    ).toHaveLength(30);
    expect((await request(app).get('/api/payments/commission').set('Cookie', signinCookie())).status).toBe(403);
    expect((await request(app).get('/api/payments/commission')).status).toBe(401);
    for (const d of ['0', '367', '-1', '1.5', 'x', '']) {
      expect(
        (
          await request(app)
            .get(`/api/payments/commission?days=${d}`)
            .set('Cookie', signinCookie({ email: 'boss@jetmart.dev' }))
        ).status,
      ).toBe(400);
    }
  });
});
