/**
 * "A crash between the processor's answer and the write must not refund twice or lose the refund",
 * with the real thing: payments runs as its own process (the built dist, as in production) with the
 * Stripe gateway pointed at a recording proxy in front of stripe-mock. The proxy forwards the refund
 * to stripe-mock, receives its answer and then stalls, so the refund happened at the processor but
 * payments never hears it; the test kill -9s payments there, starts it again, and the redelivered
 * return.received completes the refund. The processor must have seen the same Idempotency-Key
 * both times, and there must be one Refund record, refundedMinor = the amount and one
 * payment.refunded on the stream. Needs `npm run build -w common -w payments`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer, request as httpRequest, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import mongoose from 'mongoose';
import { createLogger, EventBus, makeEvent, Subjects, type Event } from '@jetmart/common';
import { eventually, freePort, readStream, startNats, TEST_JWT_KEY, useTestDatabase, type NatsTestServer } from '@jetmart/common/testing';
import { StripeGateway } from '../gateway/stripe-gateway';
import { paymentsModels } from '../models';
import { startStripeMock, type StripeMock } from './support/stripe-mock';

const dist = resolve(__dirname, '..', '..', 'dist', 'index.js');
const { connection, url } = useTestDatabase({ clearEachTest: false, prefix: 'payments_refund_crash' });
const models = paymentsModels(connection);
const oid = () => new mongoose.Types.ObjectId().toHexString();

interface Seen {
  url?: string;
  headers: IncomingHttpHeaders;
  body: string;
  /** The upstream (stripe-mock) answer arrived at the proxy. */
  answered: boolean;
}

/** A recording proxy to stripe-mock; while `stallRefunds`, a refund's answer is received and never passed on. */
async function recordingProxy(mock: StripeMock) {
  const seen: Seen[] = [];
  const stalled: ServerResponse[] = [];
  const state = { stallRefunds: true };
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      const s: Seen = { url: req.url, headers: req.headers, body, answered: false };
      seen.push(s);
      const up = httpRequest({ host: mock.host, port: mock.port, path: req.url, method: req.method, headers: req.headers }, (upRes) => {
        let answer = Buffer.alloc(0);
        upRes.on('data', (c: Buffer) => (answer = Buffer.concat([answer, c])));
        upRes.on('end', () => {
          s.answered = true;
          if (state.stallRefunds && req.url === '/v1/refunds') {
            stalled.push(res);
            return;
          }
          res.writeHead(upRes.statusCode ?? 502, upRes.headers);
          res.end(answer);
        });
      });
      up.end(body);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as AddressInfo).port,
    seen,
    state,
    refunds: () => seen.filter((s) => s.url === '/v1/refunds'),
    close: () =>
      new Promise<void>((r) => {
        for (const res of stalled) res.destroy();
        server.close(() => r());
        server.closeAllConnections();
      }),
  };
}

let nats: NatsTestServer;
let stripe: StripeMock;
let proxy: Awaited<ReturnType<typeof recordingProxy>>;
let bus: EventBus;
let proc: ChildProcess | undefined;
let output = '';

async function startPayments(): Promise<ChildProcess> {
  const port = await freePort();
  const child = spawn(process.execPath, [dist], {
    env: {
      ...process.env,
      PORT: String(port),
      MONGO_URL: url(),
      NATS_URL: nats.url,
      JWT_KEY: TEST_JWT_KEY,
      STRIPE_SECRET_KEY: 'sk_test_123',
      STRIPE_API_HOST: '127.0.0.1',
      STRIPE_API_PORT: String(proxy.port),
      STRIPE_API_PROTOCOL: 'http',
      NODE_ENV: 'test',
      LOG_LEVEL: 'warn',
      LOG_FORMAT: 'json',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const keep = (b: Buffer) => (output = (output + b.toString()).slice(-8000));
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  await eventually(
    async () => {
      if (child.exitCode !== null) throw new Error(`payments exited with ${child.exitCode}: ${output}`);
      return (await fetch(`http://127.0.0.1:${port}/readyz`).catch(() => undefined))?.ok;
    },
    60_000,
    100,
  );
  return child;
}

const stop = (child: ChildProcess | undefined, signal: NodeJS.Signals) =>
  new Promise<void>((done) => {
    if (!child || child.exitCode !== null || child.signalCode !== null) return done();
    child.once('exit', () => done());
    child.kill(signal);
  });

beforeAll(async () => {
  if (!existsSync(dist)) throw new Error(`${dist} is missing: run \`npm run build -w common -w payments\``);
  [nats, stripe] = await Promise.all([startNats(), startStripeMock()]);
  proxy = await recordingProxy(stripe);
  bus = await EventBus.connect({ servers: nats.url, name: 'payments-crash-test', logger: createLogger('test', { level: 'silent' }) });
  await bus.ensureStreams();
  await Promise.all(Object.values(models).map((m) => m.syncIndexes()));
}, 60_000);

afterAll(async () => {
  await stop(proc, 'SIGTERM');
  await bus?.drain();
  await proxy?.close();
  await Promise.all([nats?.destroy(), stripe?.stop()]);
});

it('kill -9 after the processor refunded and before the record: the restart refunds with the same key, once', async () => {
  const orderId = oid();
  const userId = oid();
  const charge = await new StripeGateway({ secretKey: 'sk_test_123', host: stripe.host, port: stripe.port, protocol: 'http' }).charge({
    amountMinor: 7000,
    currency: 'usd',
    token: 'tok_visa',
    idempotencyKey: `charge-${orderId}`,
    description: 'crash test',
    metadata: {},
  });
  if (charge.outcome !== 'succeeded') throw new Error('stripe-mock did not charge');
  const payment = await models.Payment.create({
    orderId,
    userId,
    amountMinor: 7000,
    currency: 'usd',
    status: 'succeeded',
    attempt: 1,
    chargeId: charge.chargeId,
  });

  proc = await startPayments();
  const returned: Event<typeof Subjects.ReturnReceived> = makeEvent(Subjects.ReturnReceived, {
    id: oid(),
    orderId,
    shipmentId: oid(),
    sellerId: oid(),
    buyerId: userId,
    items: [{ productId: 'p1', quantity: 2, priceMinor: 1250 }],
    amountMinor: 2500,
    restock: true,
    version: 2,
  });
  const refundId = `return-${returned.data.id}`;
  await bus.publish(returned);

  // The processor refunded (stripe-mock answered the proxy); payments is still waiting for the answer.
  await eventually(() => proxy.refunds().some((s) => s.answered), 60_000);
  await stop(proc, 'SIGKILL');
  expect(await models.Payment.findById(payment.id).lean()).toMatchObject({ refundedMinor: 2500, refundKeys: [refundId] });
  expect(await models.Refund.countDocuments()).toBe(0);

  // Restart; the unacknowledged return.received is redelivered (after the durable's ack wait).
  proxy.state.stallRefunds = false;
  proc = await startPayments();
  const refund = await eventually(() => models.Refund.findById(refundId).lean(), 90_000, 250);

  const calls = proxy.refunds();
  expect(calls.length).toBeGreaterThanOrEqual(2);
  expect(new Set(calls.map((c) => c.headers['idempotency-key']))).toEqual(new Set([`jetmart-refund-${refundId}`]));
  for (const c of calls) {
    const params = new URLSearchParams(c.body);
    expect(params.get('charge')).toBe(charge.chargeId);
    expect(params.get('amount')).toBe('2500');
  }
  expect(refund).toMatchObject({
    orderId,
    reason: 'return',
    sourceId: returned.data.id,
    amountMinor: 2500,
    processorRefundId: expect.stringMatching(/^re_/),
  });
  expect(await models.Refund.countDocuments()).toBe(1);
  expect(await models.Payment.findById(payment.id).lean()).toMatchObject({
    status: 'succeeded',
    refundedMinor: 2500,
    refundKeys: [refundId],
  });

  // Its payment.refunded is published once (the relay removes the entry after publishing it).
  await eventually(async () => ((await models.Refund.findById(refundId).lean())!.outbox.length === 0 ? true : undefined), 30_000);
  const published = await readStream(bus, 'PAYMENTS', { subject: Subjects.PaymentRefunded });
  expect(published.map((m) => m.json<Event<typeof Subjects.PaymentRefunded>>().data)).toEqual([
    expect.objectContaining({ id: refundId, paymentId: payment.id, amountMinor: 2500, reason: 'return', version: 0 }),
  ]);
}, 240_000);
