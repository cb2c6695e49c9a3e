#!/usr/bin/env node
'use strict';
// Issue 19, search targets: 100,000 products indexed, query p99 < 50 ms at 100 req/s, a product
// change searchable within 1 s, the service's memory. Starts a MongoDB-wire server (FerretDB unless
// MONGO_URL or JETMART_MONGO says otherwise) and nats-server, WRITES THE READ MODEL DIRECTLY
// (100,000 search documents by insertMany: the listeners' path is covered by the tests, and 100,000
// single-document writes through FerretDB would take the best part of an hour on this machine),
// publishes the same catalog as events on PRODUCTS (the read model's durables acknowledge them:
// a read model already caught up, as after a restart), then starts one search process from the
// built dist and measures:
//   - load: start → /readyz 200 (PRODUCTS replayed into the index), and the same indexing in
//     this process without the stream (CPU only);
//   - RSS of the service after loading and after the load test;
//   - open-loop load: `--rate` requests/s for `--seconds` s of mixed queries (words, typos, prefixes,
//     two-word queries, empty q with filters, every sort, second pages), latency measured from each
//     request's scheduled start (no coordinated omission): p50/p95/p99/max;
//   - change → searchable: `--changes` product.updated events (a new word in the title) published to
//     the real PRODUCTS stream, each timed from before publish until GET /api/search finds it.
//
//   npm run build -w common -w search && flock /tmp/jetmart-e2e.lock node bench/search.js [--products 100000] [--rate 100] [--seconds 30] [--changes 50]
//
// --engine-only (no servers) and --replay-only (nats-server only: the start-up replay) are below.
// Prints JSON. Exit code: 0 targets met, 1 a target missed, 2 the run failed.
const { spawn } = require('node:child_process');
const http = require('node:http');
const path = require('node:path');
const { MongoClient, ObjectId } = require('mongodb');
const root = path.resolve(__dirname, '..');
const { startNats, startMongo, freePort, mongoDatabaseUrl } = require(path.join(root, 'common', 'dist', 'testing', 'servers.js'));
const { EventBus, makeEvent, Subjects, createLogger } = require(path.join(root, 'common', 'dist'));
const { cpuSeconds, memory } = require('./lib/procstat');

const argv = process.argv.slice(2);
const opt = (name, dflt) => (argv.includes(`--${name}`) ? argv[argv.indexOf(`--${name}`) + 1] : dflt);
const PRODUCTS = Number(opt('products', 100_000));
const RATE = Number(opt('rate', 100));
const SECONDS = Number(opt('seconds', 30));
const CHANGES = Number(opt('changes', 50));
// --engine-only: no servers; index the catalog in this process and time --queries queries through
// the engine (runSearch) one after another: the CPU cost per query without HTTP, database or other load.
const ENGINE_ONLY = argv.includes('--engine-only');
const QUERIES = Number(opt('queries', 3000));
// --profile: CPU-profile the search service during the open loop (bench/lib/cpu-profile.js); the
// profile's path is printed and kept in the results (summarize with bench/profile-summary.js).
const PROFILE = argv.includes('--profile');
const PROFILE_DIR = opt('profile-dir', path.join(require('node:os').tmpdir(), 'jetmart-profiles'));
// --dist <dir>: another build of search (e.g. compiled elsewhere to compare engines without touching search/dist).
const SEARCH_DIST = path.resolve(opt('dist', path.join(root, 'search', 'dist')));
const DIST = path.join(SEARCH_DIST, 'index.js');
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const t0 = Date.now();
const log = (...a) => console.error(`[${((Date.now() - t0) / 1000).toFixed(1).padStart(6)}s]`, ...a);

// A seeded generator, so every run indexes the same catalog.
let seed = 19;
const rand = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
const pick = (list) => list[Math.floor(rand() * list.length)];

const ADJECTIVES =
  'antique vintage modern rustic classic elegant compact portable wireless handmade organic premium deluxe minimalist industrial ergonomic waterproof foldable adjustable lightweight heavy soft bright dark warm cool smooth rough round square slim'.split(
    ' ',
  );
const MATERIALS =
  'brass copper steel oak walnut bamboo linen cotton wool leather ceramic glass marble granite silver gold velvet silk rattan concrete porcelain titanium aluminium cedar pine'.split(
    ' ',
  );
const NOUNS =
  'lamp table chair desk shelf bookshelf cabinet sofa cushion blanket rug mirror vase bowl plate mug teapot kettle candle clock frame poster print basket jacket shirt dress scarf boots sneakers backpack wallet necklace bracelet ring earrings headphones speaker keyboard monitor laptop camera tripod phone tablet charger novel cookbook atlas puzzle boardgame bicycle helmet tent lantern shovel planter seeds coffee tea chocolate honey soap perfume'.split(
    ' ',
  );
const FILLER =
  'made with care for everyday use and lasting quality perfect gift home office garden kitchen travel durable finish classic design easy clean hand crafted small batch natural materials sustainable sourced comfortable stylish practical versatile timeless'.split(
    ' ',
  );
const CATEGORIES =
  'lighting furniture decor kitchen clothing shoes bags jewellery audio computers phones cameras fiction non-fiction comics vinyl plants tools camping cycling fitness team-sports board-games puzzles outdoor-toys prints ceramics craft-supplies skincare fragrance coffee-tea pantry other'.split(
    ' ',
  );
const SYLLABLES = 'ka ri to mu ne sa lo vi pe zu ba do fi gu ha je ki le mo nu'.split(' ');
const BRANDS = Array.from({ length: 5_000 }, () => Array.from({ length: 2 + Math.floor(rand() * 2) }, () => pick(SYLLABLES)).join(''));

function generate(i) {
  const noun = pick(NOUNS);
  const title = `${pick(BRANDS)} ${pick(ADJECTIVES)} ${pick(MATERIALS)} ${noun}`;
  const words = Array.from({ length: 12 }, () => pick(FILLER));
  // A model number per product: a catalog has about as many distinct tokens as products.
  const description = `${words.join(' ')} model ${(i * 7_919).toString(36)}${pick(SYLLABLES)}`;
  const ratingCount = rand() < 0.6 ? 1 + Math.floor(rand() * 40) : 0;
  const quantity = rand() < 0.8 ? 1 + Math.floor(rand() * 50) : 0;
  return {
    _id: new ObjectId().toHexString(),
    title,
    description,
    priceMinor: 100 + Math.floor(rand() * 50_000),
    quantity,
    sellerId: new ObjectId().toHexString(),
    listed: true,
    category: pick(CATEGORIES),
    images: rand() < 0.7 ? [new ObjectId().toHexString()] : [],
    createdAt: new Date(Date.UTC(2025, 0, 1) + Math.floor(rand() * 365 * 86_400_000)),
    version: 0,
    stockVersion: 0,
    inStock: null,
    ratingVersion: ratingCount ? 1 : 0,
    ratingCount,
    ratingSum: ratingCount ? Math.round(ratingCount * (1 + rand() * 4)) : 0,
    touchedAt: new Date(),
  };
}

/** One mixed query string (the storefront's shapes): words, typos, prefixes, filters, sorts. */
function transpose(w) {
  if (w.length < 5) return w;
  const i = 1 + Math.floor(rand() * (w.length - 2));
  return w.slice(0, i) + w[i + 1] + w[i] + w.slice(i + 2);
}
function mixedQuery() {
  const r = rand();
  const sort = pick(['relevance', 'relevance', 'relevance', 'price_asc', 'price_desc', 'newest', 'rating']);
  const filters = [];
  if (rand() < 0.3) filters.push(`category=${pick(['home', 'fashion', 'electronics', ...CATEGORIES])}`);
  if (rand() < 0.2) filters.push(`minPrice=${Math.floor(rand() * 100)}&maxPrice=${100 + Math.floor(rand() * 300)}`);
  if (rand() < 0.2) filters.push('inStock=true');
  if (rand() < 0.1) filters.push(`minRating=${pick([3, 4])}`);
  let q;
  if (r < 0.3) q = pick(NOUNS);
  else if (r < 0.45) q = `${pick(MATERIALS)} ${pick(NOUNS)}`;
  else if (r < 0.6) q = transpose(pick([...NOUNS, ...MATERIALS].filter((w) => w.length >= 5)));
  else if (r < 0.7)
    q = pick(NOUNS).slice(0, 2 + Math.floor(rand() * 3)); // typing: a prefix
  else if (r < 0.8) q = `${pick(ADJECTIVES)} ${pick(MATERIALS)} ${pick(NOUNS).slice(0, 3)}`;
  else if (r < 0.85) q = pick(BRANDS);
  else q = ''; // browsing: filters and sort only
  return `/api/search?q=${encodeURIComponent(q)}&sort=${sort}${filters.length ? `&${filters.join('&')}` : ''}`;
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
function get(port, urlPath) {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path: urlPath, agent }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, body: Buffer.concat(chunks).toString() }));
    });
    req.on('error', reject);
  });
}

const pct = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
const summary = (values) => {
  const s = [...values].sort((a, b) => a - b);
  const r = (x) => Math.round(x * 10) / 10;
  return { n: s.length, p50: r(pct(s, 50)), p95: r(pct(s, 95)), p99: r(pct(s, 99)), max: r(s[s.length - 1]) };
};

async function until(what, check, timeoutMs, everyMs = 250) {
  const end = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > end) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await sleep(everyMs);
  }
}

/** The query string of mixedQuery() as the route would parse it (the engine's request). */
function engineRequest(url, categoryPosition, categoryWithDescendants) {
  const p = new URL(url, 'http://x').searchParams;
  return {
    q: p.get('q') ?? '',
    categories: p.get('category') ? categoryWithDescendants(p.get('category')).map(categoryPosition) : undefined,
    minPriceMinor: p.get('minPrice') ? Number(p.get('minPrice')) * 100 : undefined,
    maxPriceMinor: p.get('maxPrice') ? Number(p.get('maxPrice')) * 100 : undefined,
    minRating: p.get('minRating') ? Number(p.get('minRating')) : undefined,
    inStock: p.get('inStock') ? p.get('inStock') === 'true' : undefined,
    sort: p.get('sort') ?? 'relevance',
    limit: 24,
  };
}

async function engineOnly() {
  const { SearchIndex, categoryPosition } = require(path.join(SEARCH_DIST, 'engine', 'search-index.js'));
  const { applyDocumentToIndex } = require(path.join(SEARCH_DIST, 'engine', 'apply.js'));
  const { runSearch } = require(path.join(SEARCH_DIST, 'engine', 'query.js'));
  const { categoryWithDescendants } = require(path.join(root, 'common', 'dist', 'contracts.js'));
  const docs = Array.from({ length: PRODUCTS }, (_, i) => generate(i));
  const rssBefore = process.memoryUsage().rss;
  const started = performance.now();
  const indexCpu = process.cpuUsage();
  const index = new SearchIndex();
  for (const d of docs) applyDocumentToIndex(index, d);
  const indexMs = Math.round(performance.now() - started);
  const indexCpuUsed = process.cpuUsage(indexCpu);
  global.gc?.();
  const rssIndexMb = Math.round((process.memoryUsage().rss - rssBefore) / 1048576);
  const heapIndexed = process.memoryUsage().heapUsed;
  for (let i = 0; i < 300; i++) runSearch(index, engineRequest(mixedQuery(), categoryPosition, categoryWithDescendants));
  // Wall time and this process's CPU time per query: on the shared machine the wall time is
  // mostly waiting for a core, the CPU time is the engine's own cost.
  const times = [];
  const cpuTimes = [];
  const slow = [];
  for (let i = 0; i < QUERIES; i++) {
    const url = mixedQuery();
    const req = engineRequest(url, categoryPosition, categoryWithDescendants);
    const cpu = process.cpuUsage();
    const t = performance.now();
    runSearch(index, req);
    const ms = performance.now() - t;
    const used = process.cpuUsage(cpu);
    const cpuMs = (used.user + used.system) / 1000;
    times.push(ms);
    cpuTimes.push(cpuMs);
    slow.push([cpuMs, url]);
  }
  slow.sort((a, b) => b[0] - a[0]);
  const heapIndexedMb = Math.round(heapIndexed / 1048576);
  global.gc?.();
  console.log(
    JSON.stringify(
      {
        mode: 'engine-only',
        products: PRODUCTS,
        vocabularyWords: index.vocabulary.size,
        loadAverage: require('node:os')
          .loadavg()
          .map((x) => Math.round(x * 10) / 10),
        indexMs,
        indexCpuMs: Math.round((indexCpuUsed.user + indexCpuUsed.system) / 1000),
        processRssGrowthMb: rssIndexMb,
        heapUsedMb: heapIndexedMb,
        // What the queries left behind (remembered typo matches): the heap after them, after GC.
        heapAfterQueriesMb: Math.round(process.memoryUsage().heapUsed / 1048576),
        queryMs: summary(times),
        queryCpuMs: summary(cpuTimes),
        slowestCpu: slow.slice(0, 5).map(([ms, url]) => ({ cpuMs: Math.round(ms * 10) / 10, url })),
      },
      null,
      2,
    ),
  );
  return 0;
}

/** A product.created/updated event's data for a generated catalog document (`changes` on top). */
function productEventData(d, changes) {
  return {
    id: d._id,
    title: d.title,
    priceMinor: d.priceMinor,
    quantity: d.quantity,
    userId: d.sellerId,
    listed: true,
    description: d.description,
    category: d.category,
    images: d.images,
    createdAt: d.createdAt.toISOString(),
    ...changes,
  };
}

/** Publishes the catalog on PRODUCTS as events (product.created, and product.rating-changed for the rated). */
async function publishCatalog(publisher, docs) {
  await publisher.ensureStreams();
  const publishStarted = Date.now();
  let published = 0;
  const seedEvents = function* () {
    for (const d of docs) {
      yield makeEvent(Subjects.ProductCreated, productEventData(d, { version: 0 }));
      if (d.ratingVersion) {
        yield makeEvent(Subjects.ProductRatingChanged, { id: d._id, ratingCount: d.ratingCount, ratingSum: d.ratingSum, version: 1 });
      }
    }
  };
  let batch = [];
  for (const event of seedEvents()) {
    batch.push(publisher.publish(event));
    if (batch.length === 500) {
      published += (await Promise.all(batch)).length;
      batch = [];
    }
  }
  published += (await Promise.all(batch)).length;
  const publishMs = Date.now() - publishStarted;
  log(`published ${published} events in ${(publishMs / 1000).toFixed(1)} s`);
  return { published, publishMs };
}

// --replay-only: nats-server only; the catalog published as events, then the time for an index
// follower in this process to replay PRODUCTS until ready (what a replica does at start).
async function replayOnly() {
  const { SearchIndex } = require(path.join(SEARCH_DIST, 'engine', 'search-index.js'));
  const { IndexFollower } = require(path.join(SEARCH_DIST, 'background', 'index-follower.js'));
  const nats = await startNats();
  try {
    const logger = createLogger('search-bench', { level: 'silent' });
    const bus = await EventBus.connect({ servers: nats.url, name: 'search-bench', logger });
    // Generated as published, not kept: the heap and RSS growth below are the replay's own.
    const { published, publishMs } = await publishCatalog(
      bus,
      (function* () {
        for (let i = 0; i < PRODUCTS; i++) yield generate(i);
      })(),
    );
    global.gc?.();
    const rssBefore = process.memoryUsage().rss;
    const heapBefore = process.memoryUsage().heapUsed;
    const cpu = process.cpuUsage();
    const started = performance.now();
    const index = new SearchIndex();
    const follower = new IndexFollower({ bus, index, logger }).start();
    await until('caught up', async () => follower.ready, 30 * 60_000, 50);
    const replayMs = Math.round(performance.now() - started);
    const used = process.cpuUsage(cpu);
    global.gc?.();
    const result = {
      mode: 'replay-only',
      products: PRODUCTS,
      events: published,
      publishSeconds: Math.round(publishMs / 100) / 10,
      listed: index.count,
      loadAverage: require('node:os')
        .loadavg()
        .map((x) => Math.round(x * 10) / 10),
      replayToReadyMs: replayMs,
      replayCpuMs: Math.round((used.user + used.system) / 1000),
      processRssGrowthMb: Math.round((process.memoryUsage().rss - rssBefore) / 1048576),
      heapUsedMb: Math.round(process.memoryUsage().heapUsed / 1048576),
      heapGrowthMb: Math.round((process.memoryUsage().heapUsed - heapBefore) / 1048576),
    };
    await follower.stop();
    await bus.drain();
    console.log(JSON.stringify(result, null, 2));
    return 0;
  } finally {
    await nats.destroy?.();
  }
}

async function main() {
  if (ENGINE_ONLY) return engineOnly();
  if (argv.includes('--replay-only')) return replayOnly();
  const [mongo, nats] = await Promise.all([startMongo(), startNats()]);
  const dbUrl = mongoDatabaseUrl(mongo.url, `jetmart_search_bench_${Date.now().toString(36)}`);
  let child;
  try {
    log(`writing ${PRODUCTS} search documents into the read model (${mongo.kind})`);
    const client = await MongoClient.connect(dbUrl);
    const collection = client.db().collection('searchdocuments');
    const docs = Array.from({ length: PRODUCTS }, (_, i) => generate(i));
    const writeStarted = Date.now();
    for (let i = 0; i < docs.length; i += 2_000) await collection.insertMany(docs.slice(i, i + 2_000), { ordered: false });
    const writeMs = Date.now() - writeStarted;
    log(`written in ${(writeMs / 1000).toFixed(1)} s`);

    // The same catalog as events on PRODUCTS (product.created, and product.rating-changed for the
    // rated): what a replica's index replays at start. The read model's durables are created
    // here and acknowledge all of it (the read model above already holds it): a service starting
    // against a caught-up read model, as after a restart.
    const publisher = await EventBus.connect({
      servers: nats.url,
      name: 'search-bench-seed',
      logger: createLogger('seed', { level: 'silent' }),
    });
    const { published, publishMs } = await publishCatalog(publisher, docs);
    const { AckPolicy, DeliverPolicy } = require('@nats-io/jetstream');
    for (const subject of [Subjects.ProductCreated, Subjects.ProductUpdated, Subjects.ProductStockChanged, Subjects.ProductRatingChanged]) {
      const durable = `search-${subject.replace(/\./g, '-')}`;
      await publisher.jsm.consumers.add('PRODUCTS', {
        durable_name: durable,
        filter_subject: subject,
        ack_policy: AckPolicy.Explicit,
        deliver_policy: DeliverPolicy.All,
        max_ack_pending: -1,
      });
      const consumer = await publisher.js.consumers.get('PRODUCTS', durable);
      while ((await consumer.info()).num_pending > 0) {
        const msgs = await consumer.fetch({ max_messages: 5_000, expires: 5_000 });
        for await (const m of msgs) m.ack();
      }
    }
    await publisher.drain();
    log('read model durables acknowledged the seed events');

    // The same indexing without the database: CPU only, in this process.
    const { SearchIndex } = require(path.join(SEARCH_DIST, 'engine', 'search-index.js'));
    const { applyDocumentToIndex } = require(path.join(SEARCH_DIST, 'engine', 'apply.js'));
    const heapBefore = process.memoryUsage().heapUsed;
    const indexStarted = performance.now();
    const local = new SearchIndex();
    for (const d of docs) applyDocumentToIndex(local, d);
    const inProcessIndexMs = Math.round(performance.now() - indexStarted);
    global.gc?.();
    const inProcessHeapMb = Math.round((process.memoryUsage().heapUsed - heapBefore) / 1048576);
    log(`indexed in-process in ${inProcessIndexMs} ms; vocabulary ${local.vocabulary.size} words`);

    const port = await freePort();
    const started = Date.now();
    let tail = '';
    let loadedLine;
    child = spawn(process.execPath, [DIST], {
      env: {
        ...process.env,
        PORT: String(port),
        MONGO_URL: dbUrl,
        NATS_URL: nats.url,
        NODE_ENV: 'test',
        JWT_KEY: 'bench',
        LOG_LEVEL: 'info',
        LOG_FORMAT: 'json',
        ...(PROFILE && {
          NODE_OPTIONS: `${process.env.NODE_OPTIONS || ''} --require ${path.join(__dirname, 'lib', 'cpu-profile.js')}`.trim(),
          BENCH_PROFILE_SERVICE: 'search',
          BENCH_PROFILE_DIR: PROFILE_DIR,
        }),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.on('data', (b) => {
      tail = (tail + b.toString()).slice(-4000);
      for (const line of b.toString().split('\n')) if (line.includes('search index loaded')) loadedLine = JSON.parse(line);
    });
    child.stderr.on('data', (b) => (tail = (tail + b.toString()).slice(-4000)));
    await until(
      'search ready',
      async () => {
        if (child.exitCode !== null) throw new Error(`search exited: ${tail}`);
        return (await get(port, '/readyz').catch(() => ({ status: 0 }))).status === 200;
      },
      30 * 60_000,
    );
    const readyMs = Date.now() - started;
    const rssLoaded = memory(child.pid);
    log(
      `ready in ${(readyMs / 1000).toFixed(1)} s (${JSON.stringify(loadedLine && { documents: loadedLine.documents, ms: loadedLine.ms })}), RSS ${rssLoaded.rssMb.toFixed(0)} MB`,
    );

    // Warm up (JIT), not measured.
    for (let i = 0; i < 200; i++) await get(port, mixedQuery());

    log(`open loop: ${RATE} req/s for ${SECONDS} s`);
    if (PROFILE) child.kill('SIGUSR2');
    const cpuBefore = cpuSeconds(child.pid);
    const total = RATE * SECONDS;
    const latencies = [];
    let errors = 0;
    const loadStarted = performance.now();
    const inflight = [];
    for (let i = 0; i < total; i++) {
      const scheduled = loadStarted + (i * 1000) / RATE;
      const wait = scheduled - performance.now();
      if (wait > 0) await sleep(wait);
      const url = mixedQuery();
      inflight.push(
        get(port, url).then(
          (res) => {
            if (res.status !== 200) errors++;
            latencies.push(performance.now() - scheduled);
          },
          () => errors++,
        ),
      );
    }
    await Promise.all(inflight);
    const loadCpu = cpuSeconds(child.pid) - cpuBefore;
    if (PROFILE) {
      child.kill('SIGUSR2');
      log(`profile: ${path.join(PROFILE_DIR, `search-${child.pid}.cpuprofile`)}`);
    }
    const query = summary(latencies);
    const rssAfterLoad = memory(child.pid);
    log(`queries: ${JSON.stringify(query)}, errors ${errors}, service CPU ${loadCpu.toFixed(1)} s`);

    log(`${CHANGES} changes → searchable`);
    const bus = await EventBus.connect({
      servers: nats.url,
      name: 'search-bench',
      logger: createLogger('search-bench', { level: 'silent' }),
    });
    const changeMs = [];
    const changed = new Map();
    for (let i = 0; i < CHANGES; i++) {
      const d = docs[Math.floor(rand() * docs.length)];
      const word = `zqx${i.toString(36)}${(Date.now() % 100_000).toString(36)}`;
      const data = productEventData(d, { title: `${d.title} ${word}`, version: d.version + 1 });
      d.version += 1;
      d.title = data.title;
      changed.set(d._id, d.version);
      const before = performance.now();
      await bus.publish(makeEvent(Subjects.ProductUpdated, data));
      for (;;) {
        const res = await get(port, `/api/search?q=${word}`);
        if (res.status === 200 && JSON.parse(res.body).hits.some((h) => h.id === d._id)) break;
        if (performance.now() - before > 30_000) throw new Error(`change ${i} not searchable in 30 s`);
        await sleep(2);
      }
      changeMs.push(performance.now() - before);
    }
    const change = summary(changeMs);
    // The read model caught up too (the durable listener wrote every change): each changed document
    // looked up by _id (FerretDB scans the whole collection for a range filter such as
    // {version: {$gte: 1}}: at load 11 that scan alone outlasted the 60 s the check allowed). A
    // read model behind is reported, not thrown: the numbers above are measured either way.
    let readModelCaughtUp = true;
    await until(
      'read model has every change',
      async () => {
        for (const [id, version] of changed) {
          const doc = await collection.findOne({ _id: id }, { projection: { version: 1 } });
          if (!doc || doc.version < version) return false;
        }
        return true;
      },
      120_000,
    ).catch((err) => {
      log(err.message);
      readModelCaughtUp = false;
    });
    await bus.drain();
    await client.close();
    const result = {
      database: mongo.kind,
      products: PRODUCTS,
      vocabularyWords: local.vocabulary.size,
      readModelWriteSeconds: Math.round(writeMs / 100) / 10,
      seedEvents: published,
      seedPublishSeconds: Math.round(publishMs / 100) / 10,
      loadAverage: require('node:os')
        .loadavg()
        .map((x) => Math.round(x * 10) / 10),
      startToReadySeconds: Math.round(readyMs / 100) / 10,
      serviceLoad: loadedLine && { documents: loadedLine.documents, ms: loadedLine.ms },
      inProcessIndexMs,
      inProcessHeapMb,
      rssMb: {
        loaded: Math.round(rssLoaded.rssMb),
        afterQueries: Math.round(rssAfterLoad.rssMb),
        peak: Math.round(memory(child.pid).hwmMb),
      },
      queries: { rate: RATE, seconds: SECONDS, errors, latencyMs: query, serviceCpuSeconds: Math.round(loadCpu * 10) / 10 },
      changeToSearchableMs: change,
      readModelCaughtUp,
      targets: { queryP99Under50ms: query.p99 < 50, changeSearchableUnder1s: change.max < 1000 },
    };
    console.log(JSON.stringify(result, null, 2));
    return result.targets.queryP99Under50ms && result.targets.changeSearchableUnder1s ? 0 : 1;
  } finally {
    if (child && child.exitCode === null) {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    }
    await nats.destroy?.();
    await mongo.stop?.();
  }
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(err);
    process.exit(2);
  },
);
