import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { homedir, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

/**
 * Real servers for tests and the local platform: a pinned nats-server with JetStream and a
 * MongoDB-wire server (MONGO_URL, else mongodb-memory-server, else the project's FerretDB build).
 * Binaries are built by scripts/ensure-bins.sh into ~/.cache/jetmart/bin (JETMART_BIN_DIR).
 */

export const binDir = () => process.env.JETMART_BIN_DIR || join(homedir(), '.cache', 'jetmart', 'bin');

/** Pinned versions from scripts/versions.env of the enclosing checkout, if there is one. */
function pinnedVersions(): Record<string, string> {
  let dir = process.cwd();
  for (;;) {
    const file = join(dir, 'scripts', 'versions.env');
    if (existsSync(file)) {
      return Object.fromEntries(
        readFileSync(file, 'utf8')
          .split('\n')
          .filter((l) => /^\w+=/.test(l))
          .map((l) => l.split('=', 2) as [string, string]),
      );
    }
    const up = dirname(dir);
    if (up === dir) return {};
    dir = up;
  }
}

function findBinary(envVar: string, prefix: string, versionKey: string): string | undefined {
  if (process.env[envVar]) return process.env[envVar];
  const version = pinnedVersions()[versionKey];
  const dir = binDir();
  if (version && existsSync(join(dir, `${prefix}-${version}`))) return join(dir, `${prefix}-${version}`);
  if (!existsSync(dir)) return undefined;
  const any = readdirSync(dir)
    .filter((f) => f.startsWith(`${prefix}-`) && !f.endsWith('.tmp'))
    .sort()
    .pop();
  return any ? join(dir, any) : undefined;
}

export const natsServerBinary = () => findBinary('NATS_SERVER_BIN', 'nats-server', 'NATS_SERVER_VERSION');
export const ferretdbBinary = () => findBinary('FERRETDB_BIN', 'jetmart-ferretdb', 'FERRETDB_VERSION');
export const mailpitBinary = () => findBinary('MAILPIT_BIN', 'mailpit', 'MAILPIT_VERSION');

export async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolvePort(port));
    });
  });
}

/**
 * Runs `start` again (it picks new free ports each time) while it fails because a port was taken:
 * another process can bind a port between freePort() and the server's own bind (test files run
 * in parallel, and an outgoing connection's local port comes from the same range). Any other
 * failure, or the last attempt's, is thrown.
 */
export function retryWhilePortTaken<T>(start: () => Promise<T>, attempts = 3): Promise<T> {
  return retryWhileFailingWith(/address already in use/, start, { attempts });
}

/**
 * Runs `fn` again while it fails with an error whose message matches `transient`, up to
 * `attempts` times, `pauseMs` apart; any other failure, or the last attempt's, is thrown.
 */
export async function retryWhileFailingWith<T>(
  transient: RegExp,
  fn: () => Promise<T>,
  { attempts, pauseMs = 0 }: { attempts: number; pauseMs?: number },
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      if (!transient.test(String((err as Error).message)) || attempt >= attempts) throw err;
      if (pauseMs) await new Promise((r) => setTimeout(r, pauseMs));
    }
  }
}

async function waitFor(
  what: string,
  check: () => Promise<boolean>,
  timeoutMs = 20_000,
  proc?: ChildProcess,
  output?: () => string,
  fatal?: () => Error | undefined,
) {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    const failed = fatal?.();
    if (failed) throw failed;
    if (proc && proc.exitCode !== null) throw new Error(`${what} exited with ${proc.exitCode}: ${output?.() ?? ''}`);
    if (await check().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${what} did not become ready in ${timeoutMs} ms: ${output?.() ?? ''}`);
}

function capture(proc: ChildProcess): () => string {
  let out = '';
  const add = (b: Buffer) => {
    out = (out + b.toString()).slice(-4000);
  };
  proc.stdout?.on('data', add);
  proc.stderr?.on('data', add);
  return () => out;
}

function stopProcess(proc: ChildProcess, signal: NodeJS.Signals = 'SIGTERM', timeoutMs = 5000): Promise<void> {
  // No pid: it never ran (spawn failed), so there is nothing to stop and no 'exit' to wait for.
  if (proc.pid === undefined || proc.exitCode !== null || proc.signalCode !== null) return Promise.resolve();
  return new Promise((done) => {
    const t = setTimeout(() => proc.kill('SIGKILL'), timeoutMs);
    proc.once('exit', () => {
      clearTimeout(t);
      done();
    });
    proc.kill(signal);
  });
}

export interface NatsTestServer {
  url: string;
  port: number;
  monitorUrl: string;
  storeDir: string;
  /** The nats-server process's pid (changes on restart; undefined while it is not running). */
  readonly pid: number | undefined;
  /** Stops the server (SIGTERM, or SIGKILL to simulate a crash) and keeps the store. */
  stop(signal?: NodeJS.Signals): Promise<void>;
  /** Starts it again on the same ports with the same store. */
  restart(): Promise<void>;
  /** Stops it and deletes the store. */
  destroy(): Promise<void>;
}

/** A server process started by `startOnFreePorts`: its ports, and stop/start on the same ports. */
export interface ServerProcess {
  ports: number[];
  /** The process's pid (changes on each start; undefined while it is not running). */
  readonly pid: number | undefined;
  /** Stops it (SIGTERM, or SIGKILL to simulate a crash). */
  stop(signal?: NodeJS.Signals): Promise<void>;
  /** Starts it again on the same ports (stops it first if it is running). */
  start(): Promise<void>;
  /**
   * Why the running process ended on its own after it was ready (its exit and its last output),
   * else undefined: a server can answer its readiness check and die a moment later (nats-server
   * serves /varz before it binds its cluster port, and exits if that port is taken).
   */
  died(): Error | undefined;
}

/**
 * Starts `bin` with `args(ports)` on `portCount` free ports (or the caller's `ports`) and waits
 * until `ready(ports)` answers true. A free port can be taken by another process between
 * freePort() and the server's bind (test files run in parallel): it then picks new ports and
 * starts again, unless the caller chose them. Later starts reuse the same ports.
 * `detached`: in its own process group, so a terminal's Ctrl-C reaches only the caller, which
 * stops it after its own clients have drained (the local platform).
 */
export async function startOnFreePorts(opts: {
  name: string;
  bin: string;
  portCount: number;
  ports?: number[];
  args: (ports: number[]) => string[];
  ready: (ports: number[]) => Promise<boolean>;
  detached?: boolean;
  timeoutMs?: number;
}): Promise<ServerProcess> {
  const pick = async () => Promise.all(Array.from({ length: opts.portCount }, () => freePort()));
  let ports = opts.ports ?? (await pick());
  let proc: ChildProcess | undefined;
  let output: () => string = () => '';
  // Processes this code stopped: their exit is asked for, not a death.
  const stopped = new WeakSet<ChildProcess>();
  const stop = async (p: ChildProcess, signal?: NodeJS.Signals) => {
    stopped.add(p);
    await stopProcess(p, signal);
  };
  const launch = async () => {
    if (proc) await stop(proc);
    const started = spawn(opts.bin, opts.args(ports), { stdio: ['ignore', 'pipe', 'pipe'], detached: opts.detached ?? false });
    proc = started;
    output = capture(started);
    // A binary that cannot be run (missing, not executable) fails at once, not after the timeout.
    let spawnError: Error | undefined;
    started.once('error', (err) => (spawnError = new Error(`${opts.name} (${opts.bin}) could not be started: ${err.message}`)));
    try {
      await waitFor(
        opts.name,
        () => opts.ready(ports),
        opts.timeoutMs ?? 20_000,
        started,
        output,
        () => spawnError,
      );
    } catch (err) {
      await stop(started, 'SIGKILL');
      throw err;
    }
  };
  if (opts.ports !== undefined) await launch();
  else {
    let first = true;
    await retryWhilePortTaken(async () => {
      if (!first) ports = await pick();
      first = false;
      await launch();
    });
  }
  return {
    get ports() {
      return ports;
    },
    get pid() {
      return proc && proc.exitCode === null && proc.signalCode === null ? proc.pid : undefined;
    },
    stop: async (signal = 'SIGTERM') => {
      if (proc) await stop(proc, signal);
    },
    start: launch,
    died: () => {
      const p = proc;
      if (!p || stopped.has(p) || (p.exitCode === null && p.signalCode === null)) return undefined;
      return new Error(`${opts.name} exited with ${p.exitCode ?? p.signalCode}: ${output()}`);
    },
  };
}

/**
 * A nats-server's command line: JetStream with its store in `storeDir`, clients and monitoring on
 * 127.0.0.1, and, for a cluster node, its name, cluster port and routes.
 */
export function natsServerArgs(o: {
  port: number;
  monitorPort: number;
  storeDir: string;
  cluster?: { serverName: string; clusterName: string; port: number; routes: string };
}): string[] {
  const args = ['-a', '127.0.0.1', '-p', String(o.port), '-m', String(o.monitorPort), '-js', '-sd', o.storeDir];
  if (!o.cluster) return args;
  const c = o.cluster;
  return [
    ...args,
    '--server_name',
    c.serverName,
    '--cluster_name',
    c.clusterName,
    '--cluster',
    `nats://127.0.0.1:${c.port}`,
    '--routes',
    c.routes,
  ];
}

/**
 * Starts a nats-server with JetStream (file store in a temp dir, or `storeDir`) and monitoring, on
 * free ports. `detached`: see startOnFreePorts.
 */
export async function startNats(
  opts: { port?: number; monitorPort?: number; storeDir?: string; detached?: boolean } = {},
): Promise<NatsTestServer> {
  const bin = natsServerBinary();
  if (!bin) throw new Error('nats-server binary not found: run `bash scripts/ensure-bins.sh`, or set NATS_SERVER_BIN');
  const storeDir = opts.storeDir ?? mkdtempSync(join(tmpdir(), 'jetmart-nats-'));
  const chosen = opts.port !== undefined || opts.monitorPort !== undefined;
  const proc = await startOnFreePorts({
    name: 'nats-server',
    bin,
    portCount: 2,
    ...(chosen ? { ports: [opts.port ?? (await freePort()), opts.monitorPort ?? (await freePort())] } : {}),
    args: ([port, monitorPort]) => natsServerArgs({ port: port!, monitorPort: monitorPort!, storeDir }),
    ready: async ([, monitorPort]) => (await fetch(`http://127.0.0.1:${monitorPort}/healthz?js-enabled-only=true`)).ok,
    detached: opts.detached ?? false,
  });
  const [port, monitorPort] = proc.ports;
  const server: NatsTestServer = {
    url: `nats://127.0.0.1:${port}`,
    port: port!,
    monitorUrl: `http://127.0.0.1:${monitorPort}`,
    storeDir,
    get pid() {
      return proc.pid;
    },
    stop: (signal = 'SIGTERM') => proc.stop(signal),
    restart: () => proc.start(),
    destroy: async () => {
      await proc.stop();
      rmSync(storeDir, { recursive: true, force: true });
    },
  };
  return server;
}

/** One node of a `startNatsCluster` cluster: a NatsTestServer with its server name (JetStream reports leaders by it). */
export interface NatsClusterNode extends NatsTestServer {
  name: string;
  clusterPort: number;
}

export interface NatsTestCluster {
  /** Every node's client URL, comma-separated: what NATS_URL holds for a cluster. */
  url: string;
  nodes: NatsClusterNode[];
  /** The node named `name` (e.g. a stream's `cluster.leader`). */
  node(name: string): NatsClusterNode;
  /** Resolves once every node answers /healthz (JetStream current, meta leader known). */
  waitHealthy(timeoutMs?: number): Promise<void>;
  /** Stops every node (SIGTERM) and keeps the stores. */
  stop(): Promise<void>;
  /** Stops every node and deletes the stores. */
  destroy(): Promise<void>;
}

/**
 * A JetStream cluster of `nodes` nats-servers on 127.0.0.1 (cluster `clusterName`, each routed to
 * every other, JetStream with its own store dir `<storeDir>/<node name>`), for tests of replicated
 * streams and for `npm start -- --ha`. Node names are `<namePrefix>1`.. (`n1`, `n2`, `n3`).
 * `detached`: see startOnFreePorts. Resolves when every node is healthy (a meta leader elected).
 */
export async function startNatsCluster(
  opts: { nodes?: number; storeDir?: string; detached?: boolean; clusterName?: string; namePrefix?: string; timeoutMs?: number } = {},
): Promise<NatsTestCluster> {
  const bin = natsServerBinary();
  if (!bin) throw new Error('nats-server binary not found: run `bash scripts/ensure-bins.sh`, or set NATS_SERVER_BIN');
  const count = opts.nodes ?? 3;
  const base = opts.storeDir ?? mkdtempSync(join(tmpdir(), 'jetmart-nats-cluster-'));
  const names = Array.from({ length: count }, (_, i) => `${opts.namePrefix ?? 'n'}${i + 1}`);
  // Every node's ports are chosen before any starts (each node's routes name the others' cluster
  // ports), so one port taken meanwhile by another process fails the whole attempt: retried with
  // new ports, as startOnFreePorts does for one server.
  // The stores stay between attempts (a kept platform's data): node names, and so the peers, are the same.
  return retryWhilePortTaken(() => startClusterOnPorts(opts, bin, base, names));
}

async function startClusterOnPorts(
  opts: { detached?: boolean; clusterName?: string; timeoutMs?: number },
  bin: string,
  base: string,
  names: string[],
): Promise<NatsTestCluster> {
  const ports = await Promise.all(names.map(async () => [await freePort(), await freePort(), await freePort()] as const));
  const routes = ports.map(([, , cluster]) => `nats://127.0.0.1:${cluster}`).join(',');
  const nodes: NatsClusterNode[] = [];
  const procs: ServerProcess[] = [];
  const health: string[] = [];
  // Started side by side: JetStream on a clustered node waits for its peers before it reports enabled.
  const started = await Promise.allSettled(
    names.map(async (name, i) => {
      const [port, monitorPort, clusterPort] = ports[i]!;
      const storeDir = join(base, name);
      mkdirSync(storeDir, { recursive: true });
      const proc = await startOnFreePorts({
        name: `nats-server ${name}`,
        bin,
        portCount: 3,
        ports: [port, monitorPort, clusterPort],
        args: () =>
          natsServerArgs({
            port,
            monitorPort,
            storeDir,
            cluster: { serverName: name, clusterName: opts.clusterName ?? 'jetmart', port: clusterPort, routes },
          }),
        // Listening is enough here; the whole cluster's health is awaited below.
        ready: async () => (await fetch(`http://127.0.0.1:${monitorPort}/varz`)).ok,
        detached: opts.detached ?? false,
      });
      procs[i] = proc;
      nodes[i] = {
        name,
        url: `nats://127.0.0.1:${port}`,
        port,
        monitorUrl: `http://127.0.0.1:${monitorPort}`,
        clusterPort,
        storeDir,
        get pid() {
          return proc.pid;
        },
        stop: (signal = 'SIGTERM') => proc.stop(signal),
        restart: () => proc.start(),
        destroy: async () => {
          await proc.stop();
          rmSync(storeDir, { recursive: true, force: true });
        },
      };
    }),
  );
  const stopAll = () => Promise.all(nodes.filter(Boolean).map((n) => n.stop()));
  const failed = started.find((r) => r.status === 'rejected');
  if (failed) {
    await stopAll();
    throw (failed as PromiseRejectedResult).reason;
  }
  const cluster: NatsTestCluster = {
    url: nodes.map((n) => n.url).join(','),
    nodes,
    node: (name) => {
      const n = nodes.find((x) => x.name === name);
      if (!n) throw new Error(`no node ${name} in this cluster (${names.join(', ')})`);
      return n;
    },
    waitHealthy: (timeoutMs = 30_000) =>
      waitFor(
        'the NATS cluster',
        async () =>
          (
            await Promise.all(
              nodes.map(async (n, i) => {
                const res = await fetch(`${n.monitorUrl}/healthz`).catch((err: Error) => err);
                health[i] = res instanceof Error ? res.message : `${res.status} ${await res.text()}`;
                return !(res instanceof Error) && res.ok;
              }),
            )
          ).every(Boolean),
        timeoutMs,
        undefined,
        () => nodes.map((n, i) => `${n.name} /healthz: ${health[i] ?? 'not asked'}`).join('; '),
        // A node that died (its cluster port taken after /varz answered) never becomes healthy:
        // failing at once with its output lets startNatsCluster retry on new ports.
        () => procs.map((p) => p.died()).find(Boolean),
      ),
    stop: async () => void (await stopAll()),
    destroy: async () => {
      await stopAll();
      rmSync(base, { recursive: true, force: true });
    },
  };
  try {
    await cluster.waitHealthy(opts.timeoutMs ?? 30_000);
  } catch (err) {
    await stopAll();
    throw err;
  }
  return cluster;
}

export interface MongoTestServer {
  /** Server URL without a database name. */
  url: string;
  kind: 'external' | 'mongodb-memory-server' | 'ferretdb';
  /** Where its databases are, when startMongo was given a dataDir. */
  dataDir?: string;
  /** The server process's pid when it is a child of this process (FerretDB); mongodb-memory-server watches its own mongod. */
  pid?: number;
  /** FerretDB's storage (JETMART_FERRETDB_BACKEND). */
  backend?: FerretDbBackend;
  /** With the postgresql backend: the PostgreSQL database this server alone uses (its backends' `datname`). */
  postgresDatabase?: string;
  stop(): Promise<void>;
}

/** Strips the database name (and keeps query options) from a MongoDB URL. */
export function mongoServerUrl(url: string): string {
  const m = /^(mongodb(?:\+srv)?:\/\/[^/?]+)(?:\/[^?]*)?(\?.*)?$/.exec(url);
  return m ? `${m[1]}/${m[2] ?? ''}` : url;
}

/** Adds a database name to a server URL. */
export function mongoDatabaseUrl(serverUrl: string, db: string): string {
  const m = /^(mongodb(?:\+srv)?:\/\/[^/?]+)\/?(\?.*)?$/.exec(mongoServerUrl(serverUrl));
  if (!m) throw new Error(`not a MongoDB URL: ${serverUrl}`);
  return `${m[1]}/${db}${m[2] ?? ''}`;
}

/**
 * `dataDir`: keep the databases under it and leave them on stop, instead of in a temp dir that stop
 * deletes; each kind of server has its own subdirectory (`ferretdb/`, `mongodb/`), as their files
 * differ. `detached`: the server in its own process group (see startNats).
 */
export interface StartMongoOptions {
  dataDir?: string;
  detached?: boolean;
  /** FerretDB's port, else a free one: a restart on the same port (bench/faults.js) keeps the services' URLs. */
  port?: number;
}

export type FerretDbBackend = 'sqlite' | 'postgresql';

/**
 * FerretDB's storage: `JETMART_FERRETDB_BACKEND` = `postgresql`, `sqlite`, or `auto` (the default):
 * PostgreSQL when the role scripts/ensure-bins.sh sets up answers, else SQLite. PostgreSQL is the
 * preferred one: FerretDB pushes equality filters on any field down to it (served by the GIN
 * indexes of PG_TEMPLATE), where on SQLite only `_id` equality is pushed down and every other
 * filter decodes the whole collection, so the cost of a checkout grew with the database
 * (docs/BENCHMARKS.md, "Issue 21: FerretDB on PostgreSQL by default").
 */
export async function ferretDbBackend(): Promise<FerretDbBackend> {
  const v = process.env.JETMART_FERRETDB_BACKEND || 'auto';
  if (v === 'sqlite' || v === 'postgresql') return v;
  if (v !== 'auto') throw new Error(`JETMART_FERRETDB_BACKEND must be auto, sqlite or postgresql, not ${v}`);
  postgresAnswers ??= psql('SELECT 1').then(
    () => true,
    (err: Error) => {
      // A developer without a local PostgreSQL still gets a working FerretDB; say once why it is the slower one.
      if (process.env.NODE_ENV !== 'test') process.stderr.write(`jetmart: FerretDB on SQLite (${err.message.split('\n')[0]})\n`);
      return false;
    },
  );
  return (await postgresAnswers) ? 'postgresql' : 'sqlite';
}

/** Whether the local PostgreSQL answered, asked once per process. */
let postgresAnswers: Promise<boolean> | undefined;

/**
 * The PostgreSQL server and role FerretDB's postgresql backend uses, without a database:
 * JETMART_POSTGRES_URL, else the dev-only role scripts/lib/postgres.sh creates on the local server.
 */
export function postgresServerUrl(): string {
  return process.env.JETMART_POSTGRES_URL || 'postgresql://jetmart:jetmart-dev@127.0.0.1:5432/';
}

function postgresUrl(database: string): string {
  const url = new URL(postgresServerUrl());
  url.pathname = `/${database}`;
  return url.toString();
}

/** Runs one SQL statement with psql on the server's `postgres` database; rows as `|`-separated lines. */
async function psql(sql: string): Promise<string[]> {
  const { execFile } = await import('node:child_process');
  return new Promise((done, fail) => {
    execFile(
      'psql',
      ['-X', '-q', '-w', '-At', '-v', 'ON_ERROR_STOP=1', '-d', postgresUrl('postgres'), '-c', sql],
      (err, stdout, stderr) => {
        if (!err) return done(stdout.split('\n').filter(Boolean));
        const why = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'psql is not installed' : stderr.trim() || err.message;
        fail(
          new Error(
            `PostgreSQL for FerretDB (${postgresServerUrl().replace(/:[^:@/]*@/, ':***@')}): ${why}; run \`bash scripts/ensure-bins.sh\``,
          ),
        );
      },
    );
  });
}

const PG_PREFIX = 'jetmart_ferretdb_';

/**
 * The template scripts/lib/postgres.sh creates: it adds a GIN index beside every btree index
 * FerretDB creates, so that FerretDB's pushed-down `@>` filters are index look-ups instead of
 * sequential scans (the script says why). Without it (another server, an older set-up) databases
 * come from PostgreSQL's default template and every query scans.
 */
const PG_TEMPLATE = 'jetmart_ferretdb_template_v1';
let templateExists: Promise<boolean> | undefined;
async function createDatabaseSql(name: string): Promise<string> {
  templateExists ??= psql(`SELECT 1 FROM pg_database WHERE datname = ${quoteLiteral(PG_TEMPLATE)}`).then((rows) => {
    if (!rows.length && process.env.NODE_ENV !== 'test')
      process.stderr.write(
        `jetmart: no PostgreSQL template ${PG_TEMPLATE} (run \`bash scripts/ensure-bins.sh\`): FerretDB's queries will scan\n`,
      );
    return rows.length > 0;
  });
  return `CREATE DATABASE ${quoteIdent(name)}${(await templateExists) ? ` TEMPLATE ${quoteIdent(PG_TEMPLATE)}` : ''}`;
}
const quoteIdent = (name: string) => `"${name.replace(/"/g, '""')}"`;
const quoteLiteral = (text: string) => `'${text.replace(/'/g, "''")}'`;

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Drops the databases of FerretDB servers that can no longer stop themselves: a throw-away one
 * whose creating process is gone (a killed test run), a kept one whose data dir was deleted
 * (`npm start -- --fresh`, a throw-away platform dir). Each database's comment says which.
 */
async function sweepPostgresDatabases(): Promise<void> {
  const rows = await psql(
    `SELECT datname, coalesce(shobj_description(oid, 'pg_database'), '') FROM pg_database WHERE datname LIKE '${PG_PREFIX}%'`,
  );
  for (const row of rows) {
    const [name, comment = ''] = row.split('|');
    const pid = /^pid (\d+)$/.exec(comment);
    const dir = /^dir (.+)$/.exec(comment);
    const orphan = (pid && !processAlive(Number(pid[1]))) || (dir && !existsSync(join(dir[1]!, 'DATABASE')));
    if (orphan) await psql(`DROP DATABASE IF EXISTS ${quoteIdent(name!)} WITH (FORCE)`).catch(() => undefined);
  }
}

/**
 * The PostgreSQL database one FerretDB server keeps its data in: each server its own, so parallel
 * test runs and the platform never share data. Throw-away: created here, dropped by `drop`. Kept
 * (`keepDir`): named by the dir's path, recorded in `<keepDir>/DATABASE`, reused while that file
 * exists and created empty when it does not.
 */
async function postgresDatabase(keepDir: string | undefined): Promise<{ url: string; name: string; drop(): Promise<void> }> {
  await sweepPostgresDatabases().catch(() => undefined);
  if (keepDir) {
    const { createHash } = await import('node:crypto');
    const { writeFileSync } = await import('node:fs');
    const name = `${PG_PREFIX}k${createHash('sha256').update(keepDir).digest('hex').slice(0, 16)}`;
    const marker = join(keepDir, 'DATABASE');
    const emptyDir = !existsSync(marker);
    // The marker before the database's comment: another process's sweep that saw the comment
    // without the marker would take the new database for one whose dir is gone and drop it.
    writeFileSync(marker, `${name}\n`);
    const exists = (await psql(`SELECT 1 FROM pg_database WHERE datname = ${quoteLiteral(name)}`)).length > 0;
    if (exists && emptyDir) await psql(`DROP DATABASE ${quoteIdent(name)} WITH (FORCE)`);
    if (!exists || emptyDir) {
      await psql(await createDatabaseSql(name));
      await psql(`COMMENT ON DATABASE ${quoteIdent(name)} IS ${quoteLiteral(`dir ${keepDir}`)}`);
    }
    return { url: postgresUrl(name), name, drop: async () => undefined };
  }
  const name = `${PG_PREFIX}t${process.pid}_${Math.random().toString(36).slice(2, 10)}`;
  await psql(await createDatabaseSql(name));
  await psql(`COMMENT ON DATABASE ${quoteIdent(name)} IS ${quoteLiteral(`pid ${process.pid}`)}`);
  return { url: postgresUrl(name), name, drop: async () => void (await psql(`DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`)) };
}

async function startFerretDb(opts: StartMongoOptions = {}): Promise<MongoTestServer> {
  const bin = ferretdbBinary();
  if (!bin) {
    throw new Error(
      'No MongoDB-wire server available: set MONGO_URL, or let mongodb-memory-server download mongod, ' +
        'or run `bash scripts/ensure-bins.sh` (needs Go) to build FerretDB.',
    );
  }
  const keep = opts.dataDir !== undefined;
  let backend = await ferretDbBackend();
  // Chosen by `auto`, not asked for: a kept data dir that already holds a shop in SQLite files and
  // none in PostgreSQL (made before PostgreSQL became the default) stays on SQLite, rather than
  // opening an empty database beside the user's data.
  if (keep && backend === 'postgresql' && (process.env.JETMART_FERRETDB_BACKEND || 'auto') === 'auto') {
    const root = resolve(opts.dataDir!);
    const sqliteFiles = existsSync(join(root, 'ferretdb')) && readdirSync(join(root, 'ferretdb')).some((f) => f.endsWith('.sqlite'));
    if (sqliteFiles && !existsSync(join(root, 'ferretdb-postgresql', 'DATABASE'))) {
      if (process.env.NODE_ENV !== 'test')
        process.stderr.write(
          `jetmart: FerretDB on SQLite: ${root} already holds SQLite data (JETMART_FERRETDB_BACKEND=postgresql starts empty on PostgreSQL)\n`,
        );
      backend = 'sqlite';
    }
  }
  // Each backend its own subdirectory: a kept SQLite directory is no PostgreSQL database and vice versa.
  const sub = backend === 'sqlite' ? 'ferretdb' : 'ferretdb-postgresql';
  const dataDir = keep ? join(resolve(opts.dataDir!), sub) : mkdtempSync(join(tmpdir(), 'jetmart-ferretdb-'));
  if (keep) mkdirSync(dataDir, { recursive: true });
  const pg = backend === 'postgresql' ? await postgresDatabase(keep ? dataDir : undefined) : undefined;
  const storage = pg ? ['-handler', 'postgresql', '-postgresql-url', pg.url] : ['-handler', 'sqlite', '-sqlite-url', `file:${dataDir}/`];
  const cleanUp = async () => {
    if (!keep) rmSync(dataDir, { recursive: true, force: true });
    await pg?.drop();
  };
  const { MongoClient } = await import('mongodb');
  // The port is chosen after the PostgreSQL database exists (that takes a while), and chosen again
  // when another process took it before FerretDB bound it (unless the caller chose it). Ready means
  // the server answering on it is this process: serverStatus's pid, not merely a ping, which
  // another process holding the port could answer.
  const launch = async (port: number) => {
    const proc = spawn(bin, ['-listen', `127.0.0.1:${port}`, ...storage], {
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: opts.detached ?? false,
    });
    const output = capture(proc);
    const url = `mongodb://127.0.0.1:${port}/`;
    try {
      await waitFor(
        'FerretDB',
        async () => {
          const c = await MongoClient.connect(url, { serverSelectionTimeoutMS: 500 });
          try {
            const status = await c.db('admin').command({ serverStatus: 1 });
            return Number(status.pid) === proc.pid;
          } finally {
            await c.close();
          }
        },
        20_000,
        proc,
        output,
      );
    } catch (err) {
      await stopProcess(proc, 'SIGKILL');
      throw err;
    }
    return { proc, url };
  };
  let started: { proc: ChildProcess; url: string };
  try {
    started = opts.port !== undefined ? await launch(opts.port) : await retryWhilePortTaken(async () => launch(await freePort()));
  } catch (err) {
    await cleanUp().catch(() => undefined);
    throw err;
  }
  const { proc, url } = started;
  return {
    url,
    kind: 'ferretdb',
    backend,
    pid: proc.pid,
    ...(pg ? { postgresDatabase: pg.name } : {}),
    ...(keep ? { dataDir } : {}),
    stop: async () => {
      await stopProcess(proc);
      await cleanUp();
    },
  };
}

/** Runs `fn` with console.warn/error muted: mongodb-memory-server prints a stack trace when it cannot download mongod, and the caller says why in one line instead. */
async function quietly<T>(fn: () => Promise<T>): Promise<T> {
  const { warn, error } = console;
  console.warn = () => undefined;
  console.error = () => undefined;
  try {
    return await fn();
  } finally {
    console.warn = warn;
    console.error = error;
  }
}

/**
 * A MongoDB-wire server: MONGO_URL when set; else mongodb-memory-server (downloads mongod once on
 * a normal laptop); else FerretDB built by scripts/ensure-bins.sh. JETMART_MONGO=ferretdb or
 * JETMART_MONGO=memory-server forces one. FerretDB stores in SQLite files, or with
 * JETMART_FERRETDB_BACKEND=postgresql in a PostgreSQL database of its own (JETMART_POSTGRES_URL).
 */
export async function startMongo(opts: StartMongoOptions = {}): Promise<MongoTestServer> {
  if (process.env.MONGO_URL) return { url: mongoServerUrl(process.env.MONGO_URL), kind: 'external', stop: async () => undefined };
  const choice = process.env.JETMART_MONGO;
  if (choice !== 'ferretdb') {
    try {
      const { MongoMemoryServer } = await import('mongodb-memory-server');
      // A given dbPath is the caller's: mongodb-memory-server's cleanup deletes only its own temp dir.
      const dbPath = opts.dataDir ? join(resolve(opts.dataDir), 'mongodb') : undefined;
      if (dbPath) mkdirSync(dbPath, { recursive: true });
      const mms = await quietly(() =>
        MongoMemoryServer.create({
          ...(dbPath ? { instance: { dbPath, storageEngine: 'wiredTiger' as const } } : {}),
          ...(opts.detached ? { spawn: { detached: true } } : {}),
        }),
      );
      return {
        url: mongoServerUrl(mms.getUri()),
        kind: 'mongodb-memory-server',
        ...(dbPath ? { dataDir: dbPath } : {}),
        stop: async () => void (await mms.stop()),
      };
    } catch (err) {
      if (choice === 'memory-server') throw err;
      process.stderr.write(`jetmart: mongodb-memory-server unavailable (${(err as Error).message.split('\n')[0]}); using FerretDB\n`);
    }
  }
  return startFerretDb(opts);
}

export const repoRoot = (): string => {
  let dir = process.cwd();
  for (;;) {
    if (existsSync(join(dir, 'scripts', 'versions.env'))) return dir;
    const up = dirname(dir);
    if (up === dir) return resolve(process.cwd());
    dir = up;
  }
};
