#!/usr/bin/env node
'use strict';
// Backs up every JetStream stream (with its consumers) and every service database into one folder.
//   node scripts/backup.js --nats nats://127.0.0.1:4222 --mongo mongodb://127.0.0.1:27017/ --out backups/<name> [--prefix jetmart_]
// The streams are copied first, then the databases, inside a quiet window (scripts/lib/backups.js says why).
// Restore with `npm start -- --restore-from <folder>` (local) or scripts/restore.js into empty servers.
const { backup } = require('./lib/backups');

function option(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
}

const natsUrl = option('nats', process.env.NATS_URL);
// --mongo may be repeated (one server per service in Kubernetes); MONGO_URLS: comma-separated.
const mongoUrls = process.argv.flatMap((a, i) => (a === '--mongo' ? [process.argv[i + 1]] : []));
if (mongoUrls.length === 0) mongoUrls.push(...(process.env.MONGO_URLS || process.env.MONGO_URL || '').split(',').filter(Boolean));
const out = option('out');
const prefix = option('prefix', process.env.BACKUP_DATABASE_PREFIX || '');
if (!natsUrl || mongoUrls.length === 0 || !out) {
  console.error('usage: node scripts/backup.js --nats <url> --mongo <url> --out <folder> [--prefix <database name prefix>]');
  process.exit(2);
}
backup({ natsUrl, mongoUrls, out, databases: (name) => name.startsWith(prefix), log: (m) => console.log(m) }).then(
  (manifest) => console.log(JSON.stringify({ out, ...manifest })),
  (err) => {
    console.error(`backup failed: ${err.message}`);
    process.exit(1);
  },
);
