#!/usr/bin/env node
'use strict';
/*
 * `npm start`: the whole of jetmart on one machine, no Docker, no Kubernetes.
 *
 *   MongoDB-wire server  MONGO_URL, else mongodb-memory-server, else the project's FerretDB build
 *   NATS with JetStream  NATS_URL, else the pinned nats-server (monitoring on)
 *   mail                 SMTP_URL, else the pinned Mailpit (SMTP, and a web UI that shows every
 *                        mail sent); without its binary the platform runs without mail
 *   services             node <svc>/dist/index.js each, own process group, own database
 *   storefront           npm run start -w client (when built)
 *   gateway              http://localhost:$PORT (8080), routes of infra/routes.json (= the ingress)
 *
 *   data                 the databases and the JetStream store in one directory, kept between runs
 *
 * Flags: --seed (create the demo shop once ready; same as `npm run seed`),
 *        --fresh (empty the data directory first: start with no users, products or orders),
 *        --ha (high availability, as in Kubernetes: a 3-node nats-server cluster `jetmart` with
 *        routes and JetStream on each node (store <data>/nats-cluster/n1..n3), every stream and
 *        bucket with 3 replicas (JETSTREAM_REPLICAS=3), two processes of every service, each on its
 *        own port, and the gateway round-robins over a service's ready processes. A process that
 *        dies (a nats-server node, a service process) is restarted on its ports, as Kubernetes
 *        restarts a pod; without --ha one that dies stops the platform).
 * Env:   PORT, MONGO_URL, NATS_URL, JWT_KEY, NODE_ENV (default development), JETMART_MONGO
 *        (ferretdb | memory-server), JETMART_FERRETDB_BACKEND (auto | postgresql | sqlite: FerretDB on
 *        the local PostgreSQL when it answers, else SQLite), JETMART_READY_TIMEOUT_SECONDS (120), JETMART_PID_FILE
 *        (writes the pids of what it started, for tools and tests), plus anything the services read
 *        (ORDER_EXPIRATION_SECONDS, STRIPE_SECRET_KEY, ...), which is passed through.
 *        JETMART_STATE_DIR (default .jetmart/): where each run records what it started, so that the
 *        next run kills what a run killed with SIGKILL left behind (scripts/lib/leftovers.js).
 *        JETMART_DATA_DIR (default <state dir>/data, i.e. .jetmart/data/): FerretDB's SQLite files
 *        (ferretdb/) or the name of its PostgreSQL database (ferretdb-postgresql/), or mongod's (mongodb/), the JetStream store (nats/) and the mail Mailpit
 *        received (mailpit/), the product images (images/: products's IMAGE_DIR, scripts/lib/services.js).
 *        Under NODE_ENV=test
 *        (test runs) a throw-away temp directory instead, unless JETMART_DATA_DIR is set.
 *        JETMART_HA_RESTART_DELAY_SECONDS (1): --ha restarts a process that died after this long.
 *        ADMIN_EMAILS (default admin@jetmart.dev outside production, the account `npm run seed`
 *        creates), passed to every child. SMTP_URL (default: the Mailpit started here) and
 *        PUBLIC_URL (default: this gateway's URL, where the links in emails point), passed to every
 *        service (notifications uses them).
 *
 * Stopping (Ctrl-C, SIGTERM): the gateway, then the services and storefront (they drain NATS and
 * close their databases), then Mailpit, nats-server and the MongoDB-wire server. Those three run in
 * their own process groups, so the terminal's Ctrl-C reaches only this process and they outlive
 * the services.
 */
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { root, SERVICES, CLIENT, readRoutes, isBuilt, clientStatus } = require('./lib/services');
const { startProcess, waitForHttp, prefixer } = require('./lib/processes');
const { createGateway } = require('./lib/gateway');
const { isPortFree, pickPort } = require('./lib/ports');
const { PrerequisiteError, loadCommonTesting, checkNats, mongoUnavailable, checkJwtKey } = require('./lib/prerequisites');
const { DEMO_SELLER, DEMO_BUYER, DEMO_ADMIN } = require('./lib/demo');
const { RunRecord, reapLeftovers, procInfo, isSameProcess } = require('./lib/leftovers');

const DEV_JWT_KEY = 'dev-only-insecure-jwt-key-never-use-in-production';
const sayPrefix = prefixer('jetmart');
const say = (line) => process.stdout.write(sayPrefix(line));
say.raw = sayPrefix;
const warn = (
  (p) => (line) =>
    process.stderr.write(p(line))
)(prefixer('jetmart'));

const state = {
  ha: false, // --ha
  nats: undefined, // { url, monitorUrl, storeDir, pid, stop() } when started here (--ha: + nodes, pids())
  mongo: undefined, // { url, kind, stop() }
  mail: undefined, // { smtpUrl, httpUrl, pid, stop() } when Mailpit was started here
  mailUnavailable: undefined, // why there is no mail server, when there is none
  gatewayPort: undefined, // PORT: known first, bound last (nothing else may take it meanwhile)
  children: [], // startProcess() handles
  gateway: undefined,
  shuttingDown: undefined,
  firstSignalAt: 0,
  record: undefined, // RunRecord: what this run started, for the next run if this one is killed
  data: undefined, // { dir, throwaway, lockFile }
};

// Relative paths in the environment are the user's, from where they ran npm (npm runs scripts in
// the package root and says where it was started in INIT_CWD).
const userCwd = process.env.INIT_CWD || process.cwd();
const stateDir = () => (process.env.JETMART_STATE_DIR ? path.resolve(userCwd, process.env.JETMART_STATE_DIR) : path.join(root, '.jetmart'));

const DATA_MARKER = '.jetmart-data';
const DATA_LOCK = 'running.json';

function chooseDataDir() {
  if (process.env.JETMART_DATA_DIR) return { dir: path.resolve(userCwd, process.env.JETMART_DATA_DIR), throwaway: false };
  // Test runs (scripts/test.sh sets NODE_ENV=test) start the platform many times and expect it empty.
  if (process.env.NODE_ENV === 'test') return { dir: fs.mkdtempSync(path.join(os.tmpdir(), 'jetmart-data-')), throwaway: true };
  return { dir: path.join(stateDir(), 'data'), throwaway: false };
}

/**
 * Makes `data.dir` ready for this run: refuses a directory that is not ours (it is emptied on
 * --fresh) or that a running platform uses; empties it when `fresh`; marks it as ours and as in
 * use. Returns whether it already held data.
 */
function prepareDataDir(data, fresh) {
  const entries = fs.existsSync(data.dir) ? fs.readdirSync(data.dir) : [];
  if (entries.length && !entries.includes(DATA_MARKER)) {
    throw new PrerequisiteError(
      `${data.dir} is not empty and is not a jetmart data directory (it has no ${DATA_MARKER} file): set JETMART_DATA_DIR to a new or empty directory.`,
    );
  }
  const lockFile = path.join(data.dir, DATA_LOCK);
  let holder;
  try {
    holder = JSON.parse(fs.readFileSync(lockFile, 'utf8'));
  } catch {
    holder = undefined; // none, or of a run that was killed mid-write
  }
  if (holder && holder.pid !== process.pid && isSameProcess(holder)) {
    throw new PrerequisiteError(
      `${data.dir} is in use by the jetmart running as pid ${holder.pid}: stop it first, or set JETMART_DATA_DIR to another directory.`,
    );
  }
  const held = entries.filter((e) => e !== DATA_MARKER && e !== DATA_LOCK);
  if (fresh) for (const e of entries) fs.rmSync(path.join(data.dir, e), { recursive: true, force: true });
  fs.mkdirSync(data.dir, { recursive: true });
  fs.writeFileSync(
    path.join(data.dir, DATA_MARKER),
    'jetmart local data: the databases (ferretdb/ or mongodb/), the JetStream store (nats/), the mail (mailpit/) and the product images (images/).\n' +
      '`npm start` reuses them; `npm start -- --fresh` empties this directory first.\n',
  );
  fs.writeFileSync(lockFile, JSON.stringify({ pid: process.pid, start: (procInfo(process.pid) || {}).start }));
  data.lockFile = lockFile; // ours now: removed on stop

  return { held: held.length > 0 && !fresh, emptied: fresh && held.length > 0 };
}

function releaseDataDir() {
  const data = state.data;
  if (!data) return;
  if (data.throwaway) fs.rmSync(data.dir, { recursive: true, force: true });
  else if (data.lockFile) fs.rmSync(data.lockFile, { force: true });
}

/** ADMIN_EMAILS for every child: the user's, else (outside production) the dev admin `npm run seed` creates. */
function defaultAdminEmails() {
  if (process.env.ADMIN_EMAILS) return 'ADMIN_EMAILS';
  if (process.env.NODE_ENV === 'production') return 'none';
  process.env.ADMIN_EMAILS = DEMO_ADMIN.email;
  return 'default';
}

function writePidFile(extra = {}) {
  const file = process.env.JETMART_PID_FILE;
  if (!file) return;
  const info = {
    platform: process.pid,
    children: state.children.map((c) => ({ name: c.name, pid: c.pid, port: c.port })),
    natsStoreDir: state.nats && state.nats.storeDir,
    // --ha: each node (name, client URL, monitoring URL, pid), e.g. to find and kill a stream's leader.
    natsNodes:
      state.nats && state.nats.nodes && state.nats.nodes.map((n) => ({ name: n.name, url: n.url, monitorUrl: n.monitorUrl, pid: n.pid })),
    // Where tests read the mail the shop sent (Mailpit's HTTP API), when Mailpit runs here.
    mail: state.mail ? { smtpUrl: state.mail.smtpUrl, httpUrl: state.mail.httpUrl } : undefined,
    ...extra,
  };
  fs.writeFileSync(file, JSON.stringify(info, null, 2));
}

async function startInfrastructure(testing) {
  const { dir, throwaway } = state.data;
  // A throw-away directory is removed by the next run if this one is killed (leftovers.js).
  const dirs = throwaway ? [dir] : [];
  // Own process groups (detached): Ctrl-C must not stop them under services still draining.
  if (process.env.NATS_URL) {
    say(`NATS: ${process.env.NATS_URL} (NATS_URL)`);
  } else if (state.ha) {
    const storeDir = path.join(dir, 'nats-cluster');
    const cluster = await testing.startNatsCluster({ storeDir, detached: true, clusterName: 'jetmart' });
    state.nats = {
      url: cluster.url,
      monitorUrl: cluster.nodes[0].monitorUrl,
      storeDir,
      nodes: cluster.nodes,
      pids: () => cluster.nodes.map((n) => n.pid).filter(Boolean),
      stop: () => cluster.stop(),
    };
    for (const n of cluster.nodes) state.record.add(`nats-server ${n.name}`, n.pid, { dirs });
    say(
      `NATS: ${cluster.nodes.length}-node nats-server cluster jetmart with JetStream (R3) at ${cluster.url}, monitoring ${cluster.nodes.map((n) => n.monitorUrl).join(' ')}, store ${storeDir}`,
    );
  } else {
    const storeDir = path.join(dir, 'nats');
    fs.mkdirSync(storeDir, { recursive: true });
    state.nats = await testing.startNats({ storeDir, detached: true });
    state.record.add('nats-server', state.nats.pid, { dirs });
    say(`NATS: nats-server with JetStream at ${state.nats.url}, monitoring ${state.nats.monitorUrl}, store ${storeDir}`);
  }
  try {
    state.mongo = await testing.startMongo({ dataDir: dir, detached: true });
    state.record.add(state.mongo.kind, state.mongo.pid, { dirs });
  } catch (err) {
    throw mongoUnavailable(testing, err);
  }
  say(`MongoDB-wire server: ${state.mongo.kind} at ${state.mongo.url}${state.mongo.dataDir ? `, data ${state.mongo.dataDir}` : ''}`);
  await startMail(testing, dir, dirs);
  return {
    natsUrl: process.env.NATS_URL || state.nats.url,
    mongoServerUrl: state.mongo.url,
    smtpUrl: process.env.SMTP_URL || (state.mail && state.mail.smtpUrl),
  };
}

/**
 * Mailpit, where the services' mail goes (its web UI shows every mail sent). Optional: without its
 * binary (or if it fails to start) the shop runs without mail, and says so once, here.
 */
async function startMail(testing, dir, dirs) {
  if (process.env.SMTP_URL) {
    say(`mail: ${redactUrl(process.env.SMTP_URL)} (SMTP_URL)`);
    return;
  }
  const rebuild = 'run `bash scripts/setup.sh` (or `bash scripts/ensure-bins.sh`) to build it, or set SMTP_URL';
  if (typeof testing.startMailpit !== 'function') {
    state.mailUnavailable = 'common is built without the Mailpit starter (npm run build -w common)';
  } else if (!testing.mailpitBinary()) {
    state.mailUnavailable = `no Mailpit binary (${rebuild})`;
  } else {
    const dataDir = path.join(dir, 'mailpit');
    // Documented ports (Mailpit's own defaults) outside test runs, like the services. Never the
    // gateway's port: it is chosen before (by the user or a test harness) but bound last.
    const taken = new Set([state.gatewayPort]);
    const smtpPort = await pickPort(preferredPort(1025), taken);
    taken.add(smtpPort);
    const httpPort = await pickPort(preferredPort(8025), taken);
    try {
      state.mail = await testing.startMailpit({
        smtpPort,
        httpPort,
        dataDir,
        detached: true,
        // Test runs count what arrives; Mailpit's default (keep the newest 500) suits a dev inbox.
        maxMessages: process.env.NODE_ENV === 'test' ? 0 : 500,
      });
      state.record.add('mailpit', state.mail.pid, { dirs });
      say(`mail: Mailpit, SMTP ${state.mail.smtpUrl}, web UI ${state.mail.httpUrl}, data ${dataDir}`);
      return;
    } catch (err) {
      state.mailUnavailable = `Mailpit did not start: ${String(err.message).split('\n')[0]}`;
    }
  }
  warn(`running without mail: ${state.mailUnavailable}; nothing can be emailed (the in-shop notifications still work)`);
}

/** A URL without its password, for the log. */
function redactUrl(url) {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(not a URL)';
  }
}

// --max-old-space-size=256 (live heaps are 30-60 MB): V8 sizes its heap growing factor by the
// declared maximum, 1.3x the live heap between full collections under 256 MB instead of up to 4x
// with the default, so garbage no longer piles up to 150 MB and more under load. Not for search,
// whose index holds hundreds of MB at 100,000 products. Same as jetmart-config (charts/jetmart).
const SERVICE_NODE_OPTIONS = '--max-semi-space-size=2 --max-old-space-size=256';
const NODE_OPTIONS_OF = { search: '--max-semi-space-size=2' };
const SERVICE_MALLOC_MMAP_THRESHOLD = '131072';

function serviceEnv(name, port, { natsUrl, mongoServerUrl, smtpUrl, publicUrl }, testing) {
  const env = { ...process.env };
  env.PORT = String(port);
  env.NATS_URL = natsUrl;
  // --ha: every stream and bucket on all three nodes (an R1 stream is lost with its node).
  if (state.ha && !process.env.JETSTREAM_REPLICAS) env.JETSTREAM_REPLICAS = '3';
  // Only notifications sends mail; every service gets the same environment.
  if (smtpUrl) env.SMTP_URL = smtpUrl;
  if (!env.PUBLIC_URL) env.PUBLIC_URL = publicUrl;
  // Every service owns its own database (SPEC): one database per service on the shared server.
  env.MONGO_URL = testing.mongoDatabaseUrl(mongoServerUrl, `jetmart_${name}`);
  env.NODE_ENV = process.env.NODE_ENV || 'development';
  if (!env.JWT_KEY) env.JWT_KEY = DEV_JWT_KEY;
  // The same V8 setting as Kubernetes (jetmart-config): a small young generation keeps each
  // service's memory well under its limit for a little more GC work (see docs/BENCHMARKS.md).
  if (!env.NODE_OPTIONS) env.NODE_OPTIONS = NODE_OPTIONS_OF[name] || SERVICE_NODE_OPTIONS;
  // Also as in jetmart-config: glibc's malloc otherwise raises its mmap threshold to the size of a
  // large block once freed, and later ones (auth's 16 MiB scrypt buffers) stay resident in its
  // per-thread arenas; a fixed threshold gives them back on free ("Memory under the mix").
  if (!env.MALLOC_MMAP_THRESHOLD_) env.MALLOC_MMAP_THRESHOLD_ = SERVICE_MALLOC_MMAP_THRESHOLD;
  return env;
}

/** The documented local port, except in test runs (NODE_ENV=test), which take any free port. */
const preferredPort = (port) => (process.env.NODE_ENV === 'test' ? null : port);

async function startServices(infra, testing, gatewayPort) {
  const upstreams = {};
  const taken = new Set([gatewayPort]);
  const waits = [];
  for (const svc of SERVICES) {
    if (!isBuilt(svc.name)) {
      upstreams[svc.name] = {
        unavailable: `${svc.name}/dist/index.js is missing (not written or not built: npm run build -w ${svc.name})`,
      };
      warn(`skipping ${svc.name}: ${upstreams[svc.name].unavailable}`);
      continue;
    }
    // --ha: two processes (`orders`, `orders-2`), the second on the documented port + 100.
    const ports = [];
    for (let i = 0; i < (state.ha ? 2 : 1); i++) {
      const port = await pickPort(preferredPort(svc.port + 100 * i), taken);
      taken.add(port);
      const env = {
        ...serviceEnv(svc.name, port, infra, testing),
        ...(svc.env
          ? svc.env({ upstreams, natsMonitorUrl: state.nats && state.nats.monitorUrl, gatewayPort, dataDir: state.data && state.data.dir })
          : {}),
      };
      const child = startService(svc.name, i === 0 ? svc.name : `${svc.name}-${i + 1}`, port, env);
      ports.push(port);
      waits.push({ name: child.name, ready: waitForHttp(`http://127.0.0.1:${port}/readyz`, { timeoutMs: readyTimeoutMs(), child }) });
    }
    upstreams[svc.name] = state.ha ? { port: ports[0], ports } : { port: ports[0] };
  }

  const client = clientStatus();
  if (client.runnable) {
    const port = await pickPort(preferredPort(CLIENT.port), taken);
    taken.add(port);
    // ADMIN_EMAILS passes through from the environment: the storefront shows admins the Ops link,
    // the ops service (/api/ops) decides.
    const env = { ...process.env, PORT: String(port), API_BASE_URL: `http://127.0.0.1:${gatewayPort}` };
    // `next start` is a production server: leave NODE_ENV to it unless the user set one.
    const child = startProcess('client', 'npm', ['run', 'start', '--silent', '-w', 'client'], { cwd: root, env });
    state.children.push(child);
    state.record.add('client', child.pid, { group: true });
    upstreams.client = { port, child };
    // The storefront is not a service with /readyz: it is up when it answers at all. It is not
    // fatal either: the APIs are usable without it.
    waits.push({
      name: 'client',
      ready: waitForHttp(`http://127.0.0.1:${port}/`, { timeoutMs: readyTimeoutMs(), child, ok: (s) => s < 500 }).catch((err) => {
        warn(`the storefront did not start, / will answer 503: ${err.message}`);
        upstreams.client = { unavailable: 'it failed to start (see its log above)' };
      }),
    });
  } else {
    upstreams.client = { unavailable: client.reason };
    warn(`skipping the storefront: ${client.reason}`);
  }
  writePidFile();
  await allReady(waits);
  return upstreams;
}

/**
 * Waits for every process to be ready, saying every 20 s which are not yet: a start that hangs
 * (a service that cannot bind its consumers while the cluster elects a leader, say) then shows
 * where, before the ready timeout names the one that failed.
 */
async function allReady(waits) {
  const pending = new Set(waits.map((w) => w.name));
  const started = Date.now();
  const timer = setInterval(
    () => say(`still waiting after ${Math.round((Date.now() - started) / 1000)} s for: ${[...pending].join(', ')}`),
    20_000,
  );
  try {
    await Promise.all(waits.map((w) => w.ready.then(() => pending.delete(w.name))));
  } finally {
    clearInterval(timer);
  }
}

/** Starts one process of service `service` as `name` on `port`; --ha restarts it when it dies (watchForCrashes). */
function startService(service, name, port, env) {
  const child = startProcess(name, process.execPath, [path.join(root, service, 'dist', 'index.js')], { cwd: root, env });
  child.restart = () => startService(service, name, port, env);
  child.port = port;
  state.children.push(child);
  state.record.add(name, child.pid, { group: true });
  return child;
}

function readyTimeoutMs() {
  return Number(process.env.JETMART_READY_TIMEOUT_SECONDS || 120) * 1000;
}

/**
 * A running service that exits on its own takes the platform down: a half-up shop misleads.
 * Except under --ha, which is there to survive it: the process is restarted on its port (its
 * other process serves meanwhile), and so is a nats-server node that dies.
 */
function watchForCrashes() {
  for (const child of state.children) watchChild(child);
  if (state.ha && state.nats && state.nats.nodes) watchNatsNodes(state.nats.nodes);
}

function watchChild(child) {
  child.exited.then(({ code, signal }) => {
    if (state.shuttingDown) return;
    if (child.name === 'client') {
      warn(`the storefront exited (${signal || `code ${code}`}); the APIs keep running`);
      return;
    }
    if (state.ha && child.restart) {
      warn(`${child.name} exited unexpectedly (${signal || `code ${code}`}); restarting it on port ${child.port}`);
      state.children = state.children.filter((c) => c !== child);
      setTimeout(() => {
        if (state.shuttingDown) return;
        const again = child.restart();
        writePidFile(state.pidExtra);
        watchChild(again);
        waitForHttp(`http://127.0.0.1:${child.port}/readyz`, { timeoutMs: readyTimeoutMs(), child: again }).then(
          () => say(`${child.name} is back (pid ${again.pid})`),
          (err) => warn(err.message),
        );
      }, haRestartDelayMs());
      return;
    }
    warn(`${child.name} exited unexpectedly (${signal || `code ${code}`}); stopping jetmart`);
    shutdown(1);
  });
}

/** How long --ha waits before restarting a process that died (JETMART_HA_RESTART_DELAY_SECONDS, default 1; Kubernetes backs off too). */
const haRestartDelayMs = () => Number(process.env.JETMART_HA_RESTART_DELAY_SECONDS || 1) * 1000;

/** --ha: a nats-server node that dies is started again on its ports with its store (it catches up from its peers). */
function watchNatsNodes(nodes) {
  const restarting = new Set();
  const timer = setInterval(() => {
    if (state.shuttingDown) return clearInterval(timer);
    for (const node of nodes) {
      if (node.pid !== undefined || restarting.has(node)) continue;
      restarting.add(node);
      warn(`nats-server ${node.name} is gone; restarting it in ${haRestartDelayMs() / 1000} s`);
      const after = new Promise((r) => setTimeout(r, haRestartDelayMs()));
      after
        .then(() => (state.shuttingDown ? undefined : node.restart()))
        .then(
          () => {
            restarting.delete(node);
            state.record.add(`nats-server ${node.name}`, node.pid, {});
            writePidFile(state.pidExtra);
            say(`nats-server ${node.name} is back (pid ${node.pid})`);
          },
          (err) => {
            restarting.delete(node);
            warn(`nats-server ${node.name} did not restart: ${err.message}`);
          },
        );
    }
  }, 500);
  timer.unref();
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
    if (state.children.length) {
      await Promise.all(state.children.map((c) => c.stop(15_000)));
      say(`stopped ${state.children.map((c) => c.name).join(', ')}`);
    }
    // The services have stopped sending: mail still queued in them stays in their records.
    if (state.mail) {
      await state.mail.stop().then(
        () => say('stopped mailpit'),
        (err) => warn(`mailpit: ${err.message}`),
      );
    }
    if (state.nats) {
      await state.nats.stop().then(
        () => say('stopped nats-server'),
        (err) => warn(`nats-server: ${err.message}`),
      );
    }
    if (state.mongo) {
      await state.mongo.stop().then(
        () => state.mongo.kind !== 'external' && say(`stopped ${state.mongo.kind}`),
        (err) => warn(`MongoDB-wire server: ${err.message}`),
      );
    }
    releaseDataDir();
    state.record?.remove();
    const kept = state.data && !state.data.throwaway && (state.nats || state.mongo?.dataDir || state.mail);
    say(kept ? `stopped; the data stays in ${state.data.dir} for the next start` : 'stopped');
    process.exit(code);
  })());
}

/** The ready line and what to open: storefront, API docs, NATS monitoring, where the data is, who is admin. */
function readyBlock(url, routes, upstreams, admins) {
  const apis = routes.filter((r) => r.prefix.startsWith('/api/') && upstreams[r.service] && upstreams[r.service].port);
  const natsMonitor = state.nats
    ? state.nats.monitorUrl
    : process.env.NATS_MONITOR_URL || `the monitoring of ${process.env.NATS_URL} (NATS_URL)`;
  const where = [];
  if (state.mongo && state.mongo.dataDir) where.push('databases');
  if (state.nats) where.push('JetStream');
  if (state.mail) where.push('mail');
  let data;
  if (where.length === 0) data = 'none here (MONGO_URL and NATS_URL are external servers)';
  else if (state.data.throwaway) data = `${state.data.dir} (${where.join(' + ')}; throw-away, removed on stop)`;
  else data = `${state.data.dir} (${where.join(' + ')}; kept between runs, \`npm start -- --fresh\` starts empty)`;
  const admin = {
    default: `${DEMO_ADMIN.email} / ${DEMO_ADMIN.password} (dev default ADMIN_EMAILS; the account is created by \`npm run seed\`)`,
    ADMIN_EMAILS: `${process.env.ADMIN_EMAILS} (ADMIN_EMAILS)`,
    none: 'none: set ADMIN_EMAILS (no default in production)',
  }[admins];
  const client =
    upstreams.client && upstreams.client.port
      ? `${url}/`
      : `not running (${(upstreams.client && upstreams.client.unavailable) || 'not started'})`;
  return [
    `jetmart is ready on ${url}`,
    `  storefront      ${client}`,
    ...apis.map((r, i) => `  ${i === 0 ? 'API docs' : ''.padEnd(8)}        ${url}${r.prefix}/docs`),
    `  NATS monitoring ${natsMonitor}`,
    `  mail            ${mailLine()}`,
    `  data            ${data}`,
    `  admin           ${admin}`,
    `  demo accounts   seller ${DEMO_SELLER.email} / ${DEMO_SELLER.password}, buyer ${DEMO_BUYER.email} / ${DEMO_BUYER.password} (after \`npm run seed\`)`,
  ];
}

/** Where to read the mail the shop sends. */
function mailLine() {
  if (state.mail) return `Mailpit web UI ${state.mail.httpUrl} (SMTP ${state.mail.smtpUrl})`;
  if (process.env.SMTP_URL) return `${redactUrl(process.env.SMTP_URL)} (SMTP_URL)`;
  return `none: ${state.mailUnavailable}`;
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

/** The value after a command-line flag (`--restore-from <folder>`), or undefined. */
function optionValue(flag) {
  const i = process.argv.indexOf(flag);
  return i > 0 && process.argv[i + 1] && !process.argv[i + 1].startsWith('--') ? process.argv[i + 1] : undefined;
}

async function main() {
  process.chdir(root);
  const seedAfterStart = process.argv.includes('--seed');
  state.ha = process.argv.includes('--ha');
  const fresh = process.argv.includes('--fresh');
  const gatewayPort = Number(process.env.PORT || 8080);
  if (!Number.isInteger(gatewayPort) || gatewayPort < 1 || gatewayPort > 65535)
    throw new PrerequisiteError(`PORT must be a port number, got "${process.env.PORT}"`);
  state.gatewayPort = gatewayPort;

  checkJwtKey();
  const testing = loadCommonTesting();
  checkNats(testing);
  const routes = readRoutes();
  if (!(await isPortFree(gatewayPort))) {
    throw new PrerequisiteError(`Port ${gatewayPort} is already in use (another jetmart?): stop it, or set PORT to another port.`);
  }

  // A run killed with SIGKILL could not stop nats-server, FerretDB and the services: stop them now.
  await reapLeftovers(stateDir(), say);
  state.data = chooseDataDir();
  const { held, emptied } = prepareDataDir(state.data, fresh);
  state.record = new RunRecord(stateDir());
  state.record.describe({ dataDir: state.data.dir });
  const admins = defaultAdminEmails();
  if (state.data.throwaway) say(`data: ${state.data.dir} (throw-away, NODE_ENV=test: removed on stop)`);
  else say(`data: ${state.data.dir} (${emptied ? 'emptied (--fresh)' : held ? 'reused from the last run' : 'new'})`);

  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  watchParent();
  // Output goes wherever npm's went; if that reader is gone, keep shutting down quietly.
  process.stdout.on('error', () => undefined);
  process.stderr.on('error', () => undefined);
  // Last resort (e.g. an uncaught error): never leave service process groups behind.
  process.on('exit', () => {
    for (const c of state.children) if (!c.hasExited()) c.signalGroup('SIGKILL');
    // Their own process groups: nothing else stops them. SIGTERM, so they write their files out.
    const natsPids = state.nats ? (state.nats.pids ? state.nats.pids() : [state.nats.pid]) : [];
    for (const pid of [state.mail && state.mail.pid, ...natsPids, state.mongo && state.mongo.pid]) {
      if (!pid) continue;
      try {
        process.kill(pid, 'SIGTERM');
      } catch {
        // already stopped
      }
    }
  });

  const infra = { ...(await startInfrastructure(testing)), publicUrl: `http://localhost:${gatewayPort}` };
  if (state.shuttingDown) return;
  // A backup goes into the empty servers before any service starts (services would create empty
  // streams first): scripts/lib/backups.js.
  const restoreFrom = optionValue('--restore-from');
  if (restoreFrom) {
    if (held) throw new PrerequisiteError('--restore-from needs an empty data directory: add --fresh (it empties the current one)');
    await require('./lib/backups').restore({
      natsUrl: infra.natsUrl,
      mongoUrls: [infra.mongoServerUrl],
      from: path.resolve(restoreFrom),
      log: say,
    });
  }
  const upstreams = await startServices(infra, testing, gatewayPort);
  if (state.shuttingDown) return;
  watchForCrashes();

  state.gateway = createGateway({ routes, upstreams, log: { warn } });
  await new Promise((resolve, reject) => {
    state.gateway.once('error', reject);
    state.gateway.listen(gatewayPort, resolve);
  });
  // Kept: rewritten with it when --ha restarts a process (new pid).
  state.pidExtra = {
    gatewayPort,
    servicePorts: Object.fromEntries(
      Object.entries(upstreams)
        .filter(([, u]) => u.port)
        .map(([n, u]) => [n, u.port]),
    ),
  };
  writePidFile(state.pidExtra);

  const url = `http://localhost:${gatewayPort}`;
  state.record.describe({ url: `http://127.0.0.1:${gatewayPort}`, gatewayPort });
  const running = Object.entries(upstreams)
    .filter(([, u]) => u.port)
    .map(([n]) => n);
  say(`running: ${running.join(', ')}`);
  // One write, so the whole block arrives together for anyone waiting for the ready line.
  process.stdout.write(readyBlock(url, routes, upstreams, admins).map(say.raw).join(''));
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
  if (!state.nats && !state.mongo && !state.mail && state.children.length === 0) {
    releaseDataDir();
    state.record?.remove();
    process.exitCode = 1;
    return;
  }
  shutdown(1);
});
