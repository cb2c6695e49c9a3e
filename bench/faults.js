#!/usr/bin/env node
'use strict';
// Fault injection under a checkout load (issue 9; not in the test run). Starts FerretDB (its storage
// kept across restarts: PostgreSQL by default, see startFerret), nats-server (file store kept) and
// the seven services from their built dist, drives checkouts (sellers list products through the API; buyers order with a shipping
// address, then pay, cancel or let orders expire with ORDER_EXPIRATION_SECONDS=5) and fulfilment
// (sellers ship most of their pending shipments, some twice at once; buyers confirm some deliveries;
// the rest auto-deliver after SHIPPING_AUTO_DELIVER_SECONDS=8), cancels (some parts before shipping,
// some racing the seller's ship) and returns (requested by buyers, approved or rejected and received
// with or without restock by sellers, refunded by payments), reviews of delivered products (some
// sent twice at once), and meanwhile kill -9s each service
// in turn and restarts it, then restarts nats-server, then kill -9s and restarts FerretDB. After the
// load it waits for quiescence (timers included), reads every order's `fulfillment` through the API,
// and runs bench/check-invariants.js on every database.
//
//   npm run build && node bench/faults.js [--seconds 75] [--buyers 8] [--ha] [--keep]
//
// --ha (issue 20): NATS is a 3-node JetStream cluster (startNatsCluster, routes, a store per node),
// the services run with JETSTREAM_REPLICAS=3 and NATS_URL listing every node, and the NATS fault is
// kill -9 of the node that leads the ORDERS stream (restarted 5 s later with its store), instead of
// a restart of the one nats-server.
//
// Exit code: 0 all invariants hold, 1 violations, 2 the run itself failed.
const { spawn } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { MongoClient } = require('mongodb');
const root = path.resolve(__dirname, '..');
const { startNats, startNatsCluster, freePort, startMongo } = require(path.join(root, 'common', 'dist', 'testing', 'servers.js'));
const { signSessionToken, SESSION_COOKIE } = require(path.join(root, 'common', 'dist'));
const { checkInvariants } = require('./check-invariants');

const argv = process.argv.slice(2);
const opt = (name, dflt) => (argv.includes(`--${name}`) ? argv[argv.indexOf(`--${name}`) + 1] : dflt);
const SECONDS = Number(opt('seconds', 75));
const BUYERS = Number(opt('buyers', 8));
const HA = argv.includes('--ha');
const natsList = (url) => url.split(',');
const SELLERS = 3;
const PRODUCTS_PER_SELLER = 4;
const QUANTITY = 15; // small stock: buyers compete for it, so oversell would show
const EXPIRATION_SECONDS = 5;
const AUTO_DELIVER_SECONDS = 8;
// Short, so every return window's timer fires within the run: a held 30-day timer would count as
// consumer backlog and the run would never be quiescent.
const RETURN_WINDOW_SECONDS = 40;
// Every order is placed with a shipping address (issue 14).
const SHIPPING_ADDRESS = { name: 'Fault Buyer', line1: '1 Crash Lane', city: 'Berlin', postalCode: '10115', country: 'DE' };
const JWT_KEY = `faults-${crypto.randomBytes(24).toString('hex')}`;
const PREFIX = 'jetmart_faults';
// search (issue 19) follows the PRODUCTS stream; it is killed and restarted like the others.
const SERVICES = ['auth', 'products', 'search', 'orders', 'payments', 'expiration', 'shipping'];
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const t0 = Date.now();
const log = (...a) => console.log(`[${((Date.now() - t0) / 1000).toFixed(1).padStart(6)}s]`, ...a);

// ---- FerretDB on a kept data directory: PostgreSQL by default, as the tests and `npm start` use it
// (JETMART_FERRETDB_BACKEND=sqlite for the SQLite files). kill -9 leaves its storage as it was;
// the restart opens the same storage on the same port, so the services' URLs stay right.
async function startFerret() {
  process.env.JETMART_MONGO = 'ferretdb';
  const port = await freePort();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'jetmart-faults-ferret-'));
  let server = await startMongo({ dataDir: dir, port });
  const kill = async () => {
    try {
      process.kill(server.pid, 'SIGKILL');
    } catch {
      return; // already gone
    }
    while (await isAlive(server.pid)) await sleep(50);
  };
  return {
    url: server.url,
    dir,
    backend: server.backend,
    kill,
    restart: async () => {
      await kill();
      server = await startMongo({ dataDir: dir, port });
    },
    // The kept PostgreSQL database goes with its directory: the next start of any FerretDB drops
    // databases whose directory is gone (servers.ts, sweepPostgresDatabases).
    destroy: async () => (await kill(), await server.stop(), fs.rmSync(dir, { recursive: true, force: true })),
  };
}

async function isAlive(pid) {
  try {
    process.kill(pid, 0);
    // A killed child stays a zombie until reaped; its state in /proc says it is gone.
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/^\d+ \(.*\) Z/.test(stat);
  } catch {
    return false;
  }
}

// ---- services from dist
function serviceManager(mongoUrl, natsUrl) {
  const running = {};
  const ports = {};
  const restarts = {};
  async function start(name) {
    ports[name] ??= await freePort();
    const env = {
      ...process.env,
      PORT: String(ports[name]),
      NATS_URL: natsUrl,
      JETSTREAM_REPLICAS: HA ? '3' : '1',
      JWT_KEY,
      ORDER_EXPIRATION_SECONDS: String(EXPIRATION_SECONDS),
      SHIPPING_AUTO_DELIVER_SECONDS: String(AUTO_DELIVER_SECONDS),
      RETURN_WINDOW_SECONDS: String(RETURN_WINDOW_SECONDS),
      NODE_ENV: 'test',
      LOG_LEVEL: 'warn',
      LOG_FORMAT: 'json',
    };
    if (name === 'expiration') delete env.MONGO_URL;
    else env.MONGO_URL = `${mongoUrl}${PREFIX}_${name}`;
    const proc = spawn(process.execPath, [path.join(root, name, 'dist', 'index.js')], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    const keep = (b) => (out = (out + b.toString()).slice(-6000));
    proc.stdout.on('data', keep);
    proc.stderr.on('data', keep);
    running[name] = { proc, output: () => out };
    const url = `http://127.0.0.1:${ports[name]}`;
    const until = Date.now() + 60_000;
    for (;;) {
      if (proc.exitCode !== null) throw new Error(`${name} exited with ${proc.exitCode}: ${out}`);
      if (
        await fetch(`${url}/readyz`).then(
          (r) => r.ok,
          () => false,
        )
      )
        return url;
      if (Date.now() > until) throw new Error(`${name} not ready:\n${out}`);
      await sleep(100);
    }
  }
  const stop = (name, signal) =>
    new Promise((r) => {
      const { proc } = running[name];
      if (proc.exitCode !== null || proc.signalCode !== null) return r();
      const t = setTimeout(() => proc.kill('SIGKILL'), 15_000);
      proc.once('exit', () => (clearTimeout(t), r()));
      proc.kill(signal);
    });
  return {
    start,
    url: (name) => `http://127.0.0.1:${ports[name]}`,
    async crash(name) {
      await stop(name, 'SIGKILL');
      restarts[name] = (restarts[name] ?? 0) + 1;
      await sleep(1500);
      await start(name);
    },
    stopAll: () => Promise.all(Object.keys(running).map((n) => stop(n, 'SIGTERM'))),
    output: (name) => running[name]?.output(),
  };
}

// ---- clients
const oid = () => crypto.randomBytes(12).toString('hex');
function cookieFor(user) {
  const jwt = signSessionToken(user, JWT_KEY, 3600);
  return `${SESSION_COOKIE}=${Buffer.from(JSON.stringify({ jwt })).toString('base64')}`;
}
async function call(base, method, p, cookie, body, headers = {}) {
  try {
    const res = await fetch(new URL(p, base), {
      method,
      headers: { 'Content-Type': 'application/json', Cookie: cookie, ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(15_000),
    });
    const text = await res.text();
    let json;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      // not JSON (a proxy's error page, a cut-off body): the status alone is the answer
    }
    return { status: res.status, body: json };
  } catch (err) {
    return { status: 0, error: err.cause?.code || err.name };
  }
}

async function main() {
  const ferret = await startFerret();
  log(`FerretDB on ${ferret.backend} at ${ferret.url} (data ${ferret.dir})`);
  const nats = HA ? await startNatsCluster() : await startNats();
  log(HA ? `3-node NATS cluster at ${nats.url}` : `nats-server at ${nats.url} (store ${nats.storeDir})`);
  const svc = serviceManager(ferret.url, nats.url);
  for (const s of SERVICES) await svc.start(s);
  log('services ready:', SERVICES.map((s) => `${s}=${svc.url(s)}`).join(' '));

  // Sellers list products through the API.
  const sellers = Array.from({ length: SELLERS }, (_, i) => ({ id: oid(), email: `seller-${i}@faults.dev` }));
  const productIds = [];
  for (const s of sellers) {
    for (let i = 0; i < PRODUCTS_PER_SELLER; i++) {
      const r = await call(svc.url('products'), 'POST', '/api/products', cookieFor(s), {
        title: `Fault item ${s.email} ${i}`,
        price: 5 + i,
        quantity: QUANTITY,
      });
      if (r.status !== 201) throw new Error(`create product: ${r.status} ${JSON.stringify(r.body)}`);
      productIds.push(r.body.id);
    }
  }
  const mongo = await MongoClient.connect(ferret.url);
  for (;;) {
    const n = await mongo
      .db(`${PREFIX}_orders`)
      .collection('productreplicas')
      .countDocuments({})
      .catch(() => 0);
    if (n >= productIds.length) break;
    await sleep(200);
  }
  log(`${productIds.length} products of ${QUANTITY} units listed by ${SELLERS} sellers; replicated`);

  // The load: buyers order 1–2 lines, then pay (45%), cancel (25%) or let the order expire (30%).
  const told = { orders: [], paid: [], cancelled: [], shipped: {}, delivered: [], fulfillment: {}, cancelledParts: [], returns: {} };
  const cookieOfOrder = new Map();
  const stats = {};
  const count = (k) => (stats[k] = (stats[k] ?? 0) + 1);
  let loadRunning = true;
  const buyers = Array.from({ length: BUYERS }, (_, i) => ({ id: oid(), email: `buyer-${i}@faults.dev` }));
  const pick = () => productIds[crypto.randomInt(productIds.length)];
  const buyerLoop = async (b) => {
    const cookie = cookieFor(b);
    while (loadRunning) {
      const a = pick();
      let bId = pick();
      const items = [{ productId: a, quantity: 1 + crypto.randomInt(3) }];
      if (crypto.randomInt(3) === 0 && bId !== a) items.push({ productId: bId, quantity: 1 });
      const r = await call(svc.url('orders'), 'POST', '/api/orders', cookie, { items, shippingAddress: SHIPPING_ADDRESS });
      count(`order ${r.status || r.error}`);
      if (r.status !== 201) {
        await sleep(r.status === 0 ? 500 : 100);
        continue;
      }
      const orderId = r.body.id;
      told.orders.push(orderId);
      cookieOfOrder.set(orderId, cookie);
      const roll = crypto.randomInt(100);
      await sleep(crypto.randomInt(1500));
      if (roll < 45) {
        const key = crypto.randomUUID();
        for (let attempt = 0; attempt < 5; attempt++) {
          const p = await call(
            svc.url('payments'),
            'POST',
            '/api/payments',
            cookie,
            { orderId, token: 'tok_visa' },
            { 'Idempotency-Key': key },
          );
          count(`pay ${p.status || p.error}`);
          if (p.status === 201) {
            told.paid.push(orderId);
            break;
          }
          if (p.status !== 0 && p.status < 500) break; // 404 (replica not there yet), 409 (expired)…: an answer, not a fault
          await sleep(1000);
        }
      } else if (roll < 70) {
        for (let attempt = 0; attempt < 5; attempt++) {
          const d = await call(svc.url('orders'), 'DELETE', `/api/orders/${orderId}`, cookie);
          count(`cancel ${d.status || d.error}`);
          if (d.status === 200) {
            told.cancelled.push(orderId);
            break;
          }
          if (d.status !== 0 && d.status < 500) break;
          await sleep(1000);
        }
      } else count('left to expire');
    }
  };
  // Fulfilment: a shipment's id decides what happens to it, so every run has every end state.
  // Its last hex digit: 0–b shipped by the seller (every 4th of those with two requests at once),
  // c–f left pending; of the shipped ones, an even digit is confirmed by the buyer, an odd one is
  // left to the timer.
  const digit = (shipmentId) => parseInt(shipmentId.slice(-1), 16);
  const retried = async (what, fn) => {
    for (let attempt = 0; attempt < 5; attempt++) {
      const res = await fn();
      count(`${what} ${res.status || res.error}`);
      if (res.status !== 0 && res.status < 500) return res; // 200, or 404/409: an answer, not a fault
      await sleep(1000);
    }
    return { status: 0 };
  };
  const sellerLoop = async (seller) => {
    const cookie = cookieFor(seller);
    const done = new Set();
    while (loadRunning) {
      const list = await call(svc.url('shipping'), 'GET', '/api/shipments?status=pending', cookie);
      for (const x of list.status === 200 ? list.body : []) {
        if (!loadRunning || done.has(x.id) || digit(x.id) >= 12) continue;
        done.add(x.id);
        const tracking = { carrier: 'DHL', trackingNumber: `FAULT-${x.id}` };
        const ship = () => retried('ship', () => call(svc.url('shipping'), 'POST', `/api/shipments/${x.id}/ship`, cookie, tracking));
        const answers = await Promise.all(digit(x.id) % 4 === 0 ? [ship(), ship()] : [ship()]);
        if (answers.some((a) => a.status === 200)) told.shipped[x.id] = tracking;
      }
      // Returns: the seller approves what is requested (rejects one in four) and receives what is
      // approved, restocking when the return id's last digit is even.
      for (const state of ['requested', 'approved']) {
        const rs = await call(svc.url('orders'), 'GET', `/api/returns?role=seller&status=${state}`, cookie);
        for (const r of rs.status === 200 ? rs.body : []) {
          if (!loadRunning) break;
          const step =
            state === 'approved'
              ? ['receive', { restock: digit(r.id) % 2 === 0 }]
              : digit(r.id) % 4 === 3
                ? ['reject', { message: 'Not in the condition it was sent in' }]
                : ['approve', undefined];
          const res = await retried(`return ${step[0]}`, () =>
            call(svc.url('orders'), 'POST', `/api/returns/${r.id}/${step[0]}`, cookie, step[1]),
          );
          if (res.status === 200) told.returns[r.id] = res.body.status;
        }
      }
      await sleep(list.status === 200 ? 1000 : 500);
    }
  };
  const confirmLoop = async () => {
    const confirmed = new Set();
    while (loadRunning) {
      for (const orderId of [...told.paid]) {
        if (!loadRunning) break;
        const cookie = cookieOfOrder.get(orderId);
        const list = await call(svc.url('shipping'), 'GET', `/api/shipments?orderId=${orderId}`, cookie);
        for (const x of list.status === 200 ? list.body : []) {
          // The buyer cancels pending parts ending in c or d (never shipped by the seller), and tries to
          // cancel those ending in 0 while their seller ships them (a race with one winner).
          if (x.status === 'pending' && [0, 12, 13].includes(digit(x.id)) && !confirmed.has(`cancel-${x.id}`)) {
            confirmed.add(`cancel-${x.id}`);
            const c = await retried('cancel part', () => call(svc.url('shipping'), 'POST', `/api/shipments/${x.id}/cancel`, cookie));
            if (c.status === 200) told.cancelledParts.push(x.id);
          }
          // Delivered parts ending in 2, 4 or 6: the buyer returns one unit of the first line.
          if (x.status === 'delivered' && [2, 4, 6].includes(digit(x.id)) && !confirmed.has(`return-${x.id}`)) {
            confirmed.add(`return-${x.id}`);
            const body = { items: [{ productId: x.items[0].productId, quantity: 1 }], reason: 'damaged' };
            const r = await retried('return', () => call(svc.url('orders'), 'POST', `/api/orders/${orderId}/returns`, cookie, body));
            if (r.status === 201) told.returns[r.body.id] = 'requested';
          }
          // Delivered parts: the buyer reviews each of its products (invariant 14), every third part
          // with two requests at once (one review; the other 409). A 403 means products has not
          // consumed the delivery yet: tried again on a later pass.
          if (x.status === 'delivered' && !confirmed.has(`review-${x.id}`)) {
            let settled = true;
            for (const line of x.items) {
              const body = { rating: 1 + crypto.randomInt(5), text: `Fault review of ${x.id}` };
              const review = () =>
                retried('review', () => call(svc.url('products'), 'POST', `/api/products/${line.productId}/reviews`, cookie, body));
              const answers = await Promise.all(digit(x.id) % 3 === 0 ? [review(), review()] : [review()]);
              if (answers.some((a) => a.status === 403)) settled = false;
            }
            if (settled) confirmed.add(`review-${x.id}`);
          }
          if (x.status !== 'shipped' || digit(x.id) % 2 !== 0 || confirmed.has(x.id)) continue;
          confirmed.add(x.id);
          const d = await retried('deliver', () => call(svc.url('shipping'), 'POST', `/api/shipments/${x.id}/deliver`, cookie));
          if (d.status === 200) told.delivered.push(x.id);
        }
      }
      await sleep(2000);
    }
  };
  const loops = [...buyers.map(buyerLoop), ...sellers.map(sellerLoop), confirmLoop()];

  // Faults, spread over the load.
  const faults = [
    ...SERVICES.map((s) => [`kill -9 ${s}`, () => svc.crash(s)]),
    HA
      ? ['kill -9 the ORDERS leader nats-server (restarted after 5 s)', () => killOrdersLeader(nats)]
      : ['restart nats-server', () => nats.restart()],
    ['kill -9 + restart FerretDB', () => ferret.restart()],
  ];
  const gap = (SECONDS * 1000) / (faults.length + 1);
  for (const [what, fn] of faults) {
    await sleep(gap);
    const at = Date.now();
    await fn();
    log(`${what}: back in ${Date.now() - at} ms`);
  }
  await sleep(gap);
  loadRunning = false;
  await Promise.all(loops);
  log(`load done: ${JSON.stringify(stats)}`);

  // Quiescence: outboxes empty, every durable drained, no created order past its expiry, no shipped
  // shipment past its auto-delivery time (expiration holds those timers).
  const { jetstreamManager } = require(require.resolve('@nats-io/jetstream', { paths: [path.join(root, 'common')] }));
  const { connect } = require(require.resolve('@nats-io/transport-node', { paths: [path.join(root, 'common')] }));
  const nc = await connect({ servers: natsList(nats.url) });
  const jsm = await jetstreamManager(nc);
  const quietUntil = Date.now() + 180_000;
  let quiet = false;
  let why = '';
  while (Date.now() < quietUntil) {
    const pendingOutbox = (
      await Promise.all(
        [
          ['products', 'products'],
          ['products', 'productstocks'],
          ['products', 'productratings'],
          ['orders', 'orders'],
          ['payments', 'payments'],
          ['payments', 'refunds'],
          ['orders', 'returns'],
          ['shipping', 'shipments'],
        ].map(([db, col]) =>
          mongo
            .db(`${PREFIX}_${db}`)
            .collection(col)
            .countDocuments({ 'outbox.0': { $exists: true } }),
        ),
      )
    ).reduce((a, b) => a + b, 0);
    let backlog = 0;
    for await (const s of jsm.streams.list()) {
      if (s.config.name === 'DEADLETTER') continue;
      for await (const c of jsm.consumers.list(s.config.name)) backlog += c.num_pending + c.num_ack_pending;
    }
    const overdue = await mongo
      .db(`${PREFIX}_orders`)
      .collection('orders')
      .countDocuments({ status: 'created', expiresAt: { $lt: new Date() } });
    const undelivered = await mongo
      .db(`${PREFIX}_shipping`)
      .collection('shipments')
      .countDocuments({ status: 'shipped', autoDeliverAt: { $lt: new Date() } });
    // Return windows still open hold their timers (shipment.delivered messages) on purpose.
    const openWindows = await mongo
      .db(`${PREFIX}_shipping`)
      .collection('shipments')
      .countDocuments({ status: 'delivered', returnableUntil: { $gt: new Date() } });
    why = `outbox ${pendingOutbox}, consumer backlog ${backlog}, overdue created orders ${overdue}, shipments past auto-delivery ${undelivered}, open return windows ${openWindows}`;
    if (!pendingOutbox && !backlog && !overdue && !undelivered && !openWindows) {
      quiet = true;
      break;
    }
    await sleep(1000);
  }
  log(quiet ? 'quiescent' : `NOT quiescent after 180 s: ${why}`);
  const dl = await jsm.streams.info('DEADLETTER').then(
    (i) => i.state.messages,
    () => 0,
  );
  log(`dead-lettered events: ${dl}`);
  await nc.close();
  await mongo.close();

  // What each buyer sees: the order's fulfilment as orders derives it (checked against the shipments).
  for (const orderId of told.orders) {
    const r = await call(svc.url('orders'), 'GET', `/api/orders/${orderId}`, cookieOfOrder.get(orderId));
    if (r.status === 200) told.fulfillment[orderId] = r.body.fulfillment ?? '(none shown)';
    else count(`read order ${r.status || r.error}`);
  }

  const expectFile = path.join(os.tmpdir(), `jetmart-faults-expect-${process.pid}.json`);
  fs.writeFileSync(expectFile, JSON.stringify(told));
  const result = await checkInvariants({ mongo: ferret.url, prefix: PREFIX, expect: expectFile });
  if (dl) result.violations.push({ kind: 'dead-lettered events', detail: String(dl) });
  log(`cli: node bench/check-invariants.js --mongo ${ferret.url} --prefix ${PREFIX} --expect ${expectFile}`);

  if (argv.includes('--keep')) {
    log('--keep: leaving everything running; Ctrl-C to stop');
    await new Promise(() => undefined);
  }
  await svc.stopAll();
  await nats.destroy();
  await ferret.destroy();
  fs.rmSync(expectFile, { force: true });
  log(`result: ${result.violations.length ? `${result.violations.length} violation(s)` : 'all invariants hold'}`);
  process.exit(result.violations.length ? 1 : 0);
}

/** --ha: kill -9 the node leading ORDERS, wait for a new leader, restart the node after 5 s, wait until the cluster is healthy. */
async function killOrdersLeader(cluster) {
  const { jetstreamManager } = require(require.resolve('@nats-io/jetstream', { paths: [path.join(root, 'common')] }));
  const { connect } = require(require.resolve('@nats-io/transport-node', { paths: [path.join(root, 'common')] }));
  const nc = await connect({ servers: natsList(cluster.url) });
  try {
    const jsm = await jetstreamManager(nc);
    const leaderName = (await jsm.streams.info('ORDERS')).cluster.leader;
    const node = cluster.node(leaderName);
    const at = Date.now();
    await node.stop('SIGKILL');
    for (;;) {
      const leader = await jsm.streams.info('ORDERS').then(
        (i) => i.cluster && i.cluster.leader,
        () => undefined,
      );
      if (leader && leader !== leaderName) {
        log(`ORDERS leader ${leaderName} killed; ${leader} leads after ${Date.now() - at} ms`);
        break;
      }
      if (Date.now() - at > 60_000) throw new Error('no new ORDERS leader within 60 s');
      await sleep(100);
    }
    await sleep(5000);
    await node.restart();
    await cluster.waitHealthy(60_000);
  } finally {
    await nc.close();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(2);
});
