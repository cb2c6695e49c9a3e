#!/usr/bin/env node
'use strict';
/*
 * What a guarded write costs on FerretDB 1.24/SQLite (issue 21, the next step after the cost model).
 * Prints numbers; asserts nothing.
 *
 *   npm run build -w common && node bench/ferretdb-guarded-writes.js [--sizes 3000,20000] [--runs 20]
 *
 * jetmart's transitions and replicas write with a filter of `_id` plus a guard: a state
 * (`{_id, status: 'pending'}`) or the version (`{_id, version}`: mongoose's `save()` with
 * optimisticConcurrency sends exactly that, printed below from the driver's command monitoring).
 * FerretDB/SQLite pushes a filter down to SQLite only when `_id` equality is its only top-level
 * field, so a guard beside `_id` makes it decode the whole collection. For each size: explain's
 * filterPushdown, and the median wall time of findOne / updateOne for `{_id}` alone, the guard
 * beside `_id` (also wrapped in `$and`), and the alternative a document lock allows: read by `_id`,
 * check the guard in the process, write by `_id` (the lock keeps every other writer out between).
 */
const path = require('node:path');
const os = require('node:os');
const mongoose = require('mongoose');
const { MongoClient, ObjectId } = require('mongodb');

const root = path.join(__dirname, '..');
const servers = require(path.join(root, 'common', 'dist', 'testing', 'servers.js'));

const args = process.argv.slice(2);
const opt = (name, def) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : def;
};
const SIZES = opt('sizes', '3000,20000').split(',').map(Number);
const RUNS = Number(opt('runs', 20));
const log = (...a) => console.error('[guarded-writes]', ...a);

async function median(fn) {
  const times = [];
  for (let i = 0; i < RUNS; i++) {
    const t0 = process.hrtime.bigint();
    await fn(i);
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  times.sort((a, b) => a - b);
  return Math.round(times[Math.floor(times.length / 2)] * 10) / 10;
}

/** The filter mongoose's save() of an existing document sends (optimisticConcurrency, versionKey 'version'). */
async function saveFilter(url) {
  const conn = await mongoose.createConnection(url, { dbName: 'guarded_save', monitorCommands: true }).asPromise();
  const filters = [];
  conn.getClient().on('commandStarted', (e) => {
    if (e.commandName === 'update') filters.push(e.command.updates[0].q);
  });
  const schema = new mongoose.Schema({ status: String }, { optimisticConcurrency: true, versionKey: 'version' });
  const Order = conn.model('Order', schema);
  const order = await Order.create({ status: 'pending' });
  order.status = 'created';
  await order.save();
  await conn.close();
  return filters[0];
}

async function main() {
  process.env.JETMART_MONGO = 'ferretdb';
  const server = await servers.startMongo({});
  const results = { machine: { cpus: os.cpus().length, loadavgAtStart: os.loadavg().map((l) => Math.round(l * 100) / 100) }, sizes: {} };
  try {
    results.saveFilter = await saveFilter(server.url);
    log('mongoose save() of an existing document filters by', JSON.stringify(results.saveFilter));
    const client = await MongoClient.connect(server.url);
    for (const size of SIZES) {
      const db = client.db(`guarded_${size}`);
      const col = db.collection('orders');
      for (let at = 0; at < size; at += 1000) {
        const batch = Array.from({ length: Math.min(1000, size - at) }, (_, i) => ({
          _id: new ObjectId(),
          userId: new ObjectId().toHexString(),
          status: 'pending',
          version: 0,
          n: at + i,
          items: [{ productId: new ObjectId().toHexString(), priceMinor: 1000, quantity: 1, title: 'A lamp of brass' }],
        }));
        await col.insertMany(batch);
      }
      // The newest documents, as the hot ones are (an order just placed): a scan reaches them last.
      const ids = (await col.find({ n: { $gte: size - RUNS } }, { projection: { _id: 1 } }).toArray()).map((d) => d._id);
      const shapes = {
        '{_id}': (id) => ({ _id: id }),
        '{_id, status}': (id) => ({ _id: id, status: 'pending' }),
        '{_id, version}': (id) => ({ _id: id, version: 0 }),
        '{_id, $and: [{status}]}': (id) => ({ _id: id, $and: [{ status: 'pending' }] }),
      };
      const rows = {};
      for (const [name, filter] of Object.entries(shapes)) {
        const explain = await db.command({ explain: { find: 'orders', filter: filter(ids[0]) }, verbosity: 'queryPlanner' });
        rows[name] = {
          filterPushdown: explain.filterPushdown,
          findOneMs: await median((i) => col.findOne(filter(ids[i]))),
          // $set of the value it has: the same filter still matches on the next run.
          updateOneMs: await median((i) => col.updateOne(filter(ids[i]), { $set: { status: 'pending' } })),
        };
      }
      rows['read by _id, check, write by _id'] = {
        filterPushdown: true,
        updateOneMs: await median(async (i) => {
          const doc = await col.findOne({ _id: ids[i] }, { projection: { status: 1, version: 1 } });
          if (doc && doc.status === 'pending' && doc.version === 0) await col.updateOne({ _id: ids[i] }, { $set: { status: 'pending' } });
        }),
      };
      results.sizes[size] = rows;
      log(`${size} documents`);
      for (const [name, row] of Object.entries(rows)) log(`  ${name.padEnd(34)} ${JSON.stringify(row)}`);
      await db.dropDatabase();
    }
    await client.close();
  } finally {
    await server.stop();
  }
  console.log(JSON.stringify(results, null, 2));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
