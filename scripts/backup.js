#!/usr/bin/env node
'use strict';
// Backs up every JetStream stream (with its consumers) and every service database into one folder.
//   node scripts/backup.js --nats nats://127.0.0.1:4222 --mongo mongodb://127.0.0.1:27017/ --out backups/<name> [--prefix jetmart_]
// The streams are copied first, then the databases, inside a quiet window (scripts/lib/backups.js says why).
// Restore with `npm start -- --fresh --restore-from <folder>` (local) or scripts/restore.js into empty servers.
const { backup, commandLine } = require('./lib/backups');

const { natsUrl, mongoUrls, out, prefix = process.env.BACKUP_DATABASE_PREFIX || '' } = commandLine(process.argv, ['out', 'prefix']);
if (!natsUrl || mongoUrls.length === 0 || !out) {
  console.error('usage: node scripts/backup.js --nats <url> --mongo <url>... --out <folder> [--prefix <database name prefix>]');
  process.exit(2);
}
backup({ natsUrl, mongoUrls, out, databases: (name) => name.startsWith(prefix), log: (m) => console.log(m) }).then(
  (manifest) => console.log(JSON.stringify({ out, ...manifest })),
  (err) => {
    console.error(`backup failed: ${err.message}`);
    process.exit(1);
  },
);
