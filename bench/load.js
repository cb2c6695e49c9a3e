#!/usr/bin/env node
'use strict';
/*
 * Load benchmark of the whole platform (node scripts/platform.js in production mode) against a
 * raw baseline, on this machine. Prints numbers; asserts nothing.
 *
 *   npm run build && node bench/load.js                     # everything, 20 s per phase
 *   node bench/load.js --duration 10 --only checkout,baseline
 *
 * Phases (--only, comma-separated; default all):
 *   propagation-idle  product PUT 200 → new version in the orders replica (jetmart_orders), idle
 *   browse-200        GET list / GET show at a fixed 200 req/s (open loop, latency from intended send time)
 *   checkout          closed loop: POST /api/orders then POST /api/payments, --connections at once
 *   mix               weighted shopper mix (list 10, show 5, sign in 1, order 2, pay 1, cancel 0.5)
 *                     with propagation measured under that load; a list is the storefront catalog's
 *                     first page (GET /api/search?sort=newest&limit=12, what client/src/app/page.tsx
 *                     asks), a show the product page's GET /api/products/:id
 *   baseline          the raw baseline (bench/baseline-server.js) on the same FerretDB/nats-server,
 *                     same closed loop; without and with the per-document locks
 *   grow (or --grow)  after the rest: 20,000 orders and 100,000 products cloned into the databases
 *                     (bench/lib/grow.js), then the checkout phase again; cost model fresh vs grown
 * The headline (stderr, and "headline" in the JSON) is the cost model per completed checkout:
 * database commands by service (document locks apart), JetStream publishes/acks/consumed, CPU-ms.
 * Options: --duration S (20), --connections N (16), --buyers N (20), --out FILE (JSON results),
 *   --mix-list PATH (the mix's list request; before stop 29 it was /api/products?limit=20, which
 *   the storefront's catalog no longer asks), --mix-think MS (each mix shopper pauses MS on
 *   average after every answer; default 0, a mix that saturates the machine), --probe-poll-ms MS
 *   (how often the propagation probe reads the orders replica while it waits; default 5),
 *   --mix-in-step (every mix shopper starts at the first step of the cycle instead of a random one),
 *   --platform-log FILE (the platform's last 20,000 characters of output, written at the end).
 * Env: anything scripts/platform.js reads (JETMART_MONGO defaults to ferretdb here).
 */
const { spawn } = require('node:child_process');
const http = require('node:http');
const fs = require('node:fs');
const path = require('node:path');
const { MongoClient } = require('mongodb');
const { startPlatform, root } = require('./lib/platform');
const { setupShop, must } = require('./lib/shop');
const { RouteStats, summarize } = require('./lib/stats');
const proc = require('./lib/procstat');
const { scrapeCounters, scrapeWhenQuiet, costModel, formatCostModels } = require('./lib/cost');
const { grow } = require('./lib/grow');

const { args, opt } = require('./lib/args');
const DURATION = Number(opt('duration', 20));
const CONNECTIONS = Number(opt('connections', 16));
const BUYERS = Number(opt('buyers', 20));
// Every order is placed with a shipping address (issue 14).
const SHIPPING_ADDRESS = { name: 'Load Buyer', line1: '1 Bench Street', city: 'Berlin', postalCode: '10115', country: 'DE' };
const ONLY = opt('only', 'propagation-idle,browse-200,checkout,mix,baseline').split(',');
const MIX_LIST = opt('mix-list', '/api/search?sort=newest&limit=12');
// --mix-think MS: each shopper of the mix waits MS on average (0.5–1.5×) after an answer before its
// next step. 0 (the default): no pause, the mix saturates the machine.
const MIX_THINK_MS = Number(opt('mix-think', 0));
// Each shopper of the mix starts at a random step of its cycle (see runSequence); --mix-in-step:
// all start at the first (sign in, order, pay), as before stop 31.
const MIX_STAGGER = !args.includes('--mix-in-step');
// --probe-poll-ms MS: how often the propagation probe reads the orders replica while it waits for
// a version. Each read is a query on the FerretDB the propagation itself goes through, so polling
// every 1 ms added hundreds of the probe's own queries per second to a slow propagation.
const PROBE_POLL_MS = Number(opt('probe-poll-ms', 5));
const OUT = opt('out');
// --grow: after the other phases, seed 20,000 orders and 100,000 products and run checkout again
// (--grow-orders / --grow-products: other sizes, for a shorter run that shows the trend).
const GROW = args.includes('--grow') || ONLY.includes('grow');
const GROW_ORDERS = Number(opt('grow-orders', 20_000));
const GROW_PRODUCTS = Number(opt('grow-products', 100_000));
// --profile <service>: CPU-profile that service during the checkout phase (see lib/cpu-profile.js).
const PROFILE = opt('profile');
const PROFILE_DIR = opt('profile-dir', path.join(require('node:os').tmpdir(), 'jetmart-profiles'));
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const log = (...a) => console.error('[bench]', ...a);

async function freePort() {
  const { freePort: fp } = require(path.join(root, 'common', 'dist', 'testing'));
  return fp();
}

/**
 * Closed loop: `connections` workers, each sending the steps of `sequence` strictly one after the
 * other (a step's `after` sees its own response before the next step is built), for `duration`
 * seconds, with `thinkMs` (on average) between a response and the next step. autocannon's request
 * pipeline could not do this: it set up the next step before the previous response was handled,
 * so pay was sent without the order id.
 */
async function runSequence(url, sequence, steps, { connections, duration, initialContext, thinkMs = 0, stagger = false }) {
  const stats = new RouteStats();
  const agent = new http.Agent({ keepAlive: true, maxSockets: connections });
  const base = new URL(url);
  const totals = { requests: 0, errors: 0, timeouts: 0, non2xx: 0, skipped: 0 };
  const send = (r) =>
    new Promise((resolve) => {
      const req = http.request(
        { host: base.hostname, port: base.port, path: r.path, method: r.method, headers: r.headers, agent, timeout: 30_000 },
        (res) => {
          let body = '';
          res.setEncoding('utf8');
          res.on('data', (c) => (body += c));
          res.on('end', () => resolve({ status: res.statusCode, body, headers: res.headers }));
        },
      );
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', (err) => resolve({ error: err }));
      if (r.body !== undefined) req.write(r.body);
      req.end();
    });
  const until = Date.now() + duration * 1000;
  // stagger: each worker starts at a random step of the cycle (never at one that continues the step
  // before it, as pay continues order). All starting at the first step sent 16 sign-ins, orders and
  // pays within a second, and that burst's events kept both cores busy for the next 5-8 s.
  const starts = sequence.map((name, i) => i).filter((i) => !steps[sequence[i]].continues);
  const worker = async () => {
    const ctx = { ...(initialContext || {}) };
    let from = stagger ? starts[Math.floor(Math.random() * starts.length)] : 0;
    while (Date.now() < until) {
      const cycle = sequence.slice(from);
      from = 0;
      for (const name of cycle) {
        // Per step, not per sequence: the mix's cycle is 34 steps, and finishing it kept a 20-s
        // phase running for minutes on a loaded machine.
        if (Date.now() >= until) break;
        const step = steps[name];
        const r = step.build({ method: step.method }, ctx);
        if (!r) {
          totals.skipped++;
          continue;
        }
        const t = process.hrtime.bigint();
        const res = await send({ method: step.method, ...r });
        totals.requests++;
        if (res.error) {
          if (/timeout/.test(res.error.message)) totals.timeouts++;
          else totals.errors++;
          stats.record(name, Number(process.hrtime.bigint() - t) / 1e6, 0);
          continue;
        }
        if (res.status < 200 || res.status >= 300) totals.non2xx++;
        stats.record(name, Number(process.hrtime.bigint() - t) / 1e6, res.status);
        step.after?.(res.status, res.body, ctx, res.headers);
        // A shopper reads the page before the next click; jittered so the workers do not march in step.
        if (thinkMs > 0) await sleep(thinkMs * (0.5 + Math.random()));
      }
    }
  };
  const started = Date.now();
  await Promise.all(Array.from({ length: connections }, worker));
  agent.destroy();
  const seconds = (Date.now() - started) / 1000;
  return { res: { ...totals, requests: { average: totals.requests / seconds } }, stats };
}

let cookieIdx = 0;
function shopSteps(shop) {
  const pick = (a) => a[Math.floor(Math.random() * a.length)];
  const json = (req, path, body, ctx) => ({
    ...req,
    path,
    headers: { 'content-type': 'application/json', ...(ctx.cookie ? { cookie: ctx.cookie } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const withBuyer = (ctx) => {
    if (!ctx.cookie) {
      const b = shop.buyers[cookieIdx++ % shop.buyers.length];
      ctx.cookie = b.cookie;
      ctx.buyer = b;
    }
  };
  return {
    list: { method: 'GET', build: (req, ctx) => json(req, MIX_LIST, undefined, ctx) },
    show: { method: 'GET', build: (req, ctx) => json(req, `/api/products/${pick(shop.productIds)}`, undefined, ctx) },
    signin: {
      method: 'POST',
      build: (req, ctx) => {
        const b = shop.buyers[cookieIdx++ % shop.buyers.length];
        ctx.buyer = b;
        ctx.cookie = undefined;
        return json(req, '/api/users/signin', { email: b.email, password: b.password }, ctx);
      },
      after: (status, _body, ctx, headers) => {
        const set = [].concat(headers['set-cookie'] || []);
        const s = set.find((c) => c.startsWith('session='));
        if (s) ctx.cookie = s.split(';')[0];
      },
    },
    order: {
      method: 'POST',
      build: (req, ctx) => {
        withBuyer(ctx);
        ctx.orderId = undefined;
        return json(
          req,
          '/api/orders',
          { items: [{ productId: pick(shop.productIds), quantity: 1 }], shippingAddress: SHIPPING_ADDRESS },
          ctx,
        );
      },
      after: (status, body, ctx) => {
        if (status !== 201) return;
        const order = JSON.parse(body);
        ctx.orderId = order.id;
        // pay404 (issue 21): payments accepts the order's signed ticket instead of waiting for its copy.
        ctx.orderTicket = order.orderTicket;
      },
    },
    // Pay and cancel act on the order this worker just placed; without one (the order step failed,
    // which is counted there) they are skipped rather than sent as requests that must fail.
    pay: {
      method: 'POST',
      continues: true,
      build: (req, ctx) => {
        if (!ctx.orderId) return undefined;
        const orderTicket = ctx.orderTicket;
        return json(req, '/api/payments', { orderId: ctx.orderId, token: 'tok_visa', ...(orderTicket && { orderTicket }) }, ctx);
      },
      after: (status, _b, ctx) => {
        if (status === 201) ctx.paid = (ctx.paid || 0) + 1;
        ctx.orderId = undefined;
        ctx.orderTicket = undefined;
      },
    },
    cancel: {
      method: 'DELETE',
      continues: true,
      build: (req, ctx) => (ctx.orderId ? json(req, `/api/orders/${ctx.orderId}`, undefined, ctx) : undefined),
      after: (_status, _b, ctx) => {
        ctx.orderId = undefined;
        ctx.orderTicket = undefined;
      },
    },
  };
}

/** The weighted mix ×2 (list 20, show 10, signin 2, order 4, pay 2, cancel 1) as one cycle. */
function mixSequence() {
  const browse = [];
  for (let i = 0; i < 30; i++) browse.push(i % 3 === 2 ? 'show' : 'list');
  const buys = [['signin', 'order', 'pay'], ['order', 'cancel'], ['signin', 'order', 'pay'], ['order']];
  const seq = [];
  // Spread the 4 buying bursts through the browsing.
  buys.forEach((b, i) => {
    seq.push(...b, ...browse.slice(i * 7.5, (i + 1) * 7.5));
  });
  return seq;
}

/** Open-loop fixed-rate browsing: latency counted from the intended send time (no coordinated omission). */
async function fixedRate(url, shop, { rate, seconds }) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
  const stats = new RouteStats();
  const u = new URL(url);
  const start = performance.now();
  const interval = 1000 / rate;
  let sent = 0;
  const inflight = new Set();
  const one = (route, p, intended) =>
    new Promise((resolve) => {
      const req = http.request({ host: u.hostname, port: u.port, path: p, agent, method: 'GET' }, (res) => {
        res.resume();
        res.on('end', () => {
          stats.record(route, performance.now() - intended, res.statusCode);
          resolve();
        });
      });
      req.on('error', () => {
        stats.record(route, performance.now() - intended, 599);
        resolve();
      });
      req.end();
    });
  while (performance.now() - start < seconds * 1000) {
    const due = Math.floor((performance.now() - start) / interval);
    while (sent <= due) {
      const intended = start + sent * interval;
      const route = sent % 3 === 2 ? 'show' : 'list';
      const p = route === 'list' ? '/api/products?limit=20' : `/api/products/${shop.productIds[sent % shop.productIds.length]}`;
      const pr = one(route, p, intended).finally(() => inflight.delete(pr));
      inflight.add(pr);
      sent++;
    }
    await sleep(1);
  }
  await Promise.all(inflight);
  agent.destroy();
  return stats.summary(seconds);
}

/** The histogram series of every product change applied to orders' replica (common's Listener). */
const APPLIED_REPLICA_KEY = 'orders product.updated applied';

/** Product PUT 200 → that version visible in the orders service's replica (read from its database). */
async function propagation(platform, shop, mongo, { count, stopWhen }) {
  const col = mongo.db('jetmart_orders').collection('productreplicas');
  const productId = shop.propagationProductId;
  const samples = [];
  let polls = 0;
  let i = 0;
  while (stopWhen ? !stopWhen() : i < count) {
    i++;
    const r = await shop.seller.call('PUT', `/api/products/${productId}`, { price: 10 + (i % 500) / 100 + 0.01 });
    const acked = performance.now();
    if (r.status !== 200) {
      samples.push({ error: r.status });
      continue;
    }
    const version = r.body.version;
    for (;;) {
      polls++;
      const doc = await col.findOne({ _id: productId }, { projection: { version: 1 } });
      if (doc && doc.version >= version) break;
      if (performance.now() - acked > 30_000) throw new Error('propagation took over 30 s');
      await sleep(PROBE_POLL_MS);
    }
    samples.push({ ms: performance.now() - acked, at: acked });
    await sleep(20);
  }
  const timed = samples.filter((s) => s.ms !== undefined);
  return {
    ...summarize(timed.map((s) => s.ms)),
    errors: samples.filter((s) => s.error).length,
    pollMs: PROBE_POLL_MS,
    pollsPerSample: timed.length ? Math.round((polls / timed.length) * 10) / 10 : null,
    // The slowest samples and when they were acked (ms since the first): stalls show as clusters.
    slowest: timed
      .slice()
      .sort((a, b) => b.ms - a.ms)
      .slice(0, 10)
      .map((s) => ({ ms: Math.round(s.ms), atMs: Math.round(s.at - timed[0].at) })),
  };
}

function cpuDelta(before, after) {
  const d = proc.diff(after, before);
  const total = Object.values(d).reduce((a, b) => a + b, 0);
  return {
    byProcess: Object.fromEntries(Object.entries(d).map(([k, v]) => [k, Math.round(v * 100) / 100])),
    total: Math.round(total * 100) / 100,
  };
}

/**
 * jetmart_event_delivery_seconds of every service (from its /metrics), as cumulative bucket counts
 * by "service subject stage": outbox = occurredAt → JetStream store, consume = store → handled.
 */
async function eventDelivery(platform) {
  const out = {};
  for (const [svc, port] of Object.entries(platform.pids.servicePorts || {})) {
    const text = await fetch(`http://127.0.0.1:${port}/metrics`).then(
      (r) => r.text(),
      () => '',
    );
    for (const m of text.matchAll(/^jetmart_event_delivery_seconds_(bucket|sum|count)\{([^}]*)\} (\S+)$/gm)) {
      const labels = Object.fromEntries([...m[2].matchAll(/(\w+)="([^"]*)"/g)].map((x) => [x[1], x[2]]));
      const key = `${svc} ${labels.subject} ${labels.stage}`;
      const h = (out[key] ??= { buckets: {}, sum: 0, count: 0 });
      if (m[1] === 'bucket') h.buckets[labels.le] = Number(m[3]);
      else h[m[1]] = Number(m[3]);
    }
  }
  return out;
}

/** Per key: count, mean and bucket-bound p50/p90/p99 (ms) of what happened between two scrapes. */
function deliveryDiff(after, before) {
  const res = {};
  for (const [key, h] of Object.entries(after)) {
    const b = before[key] || { buckets: {}, sum: 0, count: 0 };
    const count = h.count - b.count;
    if (!count) continue;
    const les = Object.keys(h.buckets).sort((x, y) => (x === '+Inf' ? 1 : y === '+Inf' ? -1 : Number(x) - Number(y)));
    const q = (p) => {
      const le = les.find((l) => h.buckets[l] - (b.buckets[l] || 0) >= p * count);
      return le === '+Inf' ? '>max' : `<=${Number(le) * 1000}`;
    };
    res[key] = { count, meanMs: Math.round(((h.sum - b.sum) / count) * 1000), p50Ms: q(0.5), p90Ms: q(0.9), p99Ms: q(0.99) };
  }
  return res;
}

async function checkoutRun(url, shop, pidsToWatch, label, servicePorts) {
  const steps = shopSteps(shop);
  const countersBefore = await scrapeCounters(servicePorts);
  const before = pidsToWatch();
  const t0 = performance.now();
  const { res, stats } = await runSequence(url, ['order', 'pay'], steps, { connections: CONNECTIONS, duration: DURATION });
  const seconds = (performance.now() - t0) / 1000;
  // The cost model counts until the phase's events are all handled; CPU over the same window.
  const quiet = await scrapeWhenQuiet(servicePorts);
  const countersAfter = quiet.counters;
  const cpu = cpuDelta(before, pidsToWatch());
  const completed = stats.count('pay', (s) => s === 201);
  const routes = stats.summary(seconds);
  log(`${label}: ${completed} checkouts in ${seconds.toFixed(1)} s; pay answers by status ${JSON.stringify(routes.pay?.statuses || {})}`);
  return {
    costModel: { ...costModel(countersBefore, countersAfter, completed, cpu), settled: quiet.settled, settleWaitMs: quiet.waitedMs },
    payStatuses: routes.pay?.statuses || {},
    orderStatuses: routes.order?.statuses || {},
    skippedSteps: res.skipped,
    seconds: Math.round(seconds * 10) / 10,
    completedCheckouts: completed,
    checkoutsPerSecond: Math.round((completed / seconds) * 10) / 10,
    requestsPerSecond: Math.round(res.requests.average * 10) / 10,
    errors: res.errors + res.timeouts + res.non2xx,
    routes,
    cpu,
    cpuSecondsPerCheckout: completed ? Math.round((cpu.total / completed) * 10000) / 10000 : null,
  };
}

async function baselineRun(platform, locks) {
  const port = await freePort();
  const dbName = `jetmart_bench_baseline_${Date.now().toString(36)}`;
  const mongoUrl = platform.mongoUrl.replace(/\/?$/, `/${dbName}`);
  const child = spawn(process.execPath, [path.join(__dirname, 'baseline-server.js')], {
    env: { ...process.env, PORT: String(port), MONGO_URL: mongoUrl, NATS_URL: platform.natsUrl, BASELINE_LOCKS: locks ? '1' : '0' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise((resolve, reject) => {
    child.stdout.on('data', (b) => /baseline ready/.test(b.toString()) && resolve());
    child.once('exit', (c) => reject(new Error(`baseline exited ${c}`)));
  });
  const url = `http://127.0.0.1:${port}`;
  const productIds = [];
  for (let i = 0; i < 20; i++) {
    const id = `p${i}`;
    await fetch(`${url}/products`, { method: 'POST', body: JSON.stringify({ id, quantity: 1_000_000 }) });
    productIds.push(id);
  }
  const steps = {
    order: {
      method: 'POST',
      build: (req) => ({
        ...req,
        path: '/orders',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ items: [{ productId: productIds[Math.floor(Math.random() * 20)], quantity: 1 }] }),
      }),
      after: (s, body, ctx) => (ctx.orderId = s === 201 ? JSON.parse(body).id : undefined),
    },
    pay: {
      method: 'POST',
      build: (req, ctx) => ({
        ...req,
        path: '/payments',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ orderId: ctx.orderId }),
      }),
    },
  };
  const infra = () => {
    const all = proc.cpuByName(platform.pid);
    return { baseline: proc.cpuSeconds(child.pid) || 0, ferretdb: all.ferretdb || 0, 'nats-server': all['nats-server'] || 0 };
  };
  const mem = proc.sampleMemory(child.pid);
  const countersBefore = await scrapeCounters({ baseline: port });
  const before = infra();
  const t0 = performance.now();
  const { res, stats } = await runSequence(url, ['order', 'pay'], steps, { connections: CONNECTIONS, duration: DURATION });
  const seconds = (performance.now() - t0) / 1000;
  const cpu = cpuDelta(before, infra());
  const completed = stats.count('pay', (s) => s === 201);
  await sleep(1000);
  const consumed = await (await fetch(`${url}/stats`)).json();
  const countersAfter = await scrapeCounters({ baseline: port });
  child.kill('SIGTERM');
  const peak = mem.stop();
  const mongo = await MongoClient.connect(platform.mongoUrl);
  await mongo
    .db(dbName)
    .dropDatabase()
    .catch(() => undefined);
  await mongo.close();
  return {
    // The consumer's work of the last second is counted (its CPU is not): counts end after the 1-s settle.
    costModel: costModel(countersBefore, countersAfter, completed, cpu),
    locks,
    seconds: Math.round(seconds * 10) / 10,
    completedCheckouts: completed,
    checkoutsPerSecond: Math.round((completed / seconds) * 10) / 10,
    eventsConsumed: consumed.consumed,
    errors: res.errors + res.timeouts + res.non2xx,
    routes: stats.summary(seconds),
    cpu,
    cpuSecondsPerCheckout: completed ? Math.round((cpu.total / completed) * 10000) / 10000 : null,
    peakRssMb: Math.round((peak.baseline?.hwmMb ?? 0) * 10) / 10,
  };
}

async function main() {
  const port = await freePort();
  // Growth leaves 100,000 products and 20,000 orders behind: in a data directory of its own, removed
  // at the end, never in the local platform's .jetmart/data that later runs reuse.
  const growDataDir =
    GROW && !process.env.JETMART_DATA_DIR ? fs.mkdtempSync(path.join(require('node:os').tmpdir(), 'jetmart-bench-grow-')) : undefined;
  log(`starting the platform (production mode) on :${port}`);
  const platform = await startPlatform({
    port,
    env: {
      JETMART_MONGO: process.env.JETMART_MONGO || 'ferretdb',
      ...(growDataDir && { JETMART_DATA_DIR: growDataDir }),
      // The mix signs the same buyers in again and again: the per-IP+email limiter would answer 429.
      SIGNIN_MAX_ATTEMPTS: process.env.SIGNIN_MAX_ATTEMPTS || '10000',
      ...(PROFILE
        ? {
            NODE_OPTIONS: `${process.env.NODE_OPTIONS || ''} --require ${path.join(__dirname, 'lib', 'cpu-profile.js')}`.trim(),
            BENCH_PROFILE_SERVICE: PROFILE,
            BENCH_PROFILE_DIR: PROFILE_DIR,
          }
        : {}),
    },
  });
  const results = {
    machine: {
      cpus: require('node:os').cpus().length,
      cpuModel: require('node:os').cpus()[0].model,
      memGb: Math.round(require('node:os').totalmem() / 2 ** 30),
      node: process.version,
      loadavgAtStart: require('node:os').loadavg(),
    },
    database: platform.mongoKind,
    options: { duration: DURATION, connections: CONNECTIONS, buyers: BUYERS },
  };
  const mem = proc.sampleMemory(platform.pid);
  const mongo = await MongoClient.connect(platform.mongoUrl);
  try {
    log('setting up the shop');
    const shop = await setupShop(platform.url, platform.mongoUrl, { buyers: BUYERS, products: 20 });
    const p = await must(
      shop.seller.call('POST', '/api/products', { title: 'Propagation probe', price: 10, quantity: 10 }),
      'probe product',
    );
    shop.propagationProductId = p.body.id;
    await require('./lib/shop').waitForReplicas?.(platform.mongoUrl, [p.body.id]);
    const platformCpu = () => proc.cpuByName(platform.pid);

    if (ONLY.includes('propagation-idle')) {
      log('propagation at idle');
      results.propagationIdle = await propagation(platform, shop, mongo, { count: 100 });
    }
    if (ONLY.includes('browse-200')) {
      log('browse at 200 req/s');
      results.browse200 = await fixedRate(platform.url, shop, { rate: 200, seconds: DURATION });
    }
    if (ONLY.includes('checkout')) {
      log('checkout-only');
      const target = PROFILE && proc.tree(platform.pid).find((p) => proc.nameOf(p.cmd) === PROFILE);
      if (target) process.kill(target.pid, 'SIGUSR2');
      const deliveryBefore = await eventDelivery(platform);
      results.checkout = await checkoutRun(platform.url, shop, platformCpu, 'platform checkout', platform.pids.servicePorts);
      results.checkout.eventDelivery = deliveryDiff(await eventDelivery(platform), deliveryBefore);
      for (const [k, v] of Object.entries(results.checkout.eventDelivery)) log(`  ${k}: ${JSON.stringify(v)}`);
      log(`  routes: ${JSON.stringify(Object.fromEntries(Object.entries(results.checkout.routes).map(([r, v]) => [r, { ...v }])))}`);
      if (target) {
        process.kill(target.pid, 'SIGUSR2');
        await sleep(1000);
        results.profile = path.join(PROFILE_DIR, `${PROFILE}-${target.pid}.cpuprofile`);
        log(`profile: ${results.profile}`);
      }
    }
    if (ONLY.includes('mix')) {
      log('shopper mix (+ propagation under load)');
      let done = false;
      const prop = propagation(platform, shop, mongo, { stopWhen: () => done });
      const deliveryBefore = await eventDelivery(platform);
      const countersBefore = await scrapeCounters(platform.pids.servicePorts);
      const before = platformCpu();
      const t0 = performance.now();
      const { res, stats } = await runSequence(platform.url, mixSequence(), shopSteps(shop), {
        connections: CONNECTIONS,
        duration: DURATION,
        thinkMs: MIX_THINK_MS,
        stagger: MIX_STAGGER,
      });
      const seconds = (performance.now() - t0) / 1000;
      done = true;
      const quiet = await scrapeWhenQuiet(platform.pids.servicePorts);
      const countersAfter = quiet.counters;
      const cpu = cpuDelta(before, platformCpu());
      const completed = stats.count('pay', (s) => s === 201);
      const routes = stats.summary(seconds);
      log(`mix: ${completed} checkouts; pay answers by status ${JSON.stringify(routes.pay?.statuses || {})}`);
      results.mix = {
        costModel: { ...costModel(countersBefore, countersAfter, completed, cpu), settled: quiet.settled, settleWaitMs: quiet.waitedMs },
        listPath: MIX_LIST,
        thinkMs: MIX_THINK_MS,
        staggered: MIX_STAGGER,
        payStatuses: routes.pay?.statuses || {},
        cancelStatuses: routes.cancel?.statuses || {},
        skippedSteps: res.skipped,
        seconds: Math.round(seconds * 10) / 10,
        requestsPerSecond: Math.round(res.requests.average * 10) / 10,
        errors: res.errors + res.timeouts + res.non2xx,
        completedCheckouts: completed,
        routes,
        cpu,
        cpuSecondsPerCheckout: completed ? Math.round((cpu.total / completed) * 10000) / 10000 : null,
        // Where events waited under the mix (the propagation path: products' product.updated outbox, orders' consume).
        eventDelivery: deliveryDiff(await eventDelivery(platform), deliveryBefore),
      };
      for (const [k, v] of Object.entries(results.mix.eventDelivery)) if (/product\./.test(k)) log(`  mix ${k}: ${JSON.stringify(v)}`);
      results.propagationUnderLoad = await prop;
    }
    if (ONLY.includes('baseline')) {
      log('raw baseline (no locks)');
      results.baseline = await baselineRun(platform, false);
      log('raw baseline (with FerretDB document locks)');
      results.baselineWithLocks = await baselineRun(platform, true);
      if (results.checkout && results.baseline.checkoutsPerSecond && results.baselineWithLocks.checkoutsPerSecond) {
        results.checkoutRatio = Math.round((results.checkout.checkoutsPerSecond / results.baseline.checkoutsPerSecond) * 1000) / 1000;
        results.checkoutRatioWithLocks =
          Math.round((results.checkout.checkoutsPerSecond / results.baselineWithLocks.checkoutsPerSecond) * 1000) / 1000;
      }
    }
    if (GROW && results.checkout) {
      const template = await mongo
        .db('jetmart_orders')
        .collection('orders')
        .findOne({ status: 'complete' }, { projection: { _id: 1 } });
      if (!template) throw new Error('growth: no completed order to clone');
      log(`growth: seeding ${GROW_ORDERS} orders and ${GROW_PRODUCTS} products directly in the databases`);
      try {
        results.growthSeed = await grow(mongo, {
          productId: shop.productIds[0],
          orderId: String(template._id),
          orders: GROW_ORDERS,
          products: GROW_PRODUCTS,
          log,
        });
      } catch (err) {
        // Measure anyway: what was seeded stays, and the error is in the results.
        log(`growth: seeding failed: ${err.message}`);
        results.growthSeed = { error: String(err.message) };
      }
      log(`growth: seeded in ${results.growthSeed.seconds} s; checkout again`);
      results.checkoutAfterGrowth = await checkoutRun(platform.url, shop, platformCpu, 'checkout after growth', platform.pids.servicePorts);
      const fresh = results.checkout.costModel.perCheckout;
      const grown = results.checkoutAfterGrowth.costModel.perCheckout;
      const ratio = (a, b) => (a && b ? Math.round((b / a) * 100) / 100 : null);
      results.growth = {
        dbCommandsRatio: ratio(fresh.dbCommands, grown.dbCommands),
        lockCommandsRatio: ratio(fresh.lockCommands, grown.lockCommands),
        guardReadsRatio: ratio(fresh.guardReads, grown.guardReads),
        cpuMsRatio: ratio(fresh.cpuMs, grown.cpuMs),
        checkoutsPerSecondRatio: ratio(results.checkout.checkoutsPerSecond, results.checkoutAfterGrowth.checkoutsPerSecond),
      };
    } else if (GROW) {
      log('growth needs the checkout phase (the fresh cost model to compare with): skipped');
    }
    if (ONLY.includes('check')) {
      log('waiting for quiet, then checking invariants');
      const { checkInvariants } = require('./check-invariants');
      results.invariants = await checkInvariants(platform.mongoUrl, { settleMs: 60_000 });
    }
  } finally {
    const peak = mem.stop();
    results.peakMemoryMb = Object.fromEntries(
      Object.entries(peak).map(([k, v]) => [k, { rss: Math.round(v.rssMb * 10) / 10, hwm: Math.round(v.hwmMb * 10) / 10 }]),
    );
    await mongo.close();
    // --platform-log FILE: the platform's last output (warnings and errors of every service), to find what a 5xx was.
    if (opt('platform-log')) fs.writeFileSync(opt('platform-log'), platform.output());
    await platform.stop();
    if (growDataDir) fs.rmSync(growDataDir, { recursive: true, force: true });
  }
  const models = {
    checkout: results.checkout?.costModel,
    'checkout after growth': results.checkoutAfterGrowth?.costModel,
    mix: results.mix?.costModel,
    'raw baseline': results.baseline?.costModel,
    'raw baseline with locks': results.baselineWithLocks?.costModel,
  };
  const ratios = {
    ...(results.checkout && { 'platform checkouts/s': results.checkout.checkoutsPerSecond }),
    ...(results.baseline && { 'baseline checkouts/s': results.baseline.checkoutsPerSecond }),
    ...(results.baselineWithLocks && { 'baseline with locks checkouts/s': results.baselineWithLocks.checkoutsPerSecond }),
    ...(results.checkoutRatio !== undefined && { 'ratio platform:baseline': results.checkoutRatio }),
    ...(results.checkoutRatioWithLocks !== undefined && { 'ratio platform:baseline with locks': results.checkoutRatioWithLocks }),
    ...(results.growth && { 'growth ratio (db commands, CPU ms)': `${results.growth.dbCommandsRatio}, ${results.growth.cpuMsRatio}` }),
    ...(results.checkout && { 'pay answers by status (checkout)': JSON.stringify(results.checkout.payStatuses) }),
    ...(results.mix && { 'pay answers by status (mix)': JSON.stringify(results.mix.payStatuses) }),
    // Below 100 samples the p99 is the slowest sample, not a percentile: the headline says so.
    ...(results.propagationUnderLoad && {
      'mix propagation p99 ms (probe)': `${results.propagationUnderLoad.p99} (${results.propagationUnderLoad.n} samples${results.propagationUnderLoad.n < 100 ? ': the slowest one' : ''})`,
    }),
    // Every product change orders applied during the mix (stock changes included), occurredAt to
    // applied: many more samples than the probe's, at the histogram's bucket bounds.
    ...(results.mix?.eventDelivery?.[APPLIED_REPLICA_KEY] && {
      'mix propagation p99 ms (every product.updated)': `${results.mix.eventDelivery[APPLIED_REPLICA_KEY].p99Ms} (${results.mix.eventDelivery[APPLIED_REPLICA_KEY].count} events)`,
    }),
  };
  results.headline = formatCostModels(Object.fromEntries(Object.entries(models).filter(([, m]) => m)), { ratios });
  // The headline on stderr (stdout stays one JSON document: bench/memory.js reads it).
  console.error(`\n${results.headline}\n`);
  const text = JSON.stringify({ headline: results.headline.split('\n'), ...results }, null, 2);
  console.log(text);
  if (OUT) fs.writeFileSync(OUT, text + '\n');
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
