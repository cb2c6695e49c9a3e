#!/usr/bin/env node
'use strict';
/*
 * `npm start`: the whole of jetmart on one machine, no Docker, no Kubernetes.
 *
 *   MongoDB-wire server  MONGO_URL, else mongodb-memory-server, else the project's FerretDB build
 *   NATS with JetStream  NATS_URL, else the pinned nats-server (monitoring on)
 *   services             node <svc>/dist/index.js each, own process group, own database
 *   storefront           npm run start -w client (when built)
 *   gateway              http://localhost:$PORT (8080), routes of infra/routes.json (= the ingress)
 *
 * Flags: --seed (create the demo shop once ready; same as `npm run seed`).
 * Env:   PORT, MONGO_URL, NATS_URL, JWT_KEY, NODE_ENV (default development), JETMART_MONGO
 *        (ferretdb | memory-server), JETMART_READY_TIMEOUT_SECONDS (120), JETMART_PID_FILE
 *        (writes the pids of what it started, for tools and tests), plus anything the services read
 *        (ORDER_EXPIRATION_SECONDS, STRIPE_SECRET_KEY, ...), which is passed through.
 *        JETMART_STATE_DIR (default .jetmart/): where each run records what it started, so that the
 *        next run kills what a run killed with SIGKILL left behind (scripts/lib/leftovers.js).
 */
const fs = require('node:fs');
const path = require('node:path');
const { root, SERVICES, CLIENT, readRoutes, isBuilt, clientStatus } = require('./lib/services');
const { startProcess, waitForHttp, prefixer } = require('./lib/processes');
const { createGateway } = require('./lib/gateway');
const { isPortFree, pickPort } = require('./lib/ports');
const { PrerequisiteError, loadCommonTesting, checkNats, mongoUnavailable, checkJwtKey } = require('./lib/prerequisites');
const { DEMO_SELLER, DEMO_BUYER } = require('./lib/demo');
const { RunRecord, reapLeftovers } = require('./lib/leftovers');

const DEV_JWT_KEY = 'dev-only-insecure-jwt-key-never-use-in-production';
const say = ((p) => (line) => process.stdout.write(p(line)))(prefixer('jetmart'));
const warn = ((p) => (line) => process.stderr.write(p(line)))(prefixer('jetmart'));

const state = {
  nats: undefined, // { url, destroy() } when started here
  mongo: undefined, // { url, kind, stop() }
  children: [], // startProcess() handles
  gateway: undefined,
  shuttingDown: undefined,
  firstSignalAt: 0,
  record: undefined, // RunRecord: what this run started, for the next run if this one is killed
};

const stateDir = () => process.env.JETMART_STATE_DIR || path.join(root, '.jetmart');

function writePidFile(extra = {}) {
  const file = process.env.JETMART_PID_FILE;
  if (!file) return;
  const info = {
    platform: process.pid,
    children: state.children.map((c) => ({ name: c.name, pid: c.pid })),
    natsStoreDir: state.nats && state.nats.storeDir,
    ...extra,
  };
  fs.writeFileSync(file, JSON.stringify(info, null, 2));
}

async function startInfrastructure(testing) {
  if (process.env.NATS_URL) {
    say(`NATS: ${process.env.NATS_URL} (NATS_URL)`);
  } else {
    state.nats = await testing.startNats();
    state.record.add('nats-server', state.nats.pid, { dirs: [state.nats.storeDir] });
    say(`NATS: nats-server with JetStream at ${state.nats.url}, monitoring ${state.nats.monitorUrl}`);
  }
  try {
    state.mongo = await testing.startMongo();
    state.record.add(state.mongo.kind, state.mongo.pid);
  } catch (err) {
    throw mongoUnavailable(testing, err);
  }
  say(`MongoDB-wire server: ${state.mongo.kind} at ${state.mongo.url}`);
  return { natsUrl: process.env.NATS_URL || state.nats.url, mongoServerUrl: state.mongo.url };
}

const SERVICE_NODE_OPTIONS = '--max-semi-space-size=2';

function serviceEnv(name, port, { natsUrl, mongoServerUrl }, testing) {
  const env = { ...process.env };
  env.PORT = String(port);
  env.NATS_URL = natsUrl;
  // Every service owns its own database (SPEC): one database per service on the shared server.
  env.MONGO_URL = testing.mongoDatabaseUrl(mongoServerUrl, `jetmart_${name}`);
  env.NODE_ENV = process.env.NODE_ENV || 'development';
  if (!env.JWT_KEY) env.JWT_KEY = DEV_JWT_KEY;
  // The same V8 setting as Kubernetes (jetmart-config): a small young generation keeps each
  // service's memory well under its limit for a little more GC work (see docs/BENCHMARKS.md).
  if (!env.NODE_OPTIONS) env.NODE_OPTIONS = SERVICE_NODE_OPTIONS;
  return env;
}

async function startServices(infra, testing, gatewayPort) {
  const upstreams = {};
  const taken = new Set([gatewayPort]);
  const waits = [];
  for (const svc of SERVICES) {
    if (!isBuilt(svc.name)) {
      upstreams[svc.name] = { unavailable: `${svc.name}/dist/index.js is missing (not written or not built: npm run build -w ${svc.name})` };
      warn(`skipping ${svc.name}: ${upstreams[svc.name].unavailable}`);
      continue;
    }
    const port = await pickPort(svc.port, taken);
    taken.add(port);
    const child = startProcess(svc.name, process.execPath, [path.join(root, svc.name, 'dist', 'index.js')], {
      cwd: root,
      env: serviceEnv(svc.name, port, infra, testing),
    });
    state.children.push(child);
    state.record.add(svc.name, child.pid, { group: true });
    upstreams[svc.name] = { port, child };
    waits.push(waitForHttp(`http://127.0.0.1:${port}/readyz`, { timeoutMs: readyTimeoutMs(), child }));
  }

  const client = clientStatus();
  if (client.runnable) {
    const port = await pickPort(CLIENT.port, taken);
    taken.add(port);
    const env = { ...process.env, PORT: String(port), API_BASE_URL: `http://127.0.0.1:${gatewayPort}` };
    // The operations page (/ops) reads NATS monitoring, the DEADLETTER stream and each service's
    // /readyz from the storefront's server; ADMIN_EMAILS passes through from the environment.
    env.NATS_URL = infra.natsUrl;
    if (!env.NATS_MONITOR_URL && state.nats) env.NATS_MONITOR_URL = state.nats.monitorUrl;
    env.OPS_SERVICE_URLS = Object.entries(upstreams)
      .filter(([, u]) => u.port)
      .map(([name, u]) => `${name}=http://127.0.0.1:${u.port}`)
      .join(',');
    // `next start` is a production server: leave NODE_ENV to it unless the user set one.
    const child = startProcess('client', 'npm', ['run', 'start', '--silent', '-w', 'client'], { cwd: root, env });
    state.children.push(child);
    state.record.add('client', child.pid, { group: true });
    upstreams.client = { port, child };
    // The storefront is not a service with /readyz: it is up when it answers at all. It is not
    // fatal either: the APIs are usable without it.
    waits.push(
      waitForHttp(`http://127.0.0.1:${port}/`, { timeoutMs: readyTimeoutMs(), child, ok: (s) => s < 500 }).catch((err) => {
        warn(`the storefront did not start, / will answer 503: ${err.message}`);
        upstreams.client = { unavailable: 'it failed to start (see its log above)' };
      }),
    );
  } else {
    upstreams.client = { unavailable: client.reason };
    warn(`skipping the storefront: ${client.reason}`);
  }
  writePidFile();
  await Promise.all(waits);
  return upstreams;
}

function readyTimeoutMs() {
  return Number(process.env.JETMART_READY_TIMEOUT_SECONDS || 120) * 1000;
}

/** A running service that exits on its own takes the platform down: a half-up shop misleads. */
function watchForCrashes() {
  for (const child of state.children) {
    child.exited.then(({ code, signal }) => {
      if (state.shuttingDown) return;
      if (child.name === 'client') {
        warn(`the storefront exited (${signal || `code ${code}`}); the APIs keep running`);
        return;
      }
      warn(`${child.name} exited unexpectedly (${signal || `code ${code}`}); stopping jetmart`);
      shutdown(1);
    });
  }
}

function shutdown(code) {
  return (state.shuttingDown ??= (async () => {
    say('shutting down ...');
    if (state.gateway) {
      const closed = new Promise((resolve) => state.gateway.close(resolve));
      state.gateway.closeIdleConnections();
      setTimeout(() => state.gateway.closeAllConnections(), 2000).unref();
      await closed;
    }
    // Services first (they drain NATS and close their databases), then the servers under them.
    await Promise.all(state.children.map((c) => c.stop(15_000)));
    if (state.nats) await state.nats.destroy().catch((err) => warn(`nats-server: ${err.message}`));
    if (state.mongo) await state.mongo.stop().catch((err) => warn(`MongoDB-wire server: ${err.message}`));
    state.record?.remove();
    say('stopped');
    process.exit(code);
  })());
}

function onSignal(signal) {
  // Ctrl-C reaches both npm and this process, and npm forwards it: one press can arrive twice.
  // A second signal more than two seconds later means "stop now".
  const now = Date.now();
  if (!state.shuttingDown) {
    state.firstSignalAt = now;
    say(`${signal} received`);
    shutdown(0);
  } else if (now - state.firstSignalAt > 2000) {
    warn(`${signal} again: killing everything now`);
    for (const c of state.children) c.signalGroup('SIGKILL');
  }
}

/**
 * `kill <pid of npm start>` does not reach this process: npm forwards SIGTERM to the `sh -c` it
 * runs scripts in, and sh dies without passing it on. So when the parent goes away (we are
 * re-parented), shut down as if signalled, rather than run on as an orphan.
 */
function watchParent() {
  const parent = process.ppid;
  const timer = setInterval(() => {
    if (process.ppid !== parent && !state.shuttingDown) {
      say('the process that started jetmart is gone');
      onSignal('SIGTERM');
    }
  }, 300);
  timer.unref();
}

async function main() {
  process.chdir(root);
  const seedAfterStart = process.argv.includes('--seed');
  const gatewayPort = Number(process.env.PORT || 8080);
  if (!Number.isInteger(gatewayPort) || gatewayPort < 1 || gatewayPort > 65535) throw new PrerequisiteError(`PORT must be a port number, got "${process.env.PORT}"`);

  checkJwtKey();
  const testing = loadCommonTesting();
  checkNats(testing);
  const routes = readRoutes();
  if (!(await isPortFree(gatewayPort))) {
    throw new PrerequisiteError(`Port ${gatewayPort} is already in use (another jetmart?): stop it, or set PORT to another port.`);
  }

  // A run killed with SIGKILL could not stop nats-server, FerretDB and the services: stop them now.
  await reapLeftovers(stateDir(), say);
  state.record = new RunRecord(stateDir());

  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  watchParent();
  // Output goes wherever npm's went; if that reader is gone, keep shutting down quietly.
  process.stdout.on('error', () => undefined);
  process.stderr.on('error', () => undefined);
  // Last resort (e.g. an uncaught error): never leave service process groups behind.
  process.on('exit', () => {
    for (const c of state.children) if (!c.hasExited()) c.signalGroup('SIGKILL');
  });

  const infra = await startInfrastructure(testing);
  if (state.shuttingDown) return;
  const upstreams = await startServices(infra, testing, gatewayPort);
  if (state.shuttingDown) return;
  watchForCrashes();

  state.gateway = createGateway({ routes, upstreams, log: { warn } });
  await new Promise((resolve, reject) => {
    state.gateway.once('error', reject);
    state.gateway.listen(gatewayPort, resolve);
  });
  writePidFile({ gatewayPort, servicePorts: Object.fromEntries(Object.entries(upstreams).filter(([, u]) => u.port).map(([n, u]) => [n, u.port])) });

  const url = `http://localhost:${gatewayPort}`;
  const running = Object.entries(upstreams).filter(([, u]) => u.port).map(([n]) => n);
  say(`running: ${running.join(', ')}`);
  say(`jetmart is ready on ${url}`);
  say(`demo accounts (after \`npm run seed\`): seller ${DEMO_SELLER.email} / ${DEMO_SELLER.password}, buyer ${DEMO_BUYER.email} / ${DEMO_BUYER.password}`);
  if (seedAfterStart) {
    const { seed } = require('./seed');
    await seed(`http://127.0.0.1:${gatewayPort}`, say).catch((err) => warn(`seeding failed: ${err.message}`));
  }
}

main().catch((err) => {
  if (err instanceof PrerequisiteError) warn(`jetmart: ${err.message}`);
  else warn(`jetmart failed to start: ${err && err.stack ? err.stack : err}`);
  if (state.shuttingDown) return;
  // Nothing started yet (a missing prerequisite): just the message, no shutdown chatter.
  // (exitCode, not exit(): lets the message reach a piped stderr before node ends.)
  if (!state.nats && !state.mongo && state.children.length === 0) {
    process.exitCode = 1;
    return;
  }
  shutdown(1);
});
