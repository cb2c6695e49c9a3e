#!/usr/bin/env node
'use strict';
// Restores a backup of scripts/backup.js into EMPTY servers, before the services start:
//   node scripts/restore.js --from backups/<name> --nats nats://127.0.0.1:4222 --mongo mongodb://127.0.0.1:27017/
// Locally `npm start -- --fresh --restore-from <folder>` does this between starting NATS and the
// database and starting the services.
const { restore, commandLine } = require('./lib/backups');

const { natsUrl, mongoUrls, from } = commandLine(process.argv, ['from']);
if (!natsUrl || mongoUrls.length === 0 || !from) {
  console.error('usage: node scripts/restore.js --from <folder> --nats <url> --mongo <url>...');
  process.exit(2);
}
restore({ natsUrl, mongoUrls, from, log: (m) => console.log(m) }).catch((err) => {
  console.error(`restore failed: ${err.message}`);
  process.exit(1);
});
