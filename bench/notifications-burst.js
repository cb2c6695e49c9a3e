#!/usr/bin/env node
'use strict';
// Issue 16, "two notifications replicas under a burst of 500 orders: each expected mail exactly
// once", at full size (not in the test run: notifications/src/__tests__/replicas.test.ts is the
// same scenario at a CI-sized burst). Starts a MongoDB-wire server (FerretDB unless MONGO_URL or
// JETMART_MONGO says otherwise), nats-server, Mailpit and N notifications replicas, each its own
// process from the built dist. Seeds every person's contact through user.created, then publishes
// the burst: per order order.created, payment.created and order.completed (each twice unless
// --no-copies: a second stream message with its own msgID, as a duplicate publish or replay
// arrives), which must produce 4 mails (buyer: confirmation and receipt; two sellers: "you sold").
// Counts what Mailpit received by (recipient, subject) and prints JSON: mails/s, duplicates,
// missing, unexpected, each replica's share, the records' states, dead letters and CPU seconds.
//
//   npm run build -w common -w notifications && node bench/notifications-burst.js [--orders 500] [--replicas 2] [--sellers 20] [--no-copies]
//
// Exit code: 0 every expected mail exactly once and nothing else, 1 otherwise, 2 the run failed.
const { spawn } = require('node:child_process');
const path = require('node:path');
const { MongoClient, ObjectId } = require('mongodb');
const root = path.resolve(__dirname, '..');
const { startNats, startMongo, freePort, mongoDatabaseUrl } = require(path.join(root, 'common', 'dist', 'testing', 'servers.js'));
const { startMailpit } = require(path.join(root, 'common', 'dist', 'testing', 'mailpit.js'));
const { EventBus, makeEvent, Subjects, streamOf, Streams, createLogger } = require(path.join(root, 'common', 'dist'));
const { cpuSeconds } = require('./lib/procstat');

const argv = process.argv.slice(2);
const opt = (name, dflt) => (argv.includes(`--${name}`) ? argv[argv.indexOf(`--${name}`) + 1] : dflt);
const ORDERS = Number(opt('orders', 500));
const REPLICAS = Number(opt('replicas', 2));
const SELLERS = Number(opt('sellers', 20));
const COPIES = !argv.includes('--no-copies');
const DIST = path.join(root, 'notifications', 'dist', 'index.js');
const PUBLIC_URL = 'http://shop.bench:8080';
const ADDRESS = { name: 'Bench Buyer', line1: '1 Burst St', city: 'Berlin', postalCode: '10115', country: 'DE' };
const SUBJECTS = [Subjects.UserCreated, Subjects.OrderCreated, Subjects.PaymentCreated, Subjects.OrderCompleted];
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const t0 = Date.now();
const log = (...a) => console.error(`[${((Date.now() - t0) / 1000).toFixed(1).padStart(6)}s]`, ...a);
const oid = () => new ObjectId().toHexString();
const orderRef = (id) => id.slice(-8).toUpperCase();
const mailKey = (to, subject) => `${to}|${subject}`;

async function until(what, check, timeoutMs, everyMs = 500) {
  const end = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > end) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await sleep(everyMs);
  }
}

async function startReplica(name, env) {
  const port = await freePort();
  const child = spawn(process.execPath, [DIST], {
    env: { ...process.env, ...env, PORT: String(port), NODE_ENV: 'test', LOG_LEVEL: 'info', LOG_FORMAT: 'json' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const replica = { name, child, sent: 0, tail: '' };
  let partial = '';
  child.stdout.on('data', (b) => {
    const lines = (partial + b.toString()).split('\n');
    partial = lines.pop();
    for (const line of lines) {
      replica.tail = (replica.tail + line + '\n').slice(-4000);
      if (!line.includes('"notified"')) continue;
      try {
        const entry = JSON.parse(line);
        if (entry.msg === 'notified') replica.sent += entry.sent || 0;
      } catch {
        // not a log line
      }
    }
  });
  child.stderr.on('data', (b) => (replica.tail = (replica.tail + b.toString()).slice(-4000)));
  await until(
    `${name} ready`,
    async () => {
      if (child.exitCode !== null) throw new Error(`${name} exited: ${replica.tail}`);
      return (await fetch(`http://127.0.0.1:${port}/readyz`).catch(() => undefined))?.ok;
    },
    60_000,
    100,
  );
  return replica;
}

const stopChild = (child) =>
  new Promise((done) => {
    if (child.exitCode !== null || child.signalCode !== null) return done();
    child.once('exit', () => done());
    child.kill('SIGTERM');
  });

async function main() {
  process.env.NODE_ENV = 'test';
  const [mongo, nats, mailpit] = await Promise.all([startMongo(), startNats(), startMailpit()]);
  const dbUrl = mongoDatabaseUrl(mongo.url, `jetmart_notifications_burst_${Date.now().toString(36)}`);
  const client = await MongoClient.connect(dbUrl);
  const db = client.db();
  const bus = await EventBus.connect({
    servers: nats.url,
    name: 'notifications-burst',
    logger: createLogger('bench', { level: 'silent' }),
  });
  const replicas = [];
  try {
    await bus.ensureStreams();
    const env = { MONGO_URL: dbUrl, NATS_URL: nats.url, SMTP_URL: mailpit.smtpUrl, PUBLIC_URL, JWT_KEY: 'bench-only-jwt-key' };
    for (let i = 0; i < REPLICAS; i++) replicas.push(await startReplica(`notifications-${i + 1}`, env));
    log(`${REPLICAS} replicas ready; ${ORDERS} orders, ${SELLERS} sellers, copies: ${COPIES}`);

    const publish = (e) => bus.js.publish(e.subject, JSON.stringify(e), { msgID: e.id });
    const publishAll = async (events, copies) => {
      for (let i = 0; i < events.length; i += 200) {
        await Promise.all(
          events
            .slice(i, i + 200)
            .flatMap((e) =>
              copies ? [publish(e), bus.js.publish(e.subject, JSON.stringify(e), { msgID: `${e.id}-again` })] : [publish(e)],
            ),
        );
      }
    };

    const sellers = Array.from({ length: SELLERS }, () => ({ id: oid(), email: `s-${oid().slice(-10)}@bench.dev` }));
    const buyers = [];
    const events = [];
    const expected = new Map();
    for (let i = 0; i < ORDERS; i++) {
      const buyer = { id: oid(), email: `b-${oid().slice(-10)}@bench.dev` };
      const [a, b] = [sellers[i % SELLERS], sellers[(i + 1) % SELLERS]];
      const orderId = oid();
      const items = [
        { productId: oid(), quantity: 2, sellerId: a.id, title: 'Desk Lamp', priceMinor: 1500 },
        { productId: oid(), quantity: 1, sellerId: b.id, title: 'Chair', priceMinor: 4999 },
      ];
      buyers.push(buyer);
      events.push(
        makeEvent(Subjects.OrderCreated, {
          id: orderId,
          userId: buyer.id,
          status: 'created',
          expiresAt: new Date(Date.now() + 15 * 60_000).toISOString(),
          items,
          totalMinor: 7999,
          shippingAddress: ADDRESS,
          version: 0,
        }),
        makeEvent(Subjects.PaymentCreated, { id: oid(), orderId, userId: buyer.id, amountMinor: 7999, version: 0 }),
        makeEvent(Subjects.OrderCompleted, { id: orderId, userId: buyer.id, items, shippingAddress: ADDRESS, version: 1 }),
      );
      const ref = orderRef(orderId);
      expected.set(mailKey(buyer.email, `Order ${ref} confirmed`), 0);
      expected.set(mailKey(buyer.email, `Payment received for order ${ref}`), 0);
      expected.set(mailKey(a.email, `You sold 2 items (order ${ref})`), 0);
      expected.set(mailKey(b.email, `You sold 1 item (order ${ref})`), 0);
    }

    const people = [...sellers, ...buyers];
    await publishAll(
      people.map((p) => makeEvent(Subjects.UserCreated, { id: p.id, email: p.email, displayName: 'Bench Person', version: 0 })),
      false,
    );
    await until('contacts', async () => (await db.collection('contacts').countDocuments()) === people.length, 300_000);
    log(`${people.length} contacts replicated`);

    const cpuBefore = replicas.map((r) => cpuSeconds(r.child.pid) || 0);
    const started = Date.now();
    await publishAll(events, COPIES);
    const publishedMs = Date.now() - started;
    log(`published ${events.length * (COPIES ? 2 : 1)} messages in ${publishedMs} ms`);
    const total = expected.size;
    const mailTotal = async () => (await (await fetch(`${mailpit.httpUrl}/api/v1/messages?limit=1`)).json()).total;
    let last = -1;
    let firstMailMs;
    let allMailMs;
    let stalledSince = Date.now();
    for (;;) {
      const n = await mailTotal();
      if (n > 0 && firstMailMs === undefined) firstMailMs = Date.now() - started;
      if (n !== last) {
        log(`${n}/${total} mails`);
        last = n;
        stalledSince = Date.now();
      }
      if (n >= total) {
        allMailMs = Date.now() - started;
        break;
      }
      if (Date.now() - stalledSince > 120_000) {
        log('no progress for 120 s: counting what arrived');
        break;
      }
      await sleep(500);
    }
    // Quiescent: every durable delivered everything and holds nothing unacknowledged.
    await until(
      'drained',
      async () => {
        for (const s of SUBJECTS) {
          const info = await bus.jsm.consumers.info(streamOf(s), `notifications-${s.replace(/\./g, '-')}`);
          if (info.num_pending + info.num_ack_pending > 0) return false;
        }
        return true;
      },
      180_000,
    ).catch((err) => log(err.message));
    const drainedMs = Date.now() - started;
    const cpu = replicas.map((r, i) => (cpuSeconds(r.child.pid) || 0) - cpuBefore[i]);
    await sleep(1_000); // the replicas' last log lines

    const messages = (await (await fetch(`${mailpit.httpUrl}/api/v1/messages?limit=0`)).json()).messages;
    const unexpected = {};
    for (const m of messages) {
      for (const to of m.To || []) {
        const k = mailKey(to.Address, m.Subject);
        if (expected.has(k)) expected.set(k, expected.get(k) + 1);
        else unexpected[k] = (unexpected[k] || 0) + 1;
      }
    }
    const counts = [...expected.values()];
    const duplicates = counts.filter((c) => c > 1).reduce((s, c) => s + c - 1, 0);
    const missing = counts.filter((c) => c === 0).length;
    const records = await db
      .collection('notifications')
      .aggregate([{ $match: { channel: 'email' } }, { $group: { _id: '$status', n: { $sum: 1 } } }])
      .toArray();
    const attempts = await db
      .collection('notifications')
      .aggregate([{ $match: { channel: 'email' } }, { $group: { _id: '$attempts', n: { $sum: 1 } } }])
      .toArray();
    const deadLetters = (await bus.jsm.streams.info(Streams.deadLetter.name)).state.messages;
    const result = {
      orders: ORDERS,
      replicas: REPLICAS,
      sellers: SELLERS,
      copies: COPIES,
      messagesPublished: events.length * (COPIES ? 2 : 1),
      expectedMails: total,
      mailpitMessages: messages.length,
      duplicates,
      missing,
      unexpected: Object.values(unexpected).reduce((s, c) => s + c, 0),
      publishMs: publishedMs,
      firstMailMs,
      allMailsMs: allMailMs,
      drainedMs,
      mailsPerSecond: allMailMs ? Number((total / (allMailMs / 1000)).toFixed(1)) : undefined,
      sentByReplica: Object.fromEntries(replicas.map((r) => [r.name, r.sent])),
      cpuSecondsByReplica: Object.fromEntries(replicas.map((r, i) => [r.name, Number(cpu[i].toFixed(1))])),
      emailRecords: Object.fromEntries(records.map((r) => [r._id, r.n])),
      emailRecordsByAttempts: Object.fromEntries(attempts.map((r) => [r._id, r.n])),
      deadLetters,
      loadAverageAtEnd: require('node:os').loadavg()[0],
    };
    console.log(JSON.stringify(result, null, 2));
    return duplicates === 0 && missing === 0 && result.unexpected === 0 && deadLetters === 0 ? 0 : 1;
  } finally {
    await Promise.all(replicas.map((r) => stopChild(r.child)));
    await bus.drain().catch(() => undefined);
    await db.dropDatabase().catch(() => undefined);
    await client.close();
    await Promise.all([mailpit.destroy(), nats.destroy(), mongo.stop()]);
  }
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(err);
    process.exit(2);
  },
);
