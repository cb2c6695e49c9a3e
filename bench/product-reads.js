#!/usr/bin/env node
'use strict';
/*
 * What products spends to show products as its unit ledger and its ratings grow: the units taken
 * (unitsTaken) and the rating (ratingSummaries) of 1 product (a product page, GET
 * /api/products/:id) and of 20 (a page of GET /api/products or the seller's GET
 * /api/products/mine), on FerretDB with its default backend. Prints numbers; asserts nothing.
 *
 *   npm run build -w common -w products && node bench/product-reads.js [--ledger 25000] [--ratings 5000] [--runs 20] [--out FILE]
 *
 * Seeds `--ledger` ledger entries over 5,000 products (held, sold, released and restocked, as
 * orders leave them) and `--ratings` rated products, straight into the database, then times each
 * read `--runs` times: median and p90 wall time, and the CPU-ms FerretDB and PostgreSQL spent per
 * read.
 */
const path = require('node:path');
const fs = require('node:fs');
const mongoose = require('mongoose');

const root = path.join(__dirname, '..');
const servers = require(path.join(root, 'common', 'dist', 'testing', 'servers.js'));
const { installDatabasePlugins } = require(path.join(root, 'common', 'dist'));
const { productsModels, unitsTaken, ratingSummaries } = require(path.join(root, 'products', 'dist', 'models'));
const proc = require('./lib/procstat');
const { opt } = require('./lib/args');

const LEDGER = Number(opt('ledger', 25_000));
const RATINGS = Number(opt('ratings', 5_000));
const RUNS = Number(opt('runs', 20));
const PRODUCTS = 5_000;
const OUT = opt('out');
const log = (...a) => console.error('[product-reads]', ...a);

const quantile = (xs, q) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))];
};

function cpuNow(ferretPid, pgPid) {
  let s = proc.cpuSeconds(ferretPid) || 0;
  if (pgPid) for (const p of proc.tree(pgPid)) s += proc.cpuSeconds(p.pid) || 0;
  return s;
}

async function seed(models, productIds) {
  const states = ['held', 'sold', 'sold', 'released', 'restocked'];
  for (let done = 0; done < LEDGER; done += 1000) {
    const batch = [];
    for (let i = done; i < Math.min(LEDGER, done + 1000); i++) {
      const orderId = new mongoose.Types.ObjectId().toHexString();
      const productId = productIds[i % productIds.length];
      batch.push({ _id: `${orderId}:${productId}`, orderId, productId, quantity: 1 + (i % 3), state: states[i % states.length] });
    }
    await models.UnitLedger.collection.insertMany(batch, { ordered: false });
  }
  for (let done = 0; done < RATINGS; done += 1000) {
    const batch = [];
    for (let i = done; i < Math.min(RATINGS, done + 1000); i++)
      batch.push({ _id: productIds[i % productIds.length], ratingCount: 3, ratingSum: 12 });
    await models.ProductRating.collection.insertMany(batch, { ordered: false });
  }
}

async function main() {
  const server = await servers.startMongo();
  const pgPid = server.kind === 'ferretdb' ? proc.postmasterPid() : undefined;
  const conn = mongoose.createConnection(`${server.url.replace(/\/$/, '')}/jetmart_bench_product_reads`);
  installDatabasePlugins(conn);
  await conn.asPromise();
  const models = productsModels(conn);
  try {
    await Promise.all(Object.values(models).map((m) => m.syncIndexes()));
    const productIds = Array.from({ length: PRODUCTS }, () => new mongoose.Types.ObjectId().toHexString());
    const t0 = Date.now();
    await seed(models, productIds);
    log(`seeded ${LEDGER} ledger entries and ${RATINGS} ratings in ${((Date.now() - t0) / 1000).toFixed(1)} s (${server.kind})`);
    const page = (i) => productIds.slice((i * 20) % PRODUCTS, ((i * 20) % PRODUCTS) + 20);
    const reads = {
      'units taken, 1 product': (i) => unitsTaken(models.UnitLedger, [productIds[i]]),
      'units taken, 20 products': (i) => unitsTaken(models.UnitLedger, page(i)),
      'rating, 1 product': (i) => ratingSummaries(models.ProductRating, [productIds[i]]),
      'rating, 20 products': (i) => ratingSummaries(models.ProductRating, page(i)),
    };
    const results = {};
    for (const [name, read] of Object.entries(reads)) {
      await read(RUNS); // warm-up
      const times = [];
      const cpu0 = cpuNow(server.pid, pgPid);
      for (let i = 0; i < RUNS; i++) {
        const t = performance.now();
        await read(i);
        times.push(performance.now() - t);
      }
      const cpuMs = ((cpuNow(server.pid, pgPid) - cpu0) * 1000) / RUNS;
      results[name] = {
        p50Ms: Math.round(quantile(times, 0.5) * 10) / 10,
        p90Ms: Math.round(quantile(times, 0.9) * 10) / 10,
        databaseCpuMsPerRead: Math.round(cpuMs * 10) / 10,
      };
      log(`${name}: ${JSON.stringify(results[name])}`);
    }
    const out = { server: server.kind, ledger: LEDGER, ratings: RATINGS, products: PRODUCTS, runs: RUNS, results };
    console.log(JSON.stringify(out, null, 2));
    if (OUT) fs.writeFileSync(OUT, JSON.stringify(out, null, 2));
  } finally {
    await conn.dropDatabase().catch(() => undefined);
    await conn.close();
    await server.stop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
