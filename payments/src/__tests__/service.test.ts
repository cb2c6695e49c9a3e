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

// The service as index.ts wires it (listeners, outbox relay, HTTP), charging through the Stripe
// SDK against stripe-mock: an order arrives as an event, is paid over HTTP, and payment.started
// then payment.created reach JetStream.
describe('payments service with the Stripe gateway (stripe-mock)', () => {
  let nats: NatsTestServer;
  let stripe: StripeMock;
  let service: RunningService<PaymentsModels>;
  const Payment = () => service.ctx.models.Payment;

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
      mongoUrl: testDatabaseUrl('payments_service'),
      logger: createLogger('payments-test', { level: 'silent' }),
      models: (conn) => paymentsModels(conn),
      outboxModels: (m) => [m.Payment, m.Refund],
      listeners: (ctx) => paymentsListeners(ctx.bus, { models: ctx.models, gateway }),
      app: (ctx) => buildApp(ctx, { settings: TEST_SETTINGS, gateway }),
    });
    await Promise.all(Object.values(service.ctx.models).map((m) => m.syncIndexes()));
  });
  afterAll(async () => {
    await mongoose.connection.db?.dropDatabase().catch(() => undefined);
    await service?.stop();
    await Promise.all([nats?.destroy(), stripe?.stop()]);
  });

  it('pays an order known from order.created and publishes payment.started and payment.created once', async () => {
    const userId = new mongoose.Types.ObjectId().toHexString();
    const orderId = new mongoose.Types.ObjectId().toHexString();
    await service.ctx.bus.publish(
      makeEvent(Subjects.OrderCreated, {
        id: orderId,
        userId,
        status: 'created',
        expiresAt: new Date(Date.now() + 60_000).toISOString(),
        items: [{ productId: 'p1', quantity: 1, title: 'Kettle', priceMinor: 1999 }],
        totalMinor: 1999,
        version: 0,
      }),
    );
    const cookie = signinCookie({ id: userId });
    const res = await eventually(async () => {
      const r = await request(service.server)
        .post('/api/payments')
        .set('Cookie', cookie)
        .set('Idempotency-Key', 'k1')
        .send({ orderId, token: 'tok_visa' });
      return r.status === 404 ? undefined : r; // the replica may not exist yet
    });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({ id: expect.any(String), orderId, amount: 19.99, refunded: 0, refunds: [] });
    expect((await Payment().findById(res.body.id).lean())!.chargeId).toMatch(/^ch_/);

    const replay = await request(service.server)
      .post('/api/payments')
      .set('Cookie', cookie)
      .set('Idempotency-Key', 'k1')
      .send({ orderId, token: 'tok_visa' });
    expect(replay.status).toBe(201);
    expect(replay.body).toEqual(res.body);

    const jsm = service.ctx.bus.jsm;
    await eventually(async () => (await jsm.streams.info('PAYMENTS')).state.messages === 2);
    await eventually(async () => ((await Payment().findById(res.body.id).lean())!.outbox.length === 0 ? true : undefined));
    await jsm.consumers.add('PAYMENTS', { durable_name: 'probe', ack_policy: AckPolicy.None, deliver_policy: DeliverPolicy.All });
    const probe = await service.ctx.bus.js.consumers.get('PAYMENTS', 'probe');
    const started = await probe.next();
    const created = await probe.next();
    expect(started!.json()).toMatchObject({
      subject: 'payment.started',
      data: { id: res.body.id, orderId, userId, attempt: 1, version: 0 },
    });
    expect(created!.json()).toMatchObject({
      subject: 'payment.created',
      data: { id: res.body.id, orderId, userId, amountMinor: 1999, version: 1 },
    });
    expect((await jsm.streams.info('PAYMENTS')).state.messages).toBe(2);
  });
});
