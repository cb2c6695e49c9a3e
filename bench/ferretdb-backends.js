#!/usr/bin/env node
'use strict';
/*
 * FerretDB 1.24 on SQLite against FerretDB 1.24 on the machine's PostgreSQL (issue 21), same
 * binary, same documents, one backend after the other. Prints numbers; asserts nothing.
 *
 *   npm run build -w common && node bench/ferretdb-backends.js [--sizes 3000,20000] [--backends sqlite,postgresql]
 *
 * For each backend and collection size (order-shaped documents, 1 in 100 with a pending outbox
 * entry, an index on userId as the orders service declares):
 *   - explain of the hot queries: does FerretDB push the filter down to the backend
 *     (`filterPushdown`), and the backend's plan;
 *   - median / p90 of 30 runs of each query, and the CPU-ms FerretDB (and, for PostgreSQL, its
 *     backend processes, which are not children of this process) spent on those runs;
 *   - an update filtered by `_id` and a path into an array (orders' `{_id, 'holds.orderId'}`):
 *     FerretDB 1.24 on PostgreSQL matches it in `find` but modifies nothing in `updateOne`;
 *   - atomicity of single-document updates without document locks: 20 concurrent guarded
 *     decrements of a stock of 5 (more than 5 succeeding = oversold) and 20 concurrent `$inc`s
 *     (fewer than 20 in the result = lost updates), 5 rounds each.
 */
const path = require('node:path');
const fs = require('node:fs');
const { MongoClient, ObjectId } = require('mongodb');

const root = path.join(__dirname, '..');
const servers = require(path.join(root, 'common', 'dist', 'testing', 'servers.js'));
const proc = require('./lib/procstat');

const args = process.argv.slice(2);
const opt = (name, def) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : def;
};
const SIZES = opt('sizes', '3000,20000').split(',').map(Number);
const BACKENDS = opt('backends', 'sqlite,postgresql').split(',');
const RUNS = Number(opt('runs', 30));
const log = (...a) => console.error('[ferretdb]', ...a);

/** CPU seconds of FerretDB plus, when given, every process under the postmaster. */
function cpuNow(ferretPid, pgPid) {
  let s = proc.cpuSeconds(ferretPid) || 0;
  if (pgPid) for (const p of proc.tree(pgPid)) s += proc.cpuSeconds(p.pid) || 0;
  return s;
}

function orderDoc(i, users) {
  return {
    _id: new ObjectId(),
    userId: `user-${i % users}`,
    status: ['created', 'awaiting:payment', 'complete', 'cancelled'][i % 4],
    expiresAt: new Date(Date.now() + 15 * 60_000),
    version: i % 3,
    shippingAddress: { name: 'Load Buyer', line1: '1 Bench Street', city: 'Berlin', postalCode: '10115', country: 'DE' },
    items: [
      { productId: new ObjectId().toHexString(), title: `Product ${i % 500}`, price: 1999 + (i % 100), quantity: 1 + (i % 3) },
      { productId: new ObjectId().toHexString(), title: `Product ${(i + 7) % 500}`, price: 499, quantity: 1 },
    ],
    total: 2498 + (i % 100),
    outbox: i % 100 === 0 ? [{ subject: 'order.created', data: { id: `o${i}` }, occurredAt: new Date() }] : [],
  };
}

const quantile = (xs, q) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))];
};

async function measureQueries(db, coll, ids, ferretPid, pgPid) {
  const queries = {
    '_id equality (findOne)': { filter: { _id: ids[17] }, one: true },
    'scalar equality, indexed (userId)': { filter: { userId: 'user-42' } },
    'scalar equality, not indexed (status)': { filter: { status: 'complete', version: 1 }, limit: 5 },
    '_id $in (3 ids)': { filter: { _id: { $in: [ids[1], ids[500], ids[ids.length - 1]] } } },
    "outbox scan {'outbox.0': {$exists: true}}": { filter: { 'outbox.0': { $exists: true } } },
  };
  const out = {};
  for (const [name, q] of Object.entries(queries)) {
    const explain = await db.command({ explain: { find: coll.collectionName, filter: q.filter, ...(q.limit ? { limit: q.limit } : {}) } });
    const plan = JSON.stringify(explain.queryPlanner ?? {});
    const times = [];
    let found = 0;
    const cpu0 = cpuNow(ferretPid, pgPid);
    for (let i = 0; i < RUNS; i++) {
      const t0 = performance.now();
      const docs = q.one ? [await coll.findOne(q.filter)] : await coll.find(q.filter, q.limit ? { limit: q.limit } : {}).toArray();
      times.push(performance.now() - t0);
      found = docs.filter(Boolean).length;
    }
    const cpuMs = ((cpuNow(ferretPid, pgPid) - cpu0) * 1000) / RUNS;
    out[name] = {
      filterPushdown: explain.filterPushdown,
      // The backend's access path, as named in its plan (SQLite: SCAN / SEARCH; PostgreSQL: Seq Scan / Index Scan ...).
      plan: (plan.match(/(SCAN[^"]*|SEARCH[^"]*|Seq Scan|Index Scan|Index Only Scan|Bitmap Heap Scan|Bitmap Index Scan)/g) || [])
        .slice(0, 3)
        .join(', '),
      found,
      p50Ms: Math.round(quantile(times, 0.5) * 10) / 10,
      p90Ms: Math.round(quantile(times, 0.9) * 10) / 10,
      cpuMsPerQuery: Math.round(cpuMs * 10) / 10,
    };
  }
  return out;
}

/** Guarded decrements and plain `$inc`s racing on one document, with no document lock. */
async function measureAtomicity(url) {
  const clients = await Promise.all(Array.from({ length: 20 }, () => MongoClient.connect(url, { maxPoolSize: 1 })));
  const colls = clients.map((c) => c.db('bench_atomic').collection('stock'));
  const rounds = [];
  try {
    for (let r = 0; r < 5; r++) {
      const _id = new ObjectId();
      await colls[0].insertOne({ _id, stock: 5, hits: 0 });
      const dec = await Promise.all(colls.map((c) => c.updateOne({ _id, stock: { $gte: 1 } }, { $inc: { stock: -1 } })));
      await Promise.all(colls.map((c) => c.updateOne({ _id }, { $inc: { hits: 1 } })));
      const doc = await colls[0].findOne({ _id });
      rounds.push({ decrementsAccepted: dec.reduce((n, x) => n + x.modifiedCount, 0), stockLeft: doc.stock, hitsOf20: doc.hits });
    }
    await clients[0].db('bench_atomic').dropDatabase();
  } finally {
    await Promise.all(clients.map((c) => c.close()));
  }
  return rounds;
}

/**
 * An update whose filter names `_id` and a path into an array of subdocuments (orders' hold
 * release and sale: `{_id, 'holds.orderId': id}`): `find` matches the document; does `updateOne`?
 */
async function measureArrayPathUpdate(db) {
  const coll = db.collection('replicas');
  await coll.insertOne({
    _id: 'p1',
    available: 1,
    holds: [
      { orderId: 'o1', quantity: 2 },
      { orderId: 'o2', quantity: 1 },
    ],
  });
  const res = {
    findMatches: (await coll.find({ _id: 'p1', 'holds.orderId': 'o2' }).toArray()).length,
    updateOneModified: (await coll.updateOne({ _id: 'p1', 'holds.orderId': 'o2' }, { $inc: { available: 1 } })).modifiedCount,
    updateOneByIdModified: (await coll.updateOne({ _id: 'p1' }, { $inc: { available: 1 } })).modifiedCount,
  };
  await coll.drop();
  return res;
}

async function main() {
  const results = { machine: { loadavg: require('node:os').loadavg() }, backends: {} };
  for (const backend of BACKENDS) {
    process.env.JETMART_MONGO = 'ferretdb';
    process.env.JETMART_FERRETDB_BACKEND = backend;
    delete process.env.MONGO_URL;
    const server = await servers.startMongo();
    const pgPid = backend === 'postgresql' ? proc.postmasterPid() : undefined;
    log(`${backend}: FerretDB pid ${server.pid}${server.postgresDatabase ? `, database ${server.postgresDatabase}` : ''}`);
    const client = await MongoClient.connect(server.url);
    const res = { sizes: {} };
    try {
      const db = client.db('bench_orders');
      const coll = db.collection('orders');
      await coll.createIndex({ userId: 1 });
      const ids = [];
      let have = 0;
      for (const size of SIZES) {
        const cpu0 = cpuNow(server.pid, pgPid);
        const t0 = performance.now();
        while (have < size) {
          const batch = Array.from({ length: Math.min(500, size - have) }, (_, k) => orderDoc(have + k, 1000));
          await coll.insertMany(batch);
          ids.push(...batch.map((d) => d._id));
          have += batch.length;
        }
        const insert = {
          seconds: Math.round((performance.now() - t0) / 100) / 10,
          cpuSeconds: Math.round((cpuNow(server.pid, pgPid) - cpu0) * 10) / 10,
        };
        log(`${backend}: ${size} documents (inserted in ${insert.seconds} s, ${insert.cpuSeconds} CPU-s); queries ...`);
        res.sizes[size] = {
          insert,
          loadavg: require('node:os').loadavg()[0],
          queries: await measureQueries(db, coll, ids, server.pid, pgPid),
        };
        console.table(res.sizes[size].queries);
      }
      res.arrayPathUpdate = await measureArrayPathUpdate(db);
      log(`${backend}: update by {_id, 'holds.orderId'}: ${JSON.stringify(res.arrayPathUpdate)}`);
      log(`${backend}: atomicity without document locks ...`);
      res.atomicity = await measureAtomicity(server.url);
      console.table(res.atomicity);
    } finally {
      await client.close();
      await server.stop();
    }
    results.backends[backend] = res;
  }
  results.machine.loadavgAfter = require('node:os').loadavg();
  const out = opt('out');
  if (out) fs.writeFileSync(out, JSON.stringify(results, null, 2));
  console.log(JSON.stringify(results));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
