/**
 * 10,000 orders pending expiry at once, held by two replicas of the built expiration service on
 * a real nats-server: every order's expiration.complete is published once, none early, none twice,
 * none dead-lettered. Prints the timings (see the command in expiration-10k.jest.config.js).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join, resolve } from 'node:path';
import { createLogger, EventBus, makeEvent, Subjects } from '@jetmart/common';
import { eventually, freePort, startNats, TEST_JWT_KEY, type NatsTestServer } from '@jetmart/common/testing';

const ORDERS = Number(process.env.BENCH_ORDERS ?? 10_000);
const HOLD_MS = Number(process.env.BENCH_HOLD_MS ?? 20_000);
const root = resolve(__dirname, '..');

let nats: NatsTestServer;
let bus: EventBus;
const replicas: ChildProcess[] = [];

async function startExpiration(): Promise<ChildProcess> {
  const port = await freePort();
  const proc = spawn(process.execPath, [join(root, 'expiration', 'dist', 'index.js')], {
    env: {
      ...process.env,
      PORT: String(port),
      NATS_URL: nats.url,
      JWT_KEY: TEST_JWT_KEY,
      NODE_ENV: 'test',
      LOG_LEVEL: 'warn',
      LOG_FORMAT: 'json',
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  await eventually(async () => (await fetch(`http://127.0.0.1:${port}/readyz`)).ok, 30_000, 100);
  return proc;
}

beforeAll(async () => {
  nats = await startNats();
  bus = await EventBus.connect({ servers: nats.url, name: 'bench', logger: createLogger('bench', { level: 'silent' }) });
  replicas.push(await startExpiration(), await startExpiration());
});

afterAll(async () => {
  await Promise.all(
    replicas.map((p) => new Promise<void>((done) => (p.exitCode !== null ? done() : (p.once('exit', () => done()), p.kill('SIGTERM'))))),
  );
  await bus?.drain();
  await nats?.destroy();
});

it(`${ORDERS} pending expiries all fire once, none early`, async () => {
  const expiresAt = new Map<string, number>();
  const t0 = Date.now();
  for (let i = 0; i < ORDERS; i += 500) {
    await Promise.all(
      Array.from({ length: Math.min(500, ORDERS - i) }, async () => {
        const id = randomBytes(12).toString('hex');
        const at = Date.now() + HOLD_MS;
        expiresAt.set(id, at);
        await bus.publish(
          makeEvent(Subjects.OrderCreated, {
            id,
            userId: 'bench-buyer',
            status: 'created',
            expiresAt: new Date(at).toISOString(),
            items: [{ productId: 'p', quantity: 1, title: 'T', priceMinor: 100 }],
            totalMinor: 100,
            version: 0,
          }),
        );
      }),
    );
  }
  const published = Date.now();
  const lastDue = Math.max(...expiresAt.values());

  // All held at once, none fired yet.
  const held = await eventually(async () => {
    const c = await bus.jsm.consumers.info('ORDERS', 'expiration-order-created');
    return c.num_ack_pending === ORDERS ? c : undefined;
  }, HOLD_MS);
  expect(held.num_pending).toBe(0);
  expect((await bus.jsm.streams.info('EXPIRATION')).state.messages).toBe(0);

  await eventually(async () => (await bus.jsm.streams.info('EXPIRATION')).state.messages >= ORDERS || undefined, HOLD_MS + 300_000, 250);
  const allFired = Date.now();
  await new Promise((r) => setTimeout(r, 5_000));

  // Read every expiration.complete back: each order exactly once, never before its expiresAt.
  const seen = new Map<string, number>();
  let maxLateMs = 0;
  let early = 0;
  const consumer = await bus.js.consumers.get('EXPIRATION');
  const messages = await consumer.consume();
  let read = 0;
  const total = (await bus.jsm.streams.info('EXPIRATION')).state.messages;
  for await (const m of messages) {
    const e = m.json<{ id: string; data: { orderId: string } }>();
    seen.set(e.data.orderId, (seen.get(e.data.orderId) ?? 0) + 1);
    const due = expiresAt.get(e.data.orderId)!;
    const late = m.info.timestampNanos / 1e6 - due;
    if (late < 0) early++;
    maxLateMs = Math.max(maxLateMs, late);
    if (++read === total) break;
  }
  await messages.close();

  const consumerAfter = await bus.jsm.consumers.info('ORDERS', 'expiration-order-created');
  const deadLettered = (await bus.jsm.streams.info('DEADLETTER')).state.messages;
  const report = {
    orders: ORDERS,
    holdMs: HOLD_MS,
    publishMs: published - t0,
    lastDueToAllFiredMs: allFired - lastDue,
    totalMs: allFired - t0,
    maxLateMs: Math.round(maxLateMs),
    events: total,
    distinctOrders: seen.size,
    duplicates: [...seen.values()].filter((n) => n > 1).length,
    early,
    deadLettered,
    ackPendingAfter: consumerAfter.num_ack_pending,
  };
  console.log(`expiration 10k bench: ${JSON.stringify(report)}`);
  expect(total).toBe(ORDERS);
  expect(seen.size).toBe(ORDERS);
  expect(report.duplicates).toBe(0);
  expect(early).toBe(0);
  expect(deadLettered).toBe(0);
  expect(consumerAfter.num_ack_pending).toBe(0);
});
