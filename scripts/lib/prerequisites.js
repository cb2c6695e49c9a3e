'use strict';
// Checks before anything starts, each failing with one message that says what to do.
const fs = require('node:fs');
const path = require('node:path');
const { spawnSync } = require('node:child_process');
const { root } = require('./services');

class PrerequisiteError extends Error {}

const hasCommand = (cmd) => spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;

/**
 * The server starters of @jetmart/common/testing (NATS, the MongoDB-wire server, Mailpit) from
 * common's build: only their two modules, which need nothing but Node. The entry point
 * `@jetmart/common/testing` also loads mongoose, OpenTelemetry and fast-check: 138 MB more RSS in
 * the runner, which holds the gateway (docs/BENCHMARKS.md, "Memory under the mix").
 */
function loadCommonTesting() {
  const dir = path.join(root, 'common', 'dist', 'testing');
  if (!fs.existsSync(path.join(dir, 'servers.js')) || !fs.existsSync(path.join(dir, 'mailpit.js'))) {
    throw new PrerequisiteError(
      'jetmart is not built yet: run `bash scripts/setup.sh` once (installs packages, builds the servers and every service).',
    );
  }
  return { ...require(path.join(dir, 'servers.js')), ...require(path.join(dir, 'mailpit.js')) };
}

function checkNats(testing) {
  if (process.env.NATS_URL) return;
  if (testing.natsServerBinary()) return;
  const how = hasCommand('go')
    ? 'run `bash scripts/setup.sh` (or `bash scripts/ensure-bins.sh`) to build the pinned nats-server'
    : 'install Go 1.22+ and run `bash scripts/setup.sh` to build the pinned nats-server';
  throw new PrerequisiteError(`No nats-server found: ${how}, or set NATS_URL to a running NATS server with JetStream (nats-server -js).`);
}

/** Called when startMongo() failed: say which of the three ways to get a MongoDB-wire server to take. */
function mongoUnavailable(testing, cause) {
  if (testing.ferretdbBinary()) return new PrerequisiteError(`The MongoDB-wire server did not start: ${cause.message}`);
  const build = hasCommand('go')
    ? 'run `bash scripts/ensure-bins.sh` to build FerretDB'
    : 'install Go 1.22+ and run `bash scripts/setup.sh` to build FerretDB';
  return new PrerequisiteError(
    `No MongoDB-wire server: mongodb-memory-server has no mongod here (it downloads one on first use) and there is no FerretDB build. ` +
      `Set MONGO_URL to a running MongoDB (e.g. MONGO_URL=mongodb://127.0.0.1:27017), or ${build}.`,
  );
}

function checkJwtKey() {
  if (process.env.NODE_ENV === 'production' && !process.env.JWT_KEY) {
    throw new PrerequisiteError(
      'NODE_ENV=production needs JWT_KEY (at least 32 characters); the dev default is only used outside production.',
    );
  }
}

module.exports = { PrerequisiteError, loadCommonTesting, checkNats, mongoUnavailable, checkJwtKey };
