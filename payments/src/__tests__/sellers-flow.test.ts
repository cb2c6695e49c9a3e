/**
 * The sellers' books as index.ts wires the service (listeners, outbox relay, HTTP, the Stripe SDK
 * against stripe-mock) on real JetStream and FerretDB: a paid order is credited through payments'
 * own payment.created, a cancelled part is refunded at the processor and debited through
 * payment.refunded, a closed return window makes the rest available, and a payout is a Stripe
 * transfer whose payment.payout-sent reaches JetStream once.
 */
import mongoose from 'mongoose';
import request from 'supertest';
import { AckPolicy, DeliverPolicy } from '@nats-io/jetstream';
import { createLogger, makeEvent, startService, Subjects, type RunningService } from '@jetmart/common';
import { eventually, signinCookie, startNats, testDatabaseUrl, type NatsTestServer } from '@jetmart/common/testing';
import { buildApp } from '../app';
import { paymentsListeners } from '../events/listeners';
import { StripeGateway } from '../gateway/stripe-gateway';
import { paymentsModels, type PaymentsModels } from '../models';
import { startStripeMock, type StripeMock } from './support/stripe-mock';
import { TEST_SETTINGS } from './support/fixtures';

const oid = () => new mongoose.Types.ObjectId().toHexString();

describe('sellers’ books through the running service (JetStream, FerretDB, stripe-mock)', () => {
  let nats: NatsTestServer;
  let stripe: StripeMock;
  let service: RunningService<PaymentsModels>;
  const models = () => service.ctx.models;

  beforeAll(async () => {
    [nats, stripe] = await Promise.all([startNats(), startStripeMock()]);
    const gateway = new StripeGateway({
      secretKey: 'sk_test_123',
      host: stripe.host,
      port: stripe.port,
      protocol: 'http',
      maxNetworkRetries: 0,
    });
    service = await startService({
      name: 'payments',
      port: 0,
      natsUrl: nats.url,
      mongoUrl: testDatabaseUrl('payments_sellers_flow'),
      logger: createLogger('payments-test', { level: 'silent' }),
      models: (conn) => paymentsModels(conn),
      outboxModels: (m) => [m.Payment, m.Refund, m.Payout],
      listeners: (ctx) => paymentsListeners(ctx.bus, { models: ctx.models, gateway, commissionPercent: 12 }),
      app: (ctx) => buildApp(ctx, { settings: TEST_SETTINGS, gateway }),
    });
    await Promise.all(Object.values(service.ctx.models).map((m) => m.syncIndexes()));
  });
  afterAll(async () => {
    await service?.stop();
    await Promise.all([nats?.destroy(), stripe?.stop()]);
  });

  it('sale, cancelled part, release, payout: each seller’s balance is the hand computation and the order balances', async () => {
    const buyer = oid();
    const [sellerA, sellerB] = [oid(), oid()];
    const orderId = oid();
    await service.ctx.bus.publish(
      makeEvent(Subjects.OrderCreated, {
        id: orderId,
        userId: buyer,
        status: 'created',
        expiresAt: new Date(Date.now() + 60_000).toISOString(),
        items: [
          { productId: 'pa', sellerId: sellerA, quantity: 2, title: 'Kettle', priceMinor: 2499 },
          { productId: 'pb', sellerId: sellerB, quantity: 1, title: 'Cup', priceMinor: 799 },
        ],
        totalMinor: 2 * 2499 + 799,
        version: 0,
      }),
    );
    const paid = await eventually(async () => {
      const r = await request(service.server)
        .post('/api/payments')
        .set('Cookie', signinCookie({ id: buyer }))
        .send({ orderId, token: 'tok_visa' });
      return r.status === 404 ? undefined : r;
    });
    expect(paid.status).toBe(201);

    // 12%: A 4998 → commission 600 (599.76), net 4398; B 799 → 96 (95.88), net 703.
    const ledgerOf = async (sellerId: string) =>
      (
        await request(service.server)
          .get('/api/sellers/me/ledger')
          .set('Cookie', signinCookie({ id: sellerId, emailVerified: true }))
      ).body;
    await eventually(async () => (await models().LedgerEntry.countDocuments({ orderId })) === 2);
    expect((await ledgerOf(sellerA)).balance).toEqual({ pending: 43.98, available: 0, paidOut: 0 });
    expect((await ledgerOf(sellerB)).entries[0]).toMatchObject({
      kind: 'sale',
      gross: 7.99,
      commission: 0.96,
      net: 7.03,
      commissionPercent: 12,
    });

    // B's part is cancelled: refunded at Stripe, debited, released.
    const partB = oid();
    await service.ctx.bus.publish(
      makeEvent(Subjects.ShipmentCancelled, {
        id: partB,
        orderId,
        sellerId: sellerB,
        buyerId: buyer,
        items: [{ productId: 'pb', quantity: 1, priceMinor: 799 }],
        amountMinor: 799,
        cancelledAt: new Date().toISOString(),
        version: 1,
      }),
    );
    await eventually(async () => (await models().LedgerEntry.countDocuments({ orderId, kind: 'refund' })) === 1);
    await eventually(async () => (await ledgerOf(sellerB)).balance.pending === 0);
    expect((await ledgerOf(sellerB)).balance).toEqual({ pending: 0, available: 0, paidOut: 0 });

    // A's return window closes: A's part is available.
    await service.ctx.bus.publish(makeEvent(Subjects.ReturnWindowClosed, { shipmentId: oid(), orderId, sellerId: sellerA, version: 2 }));
    await eventually(async () => (await ledgerOf(sellerA)).balance.available === 43.98);

    // The books of the order: credits + commission = charged − refunded.
    const entries = await models().LedgerEntry.find({ orderId }).lean();
    expect(entries.reduce((s, e) => s + e.netMinor + e.commissionMinor, 0)).toBe(2 * 2499 + 799 - 799);

    // A's payout: a Stripe transfer, payment.payout-sent on JetStream once.
    const a = signinCookie({ id: sellerA, emailVerified: true });
    expect(
      (await request(service.server).put('/api/sellers/me/account').set('Cookie', a).send({ stripeAccountId: 'acct_1Kettle' })).status,
    ).toBe(200);
    const payout = await request(service.server).post('/api/payouts').set('Cookie', a).send({});
    expect(payout.status).toBe(201);
    expect(payout.body).toMatchObject({ amount: 43.98, status: 'sent', transferId: expect.stringMatching(/^tr_/) });
    expect((await request(service.server).post('/api/payouts').set('Cookie', a).send({})).status).toBe(409);
    await eventually(async () => ((await models().Payout.findById(payout.body.id).lean())!.outbox.length === 0 ? true : undefined));
    const jsm = service.ctx.bus.jsm;
    await jsm.consumers.add('PAYMENTS', {
      durable_name: 'probe-payouts',
      ack_policy: AckPolicy.None,
      deliver_policy: DeliverPolicy.All,
      filter_subject: 'payment.payout-sent',
    });
    const probe = await service.ctx.bus.js.consumers.get('PAYMENTS', 'probe-payouts');
    const sent = await probe.next();
    expect(sent!.json()).toMatchObject({
      subject: 'payment.payout-sent',
      data: { id: payout.body.id, sellerId: sellerA, amountMinor: 4398, currency: 'usd', transferId: payout.body.transferId, version: 1 },
    });
    expect((await jsm.consumers.info('PAYMENTS', 'probe-payouts')).num_pending).toBe(0);
    expect((await ledgerOf(sellerA)).balance).toEqual({ pending: 0, available: 0, paidOut: 43.98 });
  });
});
