#!/usr/bin/env node
'use strict';
// Restores a backup of scripts/backup.js into EMPTY servers, before the services start:
//   node scripts/restore.js --from backups/<name> --nats nats://127.0.0.1:4222 --mongo mongodb://127.0.0.1:27017/
// Locally `npm start -- --restore-from <folder>` does this between starting NATS and the database
// and starting the services.
const { restore } = require('./lib/backups');

function option(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
}

const natsUrl = option('nats', process.env.NATS_URL);
// --mongo may be repeated (one server per service in Kubernetes); MONGO_URLS: comma-separated.
const mongoUrls = process.argv.flatMap((a, i) => (a === '--mongo' ? [process.argv[i + 1]] : []));
if (mongoUrls.length === 0) mongoUrls.push(...(process.env.MONGO_URLS || process.env.MONGO_URL || '').split(',').filter(Boolean));
const from = option('from');
if (!natsUrl || mongoUrls.length === 0 || !from) {
  console.error('usage: node scripts/restore.js --from <folder> --nats <url> --mongo <url>');
  process.exit(2);
}
restore({ natsUrl, mongoUrls, from, log: (m) => console.log(m) }).catch((err) => {
  console.error(`restore failed: ${err.message}`);
  process.exit(1);
});
