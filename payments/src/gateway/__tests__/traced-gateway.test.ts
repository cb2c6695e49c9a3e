/**
 * CLIENT spans around the card processor's calls: as the service wires its gateway
 * (createGateway → sandbox without a Stripe key), a payment's charge span is a child of the HTTP
 * request's SERVER span; through the real Stripe SDK against stripe-mock too; and a processor
 * that cannot be reached leaves an ERROR span with the exception recorded.
 */
import request from 'supertest';
import { SpanKind, SpanStatusCode, tracer, type ReadableSpan } from '@jetmart/common';
import { freePort, recordSpans, signinCookie, useTestDatabase } from '@jetmart/common/testing';
import { startStripeMock, type StripeMock } from '../../__tests__/support/stripe-mock';
import { seedOrder, testApp } from '../../__tests__/support/fixtures';
import { createGateway, GatewayUnavailableError, StripeGateway, tracedGateway, type ChargeRequest } from '..';

const spans = recordSpans('payments-gateway-test');
useTestDatabase({ prefix: 'payments_gateway_spans' });

const chargeRequest = (over: Partial<ChargeRequest> = {}): ChargeRequest => ({
  amountMinor: 2500,
  currency: 'usd',
  token: 'tok_visa',
  idempotencyKey: `k-${Math.random().toString(36).slice(2)}`,
  description: 'jetmart order abc',
  metadata: { orderId: 'abc' },
  ...over,
});

const finished = () => spans.getFinishedSpans();
const named = (name: string) => finished().filter((s) => s.name === name);
const parentOf = (s: ReadableSpan) => s.parentSpanContext?.spanId;

beforeEach(() => spans.reset());

describe('the gateway createGateway builds (sandbox without STRIPE_SECRET_KEY)', () => {
  const gateway = createGateway({
    STRIPE_SECRET_KEY: undefined,
    STRIPE_API_HOST: undefined,
    STRIPE_API_PORT: undefined,
    STRIPE_API_PROTOCOL: undefined,
  });

  it('POST /api/payments: a CLIENT span "sandbox charge" (gateway, outcome) child of the request span', async () => {
    const order = await seedOrder();
    const res = await request(testApp(gateway))
      .post('/api/payments')
      .set('Cookie', signinCookie({ id: order.userId }))
      .send({ orderId: order._id, token: 'tok_visa' });
    expect(res.status).toBe(201);

    const [server] = named('POST /api/payments');
    expect(server?.kind).toBe(SpanKind.SERVER);
    const [charge] = named('sandbox charge');
    expect(charge).toBeDefined();
    expect(charge.kind).toBe(SpanKind.CLIENT);
    expect(charge.attributes).toMatchObject({ 'jetmart.gateway': 'sandbox', 'jetmart.outcome': 'succeeded' });
    expect(charge.status.code).toBe(SpanStatusCode.UNSET);
    expect(charge.spanContext().traceId).toBe(server.spanContext().traceId);
    expect(parentOf(charge)).toBe(server.spanContext().spanId);
  });

  it('a declined card is an outcome, not a span error', async () => {
    const order = await seedOrder();
    const res = await request(testApp(gateway))
      .post('/api/payments')
      .set('Cookie', signinCookie({ id: order.userId }))
      .send({ orderId: order._id, token: 'tok_chargeDeclined' });
    expect(res.status).toBe(402);
    const [charge] = named('sandbox charge');
    expect(charge.attributes).toMatchObject({ 'jetmart.gateway': 'sandbox', 'jetmart.outcome': 'declined' });
    expect(charge.status.code).toBe(SpanStatusCode.UNSET);
    expect(parentOf(charge)).toBe(named('POST /api/payments')[0].spanContext().spanId);
  });

  it('refund: a CLIENT span "sandbox refund" under the active span', async () => {
    const charged = await gateway.charge(chargeRequest());
    if (charged.outcome !== 'succeeded') throw new Error('sandbox charge failed');
    await tracer().startActiveSpan('process order.cancelled', async (parent) => {
      await gateway.refund({ chargeId: charged.chargeId, amountMinor: 2500, idempotencyKey: 'refund-1' });
      parent.end();
    });
    const [refund] = named('sandbox refund');
    expect(refund.kind).toBe(SpanKind.CLIENT);
    expect(refund.attributes).toMatchObject({ 'jetmart.gateway': 'sandbox', 'jetmart.outcome': 'refunded' });
    expect(parentOf(refund)).toBe(named('process order.cancelled')[0].spanContext().spanId);
  });
});

describe('StripeGateway, traced', () => {
  let mock: StripeMock;
  beforeAll(async () => {
    mock = await startStripeMock();
  });
  afterAll(async () => {
    await mock?.stop();
  });

  it('charge and refund against stripe-mock: CLIENT spans with gateway=stripe', async () => {
    const gateway = tracedGateway(
      new StripeGateway({ secretKey: 'sk_test_123', host: mock.host, port: mock.port, protocol: 'http', maxNetworkRetries: 0 }),
    );
    const charged = await gateway.charge(chargeRequest());
    expect(charged.outcome).toBe('succeeded');
    await gateway.refund({ chargeId: (charged as { chargeId: string }).chargeId, amountMinor: 2500, idempotencyKey: 'refund-stripe-1' });
    expect(named('stripe charge')[0]?.attributes).toMatchObject({ 'jetmart.gateway': 'stripe', 'jetmart.outcome': 'succeeded' });
    expect(named('stripe refund')[0]?.attributes).toMatchObject({ 'jetmart.gateway': 'stripe', 'jetmart.outcome': 'refunded' });
    for (const s of [...named('stripe charge'), ...named('stripe refund')]) expect(s.kind).toBe(SpanKind.CLIENT);
  });

  it('an unreachable processor: the span is an error with the exception recorded, and the error is thrown on', async () => {
    const closed = await freePort();
    const gateway = tracedGateway(
      new StripeGateway({
        secretKey: 'sk_test_123',
        host: '127.0.0.1',
        port: closed,
        protocol: 'http',
        maxNetworkRetries: 0,
        timeoutMs: 2_000,
      }),
    );
    await expect(gateway.charge(chargeRequest())).rejects.toBeInstanceOf(GatewayUnavailableError);
    const [charge] = named('stripe charge');
    expect(charge.attributes).toMatchObject({ 'jetmart.gateway': 'stripe', 'jetmart.outcome': 'error' });
    expect(charge.status.code).toBe(SpanStatusCode.ERROR);
    expect(charge.status.message).toMatch(/Stripe charge failed/);
    expect(charge.events.find((e) => e.name === 'exception')?.attributes?.['exception.type']).toBe('GatewayUnavailableError');
  });
});
