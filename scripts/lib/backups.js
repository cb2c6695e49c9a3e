'use strict';
/**
 * Backups of the whole platform's state and their restore: every JetStream stream (natscli
 * `nats stream backup`, consumers' positions included; KV buckets such as the session revocations
 * are streams too) and every service database (each collection as canonical Extended JSON lines,
 * with its indexes). One mechanism for operators (`node scripts/backup.js`, `npm start --
 * --restore-from`) and the Kubernetes CronJob (the same script in the backup image).
 *
 * Why streams first, then databases, inside a quiet window:
 * - A consumer acks a message only after its effect is written. Streams backed up first can only
 *   be BEHIND the databases: an acked message's effect is in the dump; one applied after the stream
 *   snapshot is redelivered after a restore, and every listener is idempotent (SPEC invariant 4).
 * - The outbox removes an entry once it is published. An event published between the stream
 *   snapshot and the dump would be in neither (its entry gone from the dump, its message not in the
 *   snapshot). So the backup reads every stream's last sequence before and after: if any stream grew
 *   while it ran, the copy is thrown away and taken again (a few tries), and the backup fails rather
 *   than keep an inconsistent copy. Under a steady stream of writes an operator pauses traffic (or
 *   the CronJob retries at its next slot); docs/RELIABILITY.md says so.
 * - The Go mongo-tools (mongodump/mongorestore) are refused by this machine's module proxy (403 for
 *   every version), so the databases are dumped with the Node driver: the same wire protocol, and
 *   canonical Extended JSON keeps every BSON type (dates, ObjectIds, longs) exact.
 */
const fs = require('node:fs');
const path = require('node:path');
const { execFile } = require('node:child_process');
const { promisify } = require('node:util');
const { MongoClient } = require('mongodb');
const { connect } = require('@nats-io/transport-node');
const { jetstreamManager } = require('@nats-io/jetstream');
const { EJSON } = require('mongodb').BSON;

const run = promisify(execFile);
const SYSTEM_DATABASES = new Set(['admin', 'local', 'config']);
const BATCH = 500;

function versions() {
  const file = path.resolve(__dirname, '..', 'versions.env');
  return Object.fromEntries(
    fs
      .readFileSync(file, 'utf8')
      .split('\n')
      .filter((l) => /^\w+=/.test(l))
      .map((l) => l.split('=', 2)),
  );
}

/** natscli: NATSCLI_BIN, else the pinned build of scripts/ensure-bins.sh. */
function natscliPath() {
  if (process.env.NATSCLI_BIN) return process.env.NATSCLI_BIN;
  const dir = process.env.JETMART_BIN_DIR || path.join(require('node:os').homedir(), '.cache', 'jetmart', 'bin');
  const bin = path.join(dir, `nats-${versions().NATSCLI_VERSION}`);
  if (!fs.existsSync(bin)) throw new Error(`natscli not found at ${bin}: run bash scripts/ensure-bins.sh (or set NATSCLI_BIN)`);
  return bin;
}

async function nats(natsUrl, args) {
  const { stdout } = await run(natscliPath(), ['--server', natsUrl, ...args], { maxBuffer: 64 * 1024 * 1024 });
  return stdout;
}

/** name → last sequence of every stream on the server (KV buckets included), in one connection. */
async function streamHeads(natsUrl) {
  const nc = await connect({
    servers: natsUrl
      .split(',')
      .map((u) => u.trim())
      .filter(Boolean),
    name: 'jetmart-backup',
  });
  try {
    const jsm = await jetstreamManager(nc);
    const heads = {};
    for await (const s of jsm.streams.list()) heads[s.config.name] = { lastSeq: s.state.last_seq, messages: s.state.messages };
    return Object.fromEntries(Object.entries(heads).sort(([a], [b]) => a.localeCompare(b)));
  } finally {
    await nc.close();
  }
}

const sameHeads = (a, b) =>
  Object.keys(a).length === Object.keys(b).length && Object.entries(a).every(([n, h]) => b[n] && b[n].lastSeq === h.lastSeq);

/** The database a URL names (Kubernetes: each service's own server and user), or undefined. */
const databaseOf = (url) => new URL(url).pathname.replace(/^\//, '') || undefined;

async function dumpDatabases(client, url, dir, only) {
  // A URL that names its database is a service's own (its user may list nothing else).
  const listed = databaseOf(url)
    ? [databaseOf(url)]
    : (await client.db('admin').admin().listDatabases({ nameOnly: true })).databases.map((d) => d.name);
  const names = listed.filter((n) => !SYSTEM_DATABASES.has(n) && (!only || only(n))).sort();
  const counts = {};
  for (const dbName of names) {
    const db = client.db(dbName);
    const target = path.join(dir, dbName);
    fs.mkdirSync(target, { recursive: true });
    counts[dbName] = {};
    for (const { name } of await db.listCollections({}, { nameOnly: true }).toArray()) {
      if (name.startsWith('system.')) continue;
      const coll = db.collection(name);
      const out = fs.createWriteStream(path.join(target, `${name}.ejson`));
      let n = 0;
      for await (const doc of coll.find({})) {
        if (!out.write(EJSON.stringify(doc, { relaxed: false }) + '\n')) await new Promise((r) => out.once('drain', r));
        n++;
      }
      await new Promise((resolve, reject) => out.end((err) => (err ? reject(err) : resolve())));
      const indexes = (await coll.indexes()).filter((ix) => ix.name !== '_id_');
      fs.writeFileSync(path.join(target, `${name}.indexes.json`), JSON.stringify(indexes, null, 2));
      counts[dbName][name] = n;
    }
  }
  return counts;
}

/**
 * Backs up every stream and every database into `out` (replaced). `mongoUrls`: the MongoDB servers (one, or
 * Kubernetes' one per service); `databases`: a predicate on database names (default:
 * every non-system database).
 */
async function backup({ natsUrl, mongoUrls, out, databases, attempts = 5, log = () => undefined }) {
  const started = Date.now();
  for (let attempt = 1; attempt <= attempts; attempt++) {
    fs.rmSync(out, { recursive: true, force: true });
    fs.mkdirSync(path.join(out, 'streams'), { recursive: true });
    const before = await streamHeads(natsUrl);
    for (const name of Object.keys(before)) {
      await nats(natsUrl, ['backup', 'stream', name, path.join(out, 'streams', name), '--no-progress', '--consumers']);
    }
    const counts = {};
    for (const url of mongoUrls) {
      const client = await MongoClient.connect(url);
      try {
        Object.assign(counts, await dumpDatabases(client, url, path.join(out, 'databases'), databases));
      } finally {
        await client.close();
      }
    }
    const after = await streamHeads(natsUrl);
    if (sameHeads(before, after)) {
      const manifest = { createdAt: new Date().toISOString(), attempt, tookMs: Date.now() - started, streams: before, databases: counts };
      fs.writeFileSync(path.join(out, 'manifest.json'), JSON.stringify(manifest, null, 2));
      log(
        `backup: ${Object.keys(before).length} streams, ${Object.keys(counts).length} databases in ${manifest.tookMs} ms (attempt ${attempt})`,
      );
      return manifest;
    }
    log(`backup: streams grew while copying (attempt ${attempt}); taking it again`);
    await new Promise((r) => setTimeout(r, 250 * attempt));
  }
  fs.rmSync(out, { recursive: true, force: true });
  throw new Error(`no quiet moment for a consistent backup in ${attempts} attempts: pause writes and try again`);
}

/**
 * Restores a backup into EMPTY servers, before any service starts (services would create empty
 * streams first): every stream with its consumers, then every database (each collection replaced).
 */
async function restore({ natsUrl, mongoUrls, from, log = () => undefined }) {
  const started = Date.now();
  const manifest = JSON.parse(fs.readFileSync(path.join(from, 'manifest.json'), 'utf8'));
  for (const name of Object.keys(manifest.streams)) {
    await nats(natsUrl, ['backup', 'restore', 'stream', path.join(from, 'streams', name), '--no-progress']);
  }
  const restoredHeads = await streamHeads(natsUrl);
  for (const [name, head] of Object.entries(manifest.streams)) {
    if (!restoredHeads[name] || restoredHeads[name].lastSeq !== head.lastSeq)
      throw new Error(
        `stream ${name} restored to sequence ${restoredHeads[name] && restoredHeads[name].lastSeq}, expected ${head.lastSeq}`,
      );
  }
  const urls = mongoUrls;
  const clients = new Map();
  const clientFor = async (dbName) => {
    // The server whose URL names this database (Kubernetes: one server per service), else the first.
    const url = urls.find((u) => databaseOf(u) === dbName) || urls[0];
    if (!clients.has(url)) clients.set(url, await MongoClient.connect(url));
    return clients.get(url);
  };
  try {
    for (const [dbName, collections] of Object.entries(manifest.databases)) {
      const db = (await clientFor(dbName)).db(dbName);
      for (const [name, expected] of Object.entries(collections)) {
        const coll = db.collection(name);
        await coll.drop().catch(() => undefined);
        await db.createCollection(name);
        const lines = fs
          .readFileSync(path.join(from, 'databases', dbName, `${name}.ejson`), 'utf8')
          .split('\n')
          .filter(Boolean);
        for (let i = 0; i < lines.length; i += BATCH) {
          await coll.insertMany(
            lines.slice(i, i + BATCH).map((l) => EJSON.parse(l, { relaxed: false })),
            { ordered: true },
          );
        }
        const indexes = JSON.parse(fs.readFileSync(path.join(from, 'databases', dbName, `${name}.indexes.json`), 'utf8'));
        for (const { key, name: ixName, v: _v, ns: _ns, ...options } of indexes) await coll.createIndex(key, { name: ixName, ...options });
        const count = await coll.countDocuments({});
        if (count !== expected) throw new Error(`${dbName}.${name}: restored ${count} documents, the backup has ${expected}`);
      }
    }
  } finally {
    for (const c of clients.values()) await c.close();
  }
  log(
    `restore: ${Object.keys(manifest.streams).length} streams, ${Object.keys(manifest.databases).length} databases in ${Date.now() - started} ms`,
  );
  return manifest;
}

/**
 * The servers a backup or restore command line names: `--nats <urls>` (else NATS_URL) and `--mongo <url>`,
 * repeatable (one server per service in Kubernetes; else MONGO_URLS comma-separated, else MONGO_URL),
 * plus the value of any other `--<name>` asked for.
 */
function commandLine(argv, names) {
  const option = (name) => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const mongoUrls = argv.flatMap((a, i) => (a === '--mongo' ? [argv[i + 1]] : []));
  if (mongoUrls.length === 0) mongoUrls.push(...(process.env.MONGO_URLS || process.env.MONGO_URL || '').split(',').filter(Boolean));
  return { natsUrl: option('nats') || process.env.NATS_URL, mongoUrls, ...Object.fromEntries(names.map((n) => [n, option(n)])) };
}

module.exports = { backup, restore, streamHeads, natscliPath, commandLine };
