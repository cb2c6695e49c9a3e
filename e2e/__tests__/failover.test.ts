/**
 * Failover (issue 20) on the HA platform (`npm start -- --ha`: 3-node JetStream cluster, R3
 * streams, two processes of every service behind the round-robin gateway), under a steady
 * checkout load through its one port:
 *   1. kill -9 the nats-server that leads the ORDERS stream;
 *   2. while that node is still down, kill -9 one process of every service;
 *   3. the platform restarts them (as Kubernetes would, after JETMART_HA_RESTART_DELAY_SECONDS);
 *   4. the load goes on until everything is back, then stops; once quiet (outboxes empty, every
 *      durable drained) the invariant checker runs on every database with what the clients were
 *      told (every 201 order stored, every 201 payment complete, every 200 cancel cancelled).
 * It prints the errors the load saw and the outage window (the longest time with no checkout
 * placed, around the faults, against the same measure before them); docs/RELIABILITY.md has
 * the numbers. Only the invariants are asserted: timings are measured, not asserted.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MongoClient } from 'mongodb';
import { createLogger, EventBus, natsServers } from '@jetmart/common';
import { eventually } from '@jetmart/common/testing';
import { httpClient, signUp, startLocalPlatform, type HttpClient, type LocalPlatform } from '../support/local-platform';

// eslint-disable-next-line @typescript-eslint/no-require-imports -- the checker is a plain CommonJS script of bench/
const { checkInvariants } = require('../../bench/check-invariants.js') as {
  checkInvariants(o: {
    mongo: string;
    expect?: string;
    log?: (s: string) => void;
  }): Promise<{ violations: { kind: string; detail: string }[]; counts: Record<string, unknown> }>;
};

const BUYERS = 4;
const EXPIRATION_SECONDS = 15;
const RESTART_DELAY_SECONDS = 6;
const SHIPPING_ADDRESS = { name: 'Failover Buyer', line1: '1 Raft Road', city: 'Berlin', postalCode: '10115', country: 'DE' };
const pidFile = join(tmpdir(), `jetmart-failover-${process.pid}.json`);
const expectFile = join(tmpdir(), `jetmart-failover-expect-${process.pid}.json`);
const logger = createLogger('failover-test', { level: 'silent' });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface PidFile {
  children: { name: string; pid: number; port?: number }[];
  natsNodes: { name: string; url: string; monitorUrl: string; pid: number }[];
}
const pids = (): PidFile => JSON.parse(readFileSync(pidFile, 'utf8')) as PidFile;

let platform: LocalPlatform;
let bus: EventBus;
let mongo: MongoClient;
beforeAll(async () => {
  platform = await startLocalPlatform(
    'failover',
    {
      JETMART_PID_FILE: pidFile,
      ORDER_EXPIRATION_SECONDS: String(EXPIRATION_SECONDS),
      JETMART_HA_RESTART_DELAY_SECONDS: String(RESTART_DELAY_SECONDS),
      LOG_LEVEL: 'warn',
    },
    ['--ha'],
  );
  const natsUrl = pids()
    .natsNodes.map((n) => n.url)
    .join(',');
  bus = await EventBus.connect({ servers: natsServers(natsUrl), name: 'failover-test', logger });
  mongo = await MongoClient.connect(platform.mongoUrl);
}, 240_000);
afterAll(async () => {
  await bus?.drain().catch(() => undefined);
  await mongo?.close();
  await platform?.stop();
  rmSync(pidFile, { force: true });
  rmSync(expectFile, { force: true });
}, 90_000);
afterEach(() => {
  if (expect.getState().suppressedErrors?.length) console.log(`--- platform output\n${platform.output().slice(-8000)}`);
});

/** What the load saw, with times (ms since the load started). */
interface Seen {
  at: number;
  what: string;
  status: number;
}

it('survives kill -9 of the ORDERS leader node and of one process of every service, under checkout load: nothing lost', async () => {
  const base = () => platform.baseUrl;
  const started = pids();
  expect(started.natsNodes).toHaveLength(3);
  const info = await bus.jsm.streams.info('ORDERS');
  expect(info.config.num_replicas).toBe(3);

  // The shop: one seller, products with plenty of stock, buyers.
  const seller = httpClient(base);
  await signUp(seller, `seller-${randomUUID()}@failover.dev`);
  const productIds: string[] = [];
  for (let i = 0; i < 4; i++) {
    const r = await seller('POST', '/api/products', { title: `Failover item ${i}`, price: 3 + i, quantity: 100_000 });
    expect(r.status).toBe(201);
    productIds.push(r.body.id);
  }
  const buyers: HttpClient[] = [];
  for (let i = 0; i < BUYERS; i++) {
    const b = httpClient(base);
    await signUp(b, `buyer-${i}-${randomUUID()}@failover.dev`);
    buyers.push(b);
  }

  const told = { orders: [] as string[], paid: [] as string[], cancelled: [] as string[] };
  const seen: Seen[] = [];
  const t0 = Date.now();
  const note = (what: string, status: number) => seen.push({ at: Date.now() - t0, what, status });
  /** One request; a network error is status 0 (the gateway's 502 is a status like any other). */
  const call = async (c: HttpClient, method: string, path: string, body?: unknown, what = path) => {
    const r = await c(method, path, body).catch(() => ({ status: 0, body: undefined as never }));
    note(what, r.status);
    return r;
  };
  let running = true;
  const buyerLoop = async (b: HttpClient, n: number) => {
    for (let k = 0; running; k++) {
      const productId = productIds[(n + k) % productIds.length]!;
      const placed = await call(
        b,
        'POST',
        '/api/orders',
        { items: [{ productId, quantity: 1 }], shippingAddress: SHIPPING_ADDRESS },
        'order',
      );
      if (placed.status !== 201) {
        await sleep(200);
        continue;
      }
      const orderId = placed.body.id;
      told.orders.push(orderId);
      const roll = k % 7;
      if (roll < 5) {
        // Pay; 404 while payments has not heard of the order yet, 5xx/0 while a part is down: try again.
        for (let attempt = 0; attempt < 30; attempt++) {
          const p = await call(b, 'POST', '/api/payments', { orderId, token: 'tok_visa' }, 'pay');
          if (p.status === 201) {
            told.paid.push(orderId);
            break;
          }
          if (p.status !== 0 && p.status !== 404 && p.status < 500) break;
          await sleep(300);
        }
      } else if (roll === 5) {
        for (let attempt = 0; attempt < 20; attempt++) {
          const d = await call(b, 'DELETE', `/api/orders/${orderId}`, undefined, 'cancel');
          if (d.status === 200) {
            told.cancelled.push(orderId);
            break;
          }
          if (d.status !== 0 && d.status < 500) break;
          await sleep(300);
        }
      } // else left to expire
    }
  };
  const loops = buyers.map((b, n) => buyerLoop(b, n));

  const marks: Record<string, number> = {};
  const mark = (name: string) => (marks[name] = Date.now() - t0);
  let leaderName = '';
  let newLeader = '';
  try {
    await sleep(10_000);

    // 1. kill -9 the nats-server leading ORDERS.
    leaderName = (await bus.jsm.streams.info('ORDERS')).cluster!.leader!;
    const leader = started.natsNodes.find((n) => n.name === leaderName)!;
    process.kill(leader.pid, 'SIGKILL');
    mark('kill nats leader');
    newLeader = await eventually(
      async () => {
        const i = await bus.jsm.streams.info('ORDERS');
        return i.cluster?.leader && i.cluster.leader !== leaderName ? i.cluster.leader : undefined;
      },
      30_000,
      100,
    );
    mark('ORDERS leader elected');

    // 2. while that node is down: kill -9 one process of every service.
    await sleep(3_000);
    const victims = started.children.filter((c) => c.name !== 'client' && !/-\d+$/.test(c.name));
    for (const v of victims) process.kill(v.pid, 'SIGKILL');
    mark('kill one process of each service');

    // 3. the platform restarts them; wait until every node and process is back and ready.
    await eventually(
      async () => {
        const now = pids();
        const node = now.natsNodes.find((n) => n.name === leaderName)!;
        if (node.pid === leader.pid || !(await fetch(`${node.monitorUrl}/healthz`)).ok) return false;
        for (const v of victims) {
          const c = now.children.find((x) => x.name === v.name);
          if (!c || c.pid === v.pid || !(await fetch(`http://127.0.0.1:${c.port}/readyz`)).ok) return false;
        }
        return true;
      },
      90_000,
      250,
    );
    mark('everything back');
    await sleep(6_000);
  } finally {
    running = false;
    await Promise.all(loops);
  }
  mark('load stopped');

  console.log(
    `failover load: ${told.orders.length} orders placed, ${told.paid.length} paid, ${told.cancelled.length} cancelled; timeline (s): ${Object.entries(
      marks,
    )
      .map(([k, v]) => `${k} ${(v / 1000).toFixed(1)}`)
      .join(', ')}`,
  );

  // Quiet: no outbox entry left in any database, every durable drained (expiry timers fired).
  let notQuiet = '';
  const quietFor = async () => {
    const why: string[] = [];
    let outbox = 0;
    const { databases } = await mongo.db('admin').admin().listDatabases();
    for (const d of databases.filter((x) => x.name.startsWith('jetmart_'))) {
      for (const c of await mongo.db(d.name).listCollections().toArray()) {
        if (c.name.startsWith('_')) continue;
        const n = await mongo
          .db(d.name)
          .collection(c.name)
          .countDocuments({ 'outbox.0': { $exists: true } });
        if (n) why.push(`outbox ${d.name}.${c.name} ${n}`);
        outbox += n;
      }
    }
    let backlog = 0;
    for await (const s of bus.jsm.streams.list()) {
      if (s.config.name === 'DEADLETTER' || s.config.name.startsWith('KV_')) continue;
      // Durables only: a killed process's ephemeral (ordered) consumer lingers until it times out.
      for await (const c of bus.jsm.consumers.list(s.config.name)) {
        if (!c.config.durable_name) continue;
        const n = c.num_pending + c.num_ack_pending;
        if (n) why.push(`${c.name} ${c.num_pending}+${c.num_ack_pending}`);
        backlog += n;
      }
    }
    notQuiet = why.join(', ');
    return outbox === 0 && backlog === 0 ? true : undefined;
  };
  await eventually(quietFor, 90_000, 1000).catch((err: Error) => {
    console.log(`--- platform output\n${platform.output().slice(-6000)}`);
    throw new Error(`${err.message}: not quiet: ${notQuiet}`);
  });
  mark('quiet');
  const deadLettered = (await bus.jsm.streams.info('DEADLETTER')).state.messages;

  writeFileSync(expectFile, JSON.stringify({ ...told, shipped: {}, delivered: [], fulfillment: {} }));
  const lines: string[] = [];
  const { violations, counts } = await checkInvariants({ mongo: platform.mongoUrl, expect: expectFile, log: (s) => lines.push(s) });

  // What the load saw.
  const errors = seen.filter((s) => s.status === 0 || s.status >= 500);
  const byStatus: Record<string, number> = {};
  for (const s of seen) byStatus[`${s.what} ${s.status}`] = (byStatus[`${s.what} ${s.status}`] ?? 0) + 1;
  const placedAt = seen.filter((s) => s.what === 'order' && s.status === 201).map((s) => s.at);
  const longestGap = (from: number, to: number) => {
    const ts = [from, ...placedAt.filter((t) => t > from && t < to), to];
    let gap = 0;
    let at = from;
    for (let i = 1; i < ts.length; i++) if (ts[i]! - ts[i - 1]! > gap) [gap, at] = [ts[i]! - ts[i - 1]!, ts[i - 1]!];
    return { gap, at };
  };
  const before = longestGap(2_000, marks['kill nats leader']!);
  const during = longestGap(marks['kill nats leader']!, marks['load stopped']!);
  console.log(
    [
      `failover: ${told.orders.length} orders placed (201), ${told.paid.length} paid, ${told.cancelled.length} cancelled, over ${(marks['load stopped']! / 1000).toFixed(1)} s`,
      `  timeline (s): ${Object.entries(marks)
        .map(([k, v]) => `${k} ${(v / 1000).toFixed(1)}`)
        .join(', ')}; ORDERS leader ${newLeader} after ${leaderName}`,
      `  errors seen by the load (5xx or no answer): ${errors.length} of ${seen.length} requests (${errors.map((e) => `${e.what} ${e.status} at ${(e.at / 1000).toFixed(1)}`).join('; ') || 'none'})`,
      `  answers: ${JSON.stringify(byStatus)}`,
      `  outage window (longest time with no order placed): ${(during.gap / 1000).toFixed(1)} s from ${(during.at / 1000).toFixed(1)} s under the faults, ${(before.gap / 1000).toFixed(1)} s before them`,
      `  dead-lettered events: ${deadLettered}`,
      `  invariant checker: ${violations.length ? violations.map((v) => `${v.kind}: ${v.detail}`).join('; ') : 'all invariants hold'}`,
      `  counts: ${JSON.stringify(counts)}`,
    ].join('\n'),
  );

  expect(told.orders.length).toBeGreaterThan(0);
  expect(told.paid.length).toBeGreaterThan(0);
  expect(violations).toEqual([]);
  expect(deadLettered).toBe(0);
  // The load went on after the faults: orders were placed once everything was back.
  expect(placedAt.some((t) => t > marks['everything back']!)).toBe(true);
}, 240_000);
