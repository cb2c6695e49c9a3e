/**
 * A checkout across orders, payments and expiration over one real nats-server, each service on
 * its own database, with an in-memory span exporter: one trace follows the buyer's request from
 * the HTTP span in orders through the outbox relay's order.created publish to its consumption in
 * payments and expiration; then /metrics shows what the traffic did.
 *
 * All three run in this process (as in event-flow.test.ts): payments and expiration through
 * startService exactly as their index.ts wires them (payments on mongoose's global connection),
 * orders by hand on its own connection. The tracer provider is global per process, which is what
 * lets one exporter see every service's spans.
 */
import { randomBytes } from 'node:crypto';
import mongoose, { type Connection } from 'mongoose';
import request from 'supertest';
import {
  EventBus,
  installDatabasePlugins,
  OutboxRelay,
  SpanKind,
  startService,
  Subjects,
  type Listener,
  type ReadableSpan,
  type RunningService,
  type Subject,
} from '@jetmart/common';
import {
  capturingLogger,
  eventually,
  recordSpans,
  signinCookie,
  startNats,
  testDatabaseUrl,
  type NatsTestServer,
} from '@jetmart/common/testing';
import { buildApp as buildExpirationApp } from '../../../expiration/src/app';
import { expirationListeners } from '../../../expiration/src/events/listeners';
import { buildApp as buildPaymentsApp } from '../../../payments/src/app';
import { TEST_SETTINGS } from '../../../payments/src/__tests__/support/fixtures';
import { paymentsListeners } from '../../../payments/src/events/listeners';
import { SandboxGateway } from '../../../payments/src/gateway/sandbox-gateway';
import { paymentsModels, type PaymentsModels } from '../../../payments/src/models';
import { buildApp } from '../app';
import { ordersListeners } from '../events/listeners';
import { ordersModels, type OrdersModels } from '../models';
import { jwtKey, newId, seedProduct, testAddress } from './helpers';

const spans = recordSpans('checkout-test');

const fast = { backoffMs: 50, maxBackoffMs: 200, ackWaitMs: 5_000 };
const silent = capturingLogger('other', 'silent').logger;

let nats: NatsTestServer;
let payments: RunningService<PaymentsModels>;
let expiration: RunningService;
let ordersConn: Connection;
let ordersBus: EventBus;
let ordersRelay: OutboxRelay;
let ordersListenersRunning: Listener<Subject>[];
let orders: OrdersModels;
let ordersApp: ReturnType<typeof buildApp>;
/** Every line orders' logger wrote, parsed. */
const { logger: ordersLogger, lines: ordersLog } = capturingLogger('orders');

beforeAll(async () => {
  nats = await startNats();
  const gateway = new SandboxGateway();
  payments = await startService({
    name: 'payments',
    port: 0,
    natsUrl: nats.url,
    mongoUrl: testDatabaseUrl('payments_trace'),
    logger: silent,
    models: (conn) => paymentsModels(conn),
    outboxModels: (m) => [m.Payment],
    listeners: (ctx) => paymentsListeners(ctx.bus, { models: ctx.models, gateway }, fast),
    app: (ctx) => buildPaymentsApp(ctx, { settings: TEST_SETTINGS, gateway }),
  });
  await Promise.all(Object.values(payments.ctx.models).map((m) => m.syncIndexes()));
  expiration = await startService({
    name: 'expiration',
    port: 0,
    natsUrl: nats.url,
    logger: silent,
    listeners: ({ bus }) => expirationListeners(bus, { maxHoldMs: 300_000, graceMs: 0 }, fast),
    app: (ctx) => buildExpirationApp(ctx, { JWT_KEY: jwtKey(), JWT_TTL_SECONDS: 3600 }),
  });

  const logger = ordersLogger;
  ordersConn = mongoose.createConnection(testDatabaseUrl('orders_trace'));
  installDatabasePlugins(ordersConn);
  await ordersConn.asPromise();
  orders = ordersModels(ordersConn);
  for (const m of Object.values(orders)) await m.syncIndexes();
  ordersBus = await EventBus.connect({ servers: nats.url, name: 'orders', logger });
  ordersRelay = new OutboxRelay(ordersBus, [orders.Order], { logger, intervalMs: 100 });
  ordersRelay.start();
  ordersListenersRunning = ordersListeners(ordersBus, { models: orders }, fast) as Listener<Subject>[];
  for (const l of ordersListenersRunning) await l.start();
  ordersApp = buildApp({ logger, isReady: () => true, models: orders }, { jwtKey: jwtKey(), jwtTtlSeconds: 3600, expirationSeconds: 900 });
}, 60_000);

afterAll(async () => {
  for (const l of ordersListenersRunning ?? []) await l.stop();
  await ordersRelay?.stop();
  await ordersBus?.drain();
  await ordersConn?.dropDatabase().catch(() => undefined);
  await ordersConn?.close();
  await expiration?.stop();
  await mongoose.connection.db?.dropDatabase().catch(() => undefined);
  await payments?.stop();
  await nats?.destroy();
});

const hex = (bytes: number) => randomBytes(bytes).toString('hex');
/** A traceparent as a browser-side tracer (or the ingress) would send it. */
const callerTrace = () => {
  const traceId = hex(16);
  const spanId = hex(8);
  return { traceId, spanId, traceparent: `00-${traceId}-${spanId}-01` };
};

const ofTrace = (traceId: string) => spans.getFinishedSpans().filter((s) => s.spanContext().traceId === traceId);
const parentOf = (s: ReadableSpan) => s.parentSpanContext?.spanId;
const one = (list: ReadableSpan[], what: string) => {
  if (list.length !== 1) throw new Error(`expected one ${what}, found ${list.length}: ${list.map((s) => s.name).join(', ')}`);
  return list[0];
};
const consumerSpan = (traceId: string, durable: string) =>
  ofTrace(traceId).filter((s) => s.kind === SpanKind.CONSUMER && s.attributes['messaging.consumer.group.name'] === durable);

const buyer = { id: newId(), email: 'buyer@trace.test' };
const placeOrder = async (productId: string, traceparent?: string) => {
  const req = request(ordersApp).post('/api/orders').set('Cookie', signinCookie(buyer));
  if (traceparent) req.set('traceparent', traceparent);
  return (await req.send({ items: [{ productId, quantity: 1 }], shippingAddress: testAddress() }).expect(201)).body as { id: string };
};
const replicaInPayments = (orderId: string) => mongoose.connection.db!.collection('orders').findOne({ _id: orderId as never });

it('one trace follows a checkout from the orders request through order.created to payments and expiration, and on to payment', async () => {
  const product = await seedProduct(orders, { priceMinor: 1250, quantity: 5 });
  const checkout = callerTrace();
  const order = await placeOrder(product.id, checkout.traceparent);

  // The HTTP span in orders continues the caller's trace.
  const http = one(
    ofTrace(checkout.traceId).filter((s) => s.kind === SpanKind.SERVER),
    'server span',
  );
  expect(http.name).toBe('POST /api/orders');
  expect(parentOf(http)).toBe(checkout.spanId);
  expect(http.attributes).toMatchObject({ 'http.route': '/api/orders', 'http.response.status_code': 201 });
  // Its database work: the order inserted and confirmed, the product replica's units held.
  const dbSpans = ofTrace(checkout.traceId).filter((s) => s.kind === SpanKind.CLIENT && parentOf(s) === http.spanContext().spanId);
  expect(dbSpans.map((s) => s.attributes['db.collection.name'])).toEqual(expect.arrayContaining(['orders', 'productreplicas']));

  // The relay publishes later, outside the request, yet the publish is the request's child.
  const publish = await eventually(() =>
    ofTrace(checkout.traceId).find((s) => s.kind === SpanKind.PRODUCER && s.name === `publish ${Subjects.OrderCreated}`),
  );
  expect(parentOf(publish)).toBe(http.spanContext().spanId);
  expect(publish.attributes['messaging.message.id']).toBeDefined();

  // Both consumers of order.created process it as children of that publish.
  const inPayments = await eventually(() => consumerSpan(checkout.traceId, 'payments-order-created')[0]);
  const inExpiration = await eventually(() => consumerSpan(checkout.traceId, 'expiration-order-created')[0]);
  for (const consumed of [inPayments, inExpiration]) {
    expect(consumed.name).toBe(`process ${Subjects.OrderCreated}`);
    expect(parentOf(consumed)).toBe(publish.spanContext().spanId);
  }
  expect(inPayments.attributes['jetmart.outcome']).toBe('ack');
  // Expiration holds the message until the order expires: a wait, not a failure.
  expect(inExpiration.attributes['jetmart.outcome']).toBe('wait');
  // The handler ran inside the consumer span: payments' replica write is its child.
  expect(
    ofTrace(checkout.traceId).some(
      (s) =>
        s.kind === SpanKind.CLIENT && parentOf(s) === inPayments.spanContext().spanId && s.attributes['db.collection.name'] === 'orders',
    ),
  ).toBe(true);

  // The request's log line carries the trace id.
  const accessLine = ordersLog.find(
    (l) => l.msg === 'request' && l.method === 'POST' && l.url === '/api/orders' && l.traceId === checkout.traceId,
  );
  expect(accessLine).toBeDefined();

  // Paying continues another caller trace: payments' request → payment.created → orders
  // completes the order → order.completed, whose event was recorded inside the consumer span.
  await eventually(() => replicaInPayments(order.id));
  const pay = callerTrace();
  await request(payments.server)
    .post('/api/payments')
    .set('Cookie', signinCookie(buyer))
    .set('traceparent', pay.traceparent)
    .send({ orderId: order.id, token: 'tok_visa' })
    .expect(201);
  const completedInOrders = await eventually(() => consumerSpan(pay.traceId, 'orders-payment-created')[0]);
  const paymentPublish = one(
    ofTrace(pay.traceId).filter((s) => s.kind === SpanKind.PRODUCER && s.name === `publish ${Subjects.PaymentCreated}`),
    'payment.created publish',
  );
  expect(parentOf(completedInOrders)).toBe(paymentPublish.spanContext().spanId);
  const completedPublish = await eventually(() =>
    ofTrace(pay.traceId).find((s) => s.kind === SpanKind.PRODUCER && s.name === `publish ${Subjects.OrderCompleted}`),
  );
  expect(parentOf(completedPublish)).toBe(completedInOrders.spanContext().spanId);
  await eventually(() => consumerSpan(pay.traceId, 'payments-order-completed')[0]);
  expect((await orders.Order.findById(order.id).lean())!.status).toBe('complete');
}, 60_000);

/** `name{labels} value` lines of a Prometheus text exposition, as a map. */
function parseMetrics(text: string): Map<string, number> {
  const samples = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const at = line.lastIndexOf(' ');
    samples.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return samples;
}

const scrape = async (app: Parameters<typeof request>[0]) => {
  const res = await request(app).get('/metrics').expect(200);
  expect(res.headers['content-type']).toMatch(/^text\/plain/);
  return parseMetrics(res.text);
};

it('/metrics after traffic: request histograms, event counters, consumer lag and business counters', async () => {
  const before = await scrape(ordersApp);
  const at = (m: Map<string, number>, key: string) => m.get(key) ?? 0;

  const product = await seedProduct(orders, { priceMinor: 500, quantity: 10 });
  // One order paid, one declined, one cancelled by the buyer, one expired.
  const paid = await placeOrder(product.id);
  const declined = await placeOrder(product.id);
  const cancelled = await placeOrder(product.id);
  const expired = await placeOrder(product.id);
  await request(ordersApp).get('/api/orders/not-an-id').set('Cookie', signinCookie(buyer)).expect(404);
  await request(ordersApp).delete(`/api/orders/${cancelled.id}`).set('Cookie', signinCookie(buyer)).expect(200);
  for (const o of [paid, declined]) await eventually(() => replicaInPayments(o.id));
  await request(payments.server)
    .post('/api/payments')
    .set('Cookie', signinCookie(buyer))
    .send({ orderId: paid.id, token: 'tok_visa' })
    .expect(201);
  await request(payments.server)
    .post('/api/payments')
    .set('Cookie', signinCookie(buyer))
    .send({ orderId: declined.id, token: 'tok_chargeDeclined' })
    .expect(402);
  await orders.Order.updateOne({ _id: expired.id }, { $set: { expiresAt: new Date(Date.now() - 1000) } });
  await ordersBus.emit(Subjects.ExpirationComplete, { orderId: expired.id, version: 0 });
  // A malformed order.created goes to the dead-letter stream from both of its consumers.
  await ordersBus.js.publish(Subjects.OrderCreated, JSON.stringify({ id: 'broken' }), { msgID: `broken-${hex(4)}` });
  await eventually(async () => (await orders.Order.findById(paid.id).lean())?.status === 'complete');
  await eventually(async () => (await orders.Order.findById(expired.id).lean())?.status === 'cancelled');
  // The listener's log line carries the trace id of the message it handled. The status is saved
  // before the holds are settled and the line is logged, so wait for the line and the span too.
  const expiredLine = await eventually(() => ordersLog.find((l) => l.msg === 'order expired' && l.orderId === expired.id));
  const expiryConsumed = await eventually(() =>
    spans
      .getFinishedSpans()
      .find(
        (sp) =>
          sp.attributes['messaging.consumer.group.name'] === 'orders-expiration-complete' && sp.attributes['jetmart.outcome'] === 'ack',
      ),
  );
  expect(expiredLine?.traceId).toBe(expiryConsumed?.spanContext().traceId);
  expect(expiredLine?.traceId).toMatch(/^[0-9a-f]{32}$/);

  const after = await eventually(async () => {
    const m = await scrape(ordersApp);
    return at(m, 'jetmart_events_deadlettered_total{subject="order.created"}') -
      at(before, 'jetmart_events_deadlettered_total{subject="order.created"}') >=
      2
      ? m
      : null;
  });
  const grew = (key: string) => at(after, key) - at(before, key);

  // Request duration histogram by route and status: counted, with a positive duration sum, and
  // the 404 of an unknown id under its route pattern, not its URL.
  const created = 'method="POST",route="/api/orders",status="201"';
  expect(grew(`http_request_duration_seconds_count{${created}}`)).toBe(4);
  expect(grew(`http_request_duration_seconds_sum{${created}}`)).toBeGreaterThan(0);
  expect(grew(`http_request_duration_seconds_sum{${created}}`)).toBeLessThan(4 * 10);
  expect(grew(`http_request_duration_seconds_bucket{le="+Inf",${created}}`)).toBe(4);
  expect(grew('http_request_duration_seconds_count{method="GET",route="/api/orders/:id",status="404"}')).toBe(1);
  expect(grew('http_request_duration_seconds_count{method="POST",route="/api/payments",status="402"}')).toBe(1);
  expect([...after.keys()].some((k) => k.includes('not-an-id'))).toBe(false);

  // Business counters.
  expect(grew('jetmart_orders_created_total')).toBe(4);
  expect(grew('jetmart_orders_completed_total')).toBe(1);
  expect(grew('jetmart_orders_cancelled_total{reason="buyer"}')).toBe(1);
  expect(grew('jetmart_orders_cancelled_total{reason="expired"}')).toBe(1);
  expect(grew('jetmart_payment_charges_total{outcome="declined"}')).toBe(1);
  expect(grew('jetmart_payment_charges_total{outcome="succeeded"}')).toBe(1);

  // Events, by subject: every order.created published once (duplicates are not re-counted),
  // consumed by payments (ack) and expiration (held: retry outcome counts its waits).
  expect(grew('jetmart_events_published_total{subject="order.created"}')).toBe(4);
  expect(grew('jetmart_events_published_total{subject="expiration.complete"}')).toBe(1);
  await eventually(async () => grew('jetmart_events_consumed_total{subject="order.created",outcome="ack"}') >= 4);
  expect(grew('jetmart_events_consumed_total{subject="order.created",outcome="deadletter"}')).toBe(2);

  // Consumer lag, sampled from the server: expiration holds every open order, so the orders it
  // has not expired yet are ack-pending on its durable; nothing waits undelivered for payments.
  const lag = await scrape(ordersApp);
  expect(
    lag.get('jetmart_consumer_lag_messages{consumer="expiration-order-created",subject="order.created",state="ack_pending"}'),
  ).toBeGreaterThanOrEqual(1);
  expect(lag.get('jetmart_consumer_lag_messages{consumer="payments-order-created",subject="order.created",state="pending"}')).toBe(0);

  // Outbox: everything written has been published.
  await eventually(async () => (await orders.Order.countDocuments({ 'outbox.0': { $exists: true } })) === 0);
  await ordersRelay.flush();
  const drained = await scrape(ordersApp);
  expect(drained.get('jetmart_outbox_backlog')).toBe(0);
  expect(drained.get('jetmart_outbox_oldest_age_seconds')).toBe(0);
}, 90_000);
