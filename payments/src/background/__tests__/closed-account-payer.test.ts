/**
 * A deleted seller's balance (docs/SPEC.md "A deleted seller's balance"), through a real
 * nats-server and FerretDB: payments' real listeners consume user.deleted (the test stands in for
 * auth), the ClosedAccountPayer pays the closed account's available balance once however many
 * passes run at once, money released later goes in a second payout, and an account without a
 * connected account (or whose payout the processor refused) is paid nothing more and listed to
 * admins as unclaimed. The books are checked with
 * the invariant checker's own rules (bench/lib/check-ledger.js).
 */
import mongoose from 'mongoose';
import request from 'supertest';
import { createLogger, EventBus, makeEvent, OutboxRelay, Streams, Subjects, type Listener, type Subject } from '@jetmart/common';
import { eventually, signinCookie, startNats, useTestDatabase, type NatsTestServer } from '@jetmart/common/testing';
import { chargePendingPayment } from '../../charging';
import { paymentsListeners } from '../../events/listeners';
import { SandboxGateway } from '../../gateway/sandbox-gateway';
import { balanceOf, postSale } from '../../ledger';
import { releasePart, setPayoutAccount, type OrderReplicaLine } from '../../models';
import { seedOrder, testApp, testModels } from '../../__tests__/support/fixtures';
import { ClosedAccountPayer } from '../closed-account-payer';

// eslint-disable-next-line @typescript-eslint/no-require-imports -- bench/ is CommonJS JavaScript without type declarations (the checker's own rules, not a copy)
const { checkLedger } = require('../../../../bench/lib/check-ledger') as {
  checkLedger: (input: Record<string, unknown>) => { counts: Record<string, unknown> };
};

useTestDatabase({ clearEachTest: false, prefix: 'payments_closed_accounts' });
const models = testModels();
const { SellerAccount, Payout, Payment } = models;
const gateway = new SandboxGateway();
const logger = createLogger('payments-test', { level: 'silent' });
const payoutDeps = { models, gateway, currency: 'usd', retryAfterMs: 30_000 };
const app = testApp(gateway, { ADMIN_EMAILS: new Set(['admin@jetmart.dev']) });
const admin = signinCookie({ email: 'admin@jetmart.dev' });
const oid = () => new mongoose.Types.ObjectId().toHexString();
let nats: NatsTestServer;
let bus: EventBus;
let relay: OutboxRelay;
let listeners: Listener<Subject>[] = [];

beforeAll(async () => {
  await Promise.all(Object.values(models).map((m) => m.syncIndexes()));
  nats = await startNats();
  bus = await EventBus.connect({ servers: nats.url, name: 'payments', logger });
  await bus.ensureStreams();
  relay = new OutboxRelay(bus, [models.Payment, models.Refund, models.Payout], { logger, intervalMs: 100 });
  relay.start();
  listeners = paymentsListeners(bus, { models, gateway }, { backoffMs: 50, maxBackoffMs: 200, ackWaitMs: 5_000 }) as Listener<Subject>[];
  for (const l of listeners) await l.start();
}, 60_000);
afterAll(async () => {
  for (const l of listeners) await l.stop();
  await relay?.stop();
  await bus?.drain();
  await nats?.destroy();
});

/** A charged order with one line of `sellerId`'s, on the books through the real charge and sale paths. */
async function sale(sellerId: string, priceMinor: number) {
  const items: OrderReplicaLine[] = [{ productId: oid(), sellerId, priceMinor, quantity: 1 }];
  const order = await seedOrder({ items, totalMinor: priceMinor, status: 'complete' });
  const pending = await Payment.create({
    orderId: order._id,
    userId: order.userId,
    amountMinor: priceMinor,
    currency: 'usd',
    status: 'pending',
    attempt: 1,
    token: 'tok_visa',
  });
  const payment = await chargePendingPayment({ models, gateway }, pending);
  await postSale({ models, commissionPercent: 10 }, payment.id as string);
  return order._id;
}
const release = (orderId: string, sellerId: string) => releasePart(models.Release, { orderId, sellerId, reason: 'return-window-closed' });
const deleteUser = (id: string) => bus.publish(makeEvent(Subjects.UserDeleted, { id, version: 3 }));
const closedAt = async (id: string) => (await SellerAccount.findById(id).lean())?.closedAt;
/** Every user.deleted published so far was handled (acked) by payments' durable. */
async function userDeletedHandled() {
  const durable = listeners.find((l) => l.subject === Subjects.UserDeleted)!.durableName;
  await eventually(async () => {
    const info = await bus.jsm.consumers.info(Streams.users.name, durable);
    return info.num_pending === 0 && info.num_ack_pending === 0;
  });
}
const transfersTo = (destination: string) => gateway.transfers.filter((t) => t.destination === destination);

/** Invariant 11 over the whole database, as bench/check-invariants.js runs it. */
async function theBooks() {
  const problems: string[] = [];
  const [payOrders, payments, refunds, entries, releases, accounts, payouts] = await Promise.all(
    [models.Order, models.Payment, models.Refund, models.LedgerEntry, models.Release, SellerAccount, Payout].map((m) =>
      (m as mongoose.Model<unknown>).find({}).lean(),
    ),
  );
  const { counts } = checkLedger({
    payOrders,
    payments,
    refunds,
    entries,
    releases,
    accounts,
    payouts,
    bad: (what: string, detail: string) => problems.push(`${what}: ${detail}`),
  });
  return { problems, onTheBooks: counts.ordersOnTheBooks };
}

describe("a deleted seller's balance", () => {
  it('user.deleted closes the account once; the payer sends the available balance once, and later releases in a second payout', async () => {
    const seller = oid();
    const first = await sale(seller, 2000); // net 1800
    const second = await sale(seller, 1000); // net 900, still in its return window at deletion
    await release(first, seller);
    await setPayoutAccount(SellerAccount, seller, 'acct_1Deleted');

    await deleteUser(seller);
    const at = await eventually(() => closedAt(seller));
    // A redelivery (auth's outbox may publish twice) changes nothing: the first closing stands.
    await deleteUser(seller);
    await userDeletedHandled();
    expect((await closedAt(seller))!.getTime()).toBe(at.getTime());
    expect(await SellerAccount.findById(seller).lean()).toMatchObject({ stripeAccountId: 'acct_1Deleted', paidOutMinor: 0 });

    // Two replicas' passes at once, then another: one transfer of exactly the available 1800.
    const a = new ClosedAccountPayer(payoutDeps, { logger });
    const b = new ClosedAccountPayer(payoutDeps, { logger });
    const sent = await Promise.all([a.sweep(), b.sweep()]);
    expect(sent[0] + sent[1]).toBe(1);
    expect(await a.sweep()).toBe(0);
    expect(transfersTo('acct_1Deleted')).toEqual([expect.objectContaining({ amountMinor: 1800 })]);
    expect(await balanceOf(models, seller)).toEqual({ pendingMinor: 900, availableMinor: 0, paidOutMinor: 1800 });

    // The pending part's window closes after the deletion: its money goes in a second payout.
    await release(second, seller);
    expect(await a.sweep()).toBe(1);
    expect(await b.sweep()).toBe(0);
    expect(transfersTo('acct_1Deleted').map((t) => t.amountMinor)).toEqual([1800, 900]);
    const payouts = await Payout.find({ sellerId: seller }).sort({ createdAt: 1 }).lean();
    expect(payouts.map((p) => [p.amountMinor, p.status])).toEqual([
      [1800, 'sent'],
      [900, 'sent'],
    ]);
    expect(new Set(transfersTo('acct_1Deleted').map((t) => t.idempotencyKey)).size).toBe(2);
    expect(await balanceOf(models, seller)).toEqual({ pendingMinor: 0, availableMinor: 0, paidOutMinor: 2700 });

    await eventually(async () => (await Payout.countDocuments({ sellerId: seller, 'outbox.0': { $exists: true } })) === 0);
    expect(await theBooks()).toEqual({ problems: [], onTheBooks: 2 });
  }, 90_000);

  it('no connected account: no payout, and the balance is listed to admins as unclaimed', async () => {
    const seller = oid();
    const released = await sale(seller, 3000); // net 2700
    await sale(seller, 500); // net 450 pending
    await release(released, seller);
    const buyerOnly = oid();

    await deleteUser(seller);
    await deleteUser(buyerOnly);
    const at = await eventually(() => closedAt(seller));
    await userDeletedHandled();
    // A user who never sold gets no seller account.
    expect(await SellerAccount.exists({ _id: buyerOnly })).toBeNull();

    const before = gateway.transfers.length;
    await new ClosedAccountPayer(payoutDeps, { logger }).sweep();
    expect(gateway.transfers).toHaveLength(before);
    expect(await Payout.countDocuments({ sellerId: seller })).toBe(0);

    const res = await request(app).get('/api/payments/unclaimed-balances').set('Cookie', admin);
    expect(res.status).toBe(200);
    expect(res.body.balances).toEqual([{ sellerId: seller, available: 27, pending: 4.5, closedAt: at.toISOString() }]);
    // The account paid out in full in the first test is not listed (it has a connected account).
    expect((await request(app).get('/api/payments/unclaimed-balances').set('Cookie', signinCookie())).status).toBe(403);
    expect((await request(app).get('/api/payments/unclaimed-balances')).status).toBe(401);
    expect(await theBooks()).toEqual({ problems: [], onTheBooks: 4 });
  }, 90_000);

  it('a refused payout stops the automatic payouts of that account (one failed payout) and lists its balance as unclaimed', async () => {
    const seller = oid();
    await release(await sale(seller, 1500), seller); // net 1350
    // A destination the sandbox refuses, as Stripe refuses a connected account that is gone.
    await setPayoutAccount(SellerAccount, seller, 'acct_gone-1');
    await deleteUser(seller);
    const at = await eventually(() => closedAt(seller));

    const payer = new ClosedAccountPayer(payoutDeps, { logger });
    expect(await payer.sweep()).toBe(0);
    expect((await SellerAccount.findById(seller).lean())!.payoutsRefusedAt).toEqual(expect.any(Date));
    expect(await payer.sweep()).toBe(0);
    expect(transfersTo('acct_gone-1')).toEqual([]);
    expect((await Payout.find({ sellerId: seller }).lean()).map((p) => p.status)).toEqual(['failed']);
    expect(await balanceOf(models, seller)).toEqual({ pendingMinor: 0, availableMinor: 1350, paidOutMinor: 0 });

    const res = await request(app).get('/api/payments/unclaimed-balances').set('Cookie', admin);
    expect(res.body.balances).toContainEqual({ sellerId: seller, available: 13.5, pending: 0, closedAt: at.toISOString() });
    expect(await theBooks()).toEqual({ problems: [], onTheBooks: 5 });
  }, 90_000);
});
