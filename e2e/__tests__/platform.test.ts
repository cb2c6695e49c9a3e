/**
 * The whole platform as a user runs it: `npm start` in a child process, then only HTTP through
 * the one gateway port. Needs every service built (bash scripts/setup.sh / npm run build).
 *
 * Three starts on one data directory: the first runs a shop (seeded, an order paid, one expired)
 * and is stopped with Ctrl-C; the second finds all of it again and is stopped by SIGTERM to npm;
 * the third, with --fresh, starts empty.
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { eventually, freePort } from '@jetmart/common/testing';

const root = resolve(__dirname, '..', '..');
const EXPIRATION_SECONDS = 5;
const SERVICES = ['auth', 'products', 'search', 'orders', 'payments', 'expiration', 'shipping'];

let port = 0;
let baseUrl = '';
let workDir = '';
const dataDir = () => join(workDir, 'data');
const stateDir = () => join(workDir, 'state');
const pidFile = () => join(workDir, 'pids.json');
/** Every process seen in a platform's tree while it ran: pid → command line. */
const started = new Map<number, string>();

interface Run {
  proc: ChildProcess;
  /** stdout and stderr interleaved as they arrived. */
  output: () => string;
  stderr: () => string;
  exited: Promise<void>;
}
const runs: Run[] = [];

function processTable(): Array<{ pid: number; ppid: number; args: string }> {
  return execFileSync('ps', ['-eo', 'pid=,ppid=,args='], { encoding: 'utf8' })
    .split('\n')
    .map((l) => /^\s*(\d+)\s+(\d+)\s+(.*)$/.exec(l))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ pid: Number(m[1]), ppid: Number(m[2]), args: m[3] }));
}

/** Records the descendants of `npm start` (services run in their own process groups, still its descendants). */
function recordProcessTree(run: Run) {
  const table = processTable();
  const tree = new Set([run.proc.pid!]);
  for (let grew = true; grew;) {
    grew = false;
    for (const p of table) {
      if (tree.has(p.ppid) && !tree.has(p.pid)) {
        tree.add(p.pid);
        grew = true;
      }
    }
  }
  for (const p of table) if (tree.has(p.pid)) started.set(p.pid, p.args);
}

/** Still running as the same program (not a zombie, not a reused pid). */
function stillRunning(pid: number, args: string): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    if (/^\d+ \(.*\) Z /.test(stat)) return false;
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ');
    return cmdline === args;
  } catch {
    return false;
  }
}

/** The environment as the user's shell has it: none of the test harness's servers or settings. */
function userEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ORDER_EXPIRATION_SECONDS: String(EXPIRATION_SECONDS),
    JETMART_DATA_DIR: dataDir(),
    JETMART_STATE_DIR: stateDir(),
  };
  for (const name of ['MONGO_URL', 'NATS_URL', 'JWT_KEY', 'NODE_ENV', 'ADMIN_EMAILS', 'PORT', 'SEED_URL']) delete env[name];
  return env;
}

/** `npm start [-- args]` in its own process group (as a terminal runs it), resolved once the ready block is out. */
async function startPlatform(args: string[] = []): Promise<Run> {
  const env = { ...userEnv(), PORT: String(port), JETMART_PID_FILE: pidFile() };
  const proc = spawn('npm', ['start', ...(args.length ? ['--', ...args] : [])], {
    cwd: root,
    env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  proc.stdout!.on('data', (b) => (out += b));
  proc.stderr!.on('data', (b) => {
    out += b;
    err += b;
  });
  const exited = new Promise<void>((r) => proc.once('exit', () => r()));
  const run: Run = { proc, output: () => out, stderr: () => err, exited };
  runs.push(run);
  await new Promise<void>((ready, fail) => {
    const timer = setTimeout(() => fail(new Error(`platform not ready in 150 s:\n${out.slice(-4000)}`)), 150_000);
    // The ready block is written at once; its last line is the demo accounts.
    const check = () => {
      if (/jetmart is ready on[^]*demo accounts/.test(out)) {
        clearTimeout(timer);
        ready();
      }
    };
    proc.stdout!.on('data', check);
    proc.once('exit', (code) => {
      clearTimeout(timer);
      fail(new Error(`npm start exited with ${code} before it was ready:\n${out.slice(-4000)}`));
    });
  });
  recordProcessTree(run);
  return run;
}

/** What stopping printed: the output from the moment `stop` is called until npm has exited. */
async function stopAndCapture(run: Run, stop: () => void): Promise<{ output: string; stderr: string }> {
  const from = run.output().length;
  const fromErr = run.stderr().length;
  recordProcessTree(run);
  stop();
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    run.exited,
    new Promise((_, fail) => (timer = setTimeout(() => fail(new Error(`not stopped in 45 s:\n${run.output().slice(from)}`)), 45_000))),
  ]).finally(() => clearTimeout(timer));
  await eventually(() => [...started].every(([pid, args]) => !stillRunning(pid, args)), 15_000, 200);
  return { output: run.output().slice(from), stderr: run.stderr().slice(fromErr) };
}

/** Lines that are warnings or errors: pino's pretty `WARN:`/`ERROR:`, JSON levels, anything saying WARN. */
const warningLines = (text: string) =>
  text.split('\n').filter((l) => /\b(WARN|ERROR|FATAL)\b|"level":\s*"?(40|50|60|warn|error|fatal)\b|npm (error|warn)/i.test(l));

/** The fields of API bodies these tests read; the rest is asserted with toEqual/toMatchObject. */
interface Body {
  id: string;
  status: string;
  items: Array<{ id: string; userId: string; title: string }>;
  errors: Array<{ message: string; field?: string }>;
  currentUser: { id: string; email: string } | null;
  available: number;
  quantity: number;
  [field: string]: unknown;
}

/** Every order is placed with a shipping address (issue 14). */
const shippingAddress = { name: 'E2E Buyer', line1: '1 Platform Road', city: 'Hamburg', postalCode: '20095', country: 'DE' };

/** A browser-like client: keeps its session cookie. */
function client() {
  let cookie = '';
  return async (method: string, path: string, body?: unknown) => {
    const res = await fetch(baseUrl + path, {
      method,
      headers: { 'Content-Type': 'application/json', ...(cookie ? { Cookie: cookie } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
      redirect: 'manual',
    });
    const session = res.headers.getSetCookie().find((c) => c.startsWith('session='));
    if (session) cookie = session.split(';')[0];
    const text = await res.text();
    let json: Body;
    try {
      json = JSON.parse(text) as Body;
    } catch {
      throw new Error(`${method} ${path}: HTTP ${res.status} answered with no JSON: ${text.slice(0, 300)}`);
    }
    return { status: res.status, body: json };
  };
}

const signIn = async (email: string, password: string) => {
  const c = client();
  const res = await c('POST', '/api/users/signin', { email, password });
  return { c, status: res.status };
};

/** The NATS monitoring URL the ready block printed. */
const natsMonitorUrl = (run: Run) => /NATS monitoring\s+(http:\/\/\S+)/.exec(run.output())![1];

beforeAll(async () => {
  workDir = mkdtempSync(join(tmpdir(), 'jetmart-e2e-'));
  port = await freePort();
  baseUrl = `http://127.0.0.1:${port}`;
  await startPlatform();
}, 170_000);

afterAll(async () => {
  // Only if a test failed before its stop: never leave a platform running.
  for (const run of runs) {
    if (run.proc.exitCode === null && run.proc.signalCode === null) {
      try {
        process.kill(-run.proc.pid!, 'SIGKILL');
      } catch {
        /* gone */
      }
    }
  }
  for (const [pid, args] of started) if (stillRunning(pid, args)) process.kill(pid, 'SIGKILL');
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

describe('jetmart through one port', () => {
  const seller = client();
  const buyer = client();
  let productId = '';
  let paidOrderId = '';

  const product = async () => {
    const res = await buyer('GET', `/api/products/${productId}`);
    expect(res.status).toBe(200);
    return res.body;
  };

  it('prints a ready block: URL, storefront, each API docs page, NATS monitoring, mail, data directory, admin account', async () => {
    const out = runs[0].output();
    expect(out).toMatch(new RegExp(`jetmart is ready on http://localhost:${port}\\n`));
    expect(out).toMatch(/storefront\s+(http:\/\/localhost:\d+\/|not running \(.+\))\n/);
    for (const api of ['users', 'products', 'orders', 'payments', 'shipments']) {
      const docs = new RegExp(`http://localhost:${port}(/api/${api}/docs)\\n`).exec(out);
      expect(docs).not.toBeNull();
      const res = await fetch(baseUrl + docs![1]);
      expect({ api, status: res.status, type: res.headers.get('content-type') }).toEqual({
        api,
        status: 200,
        type: expect.stringContaining('text/html'),
      });
    }
    const jsz = await fetch(`${natsMonitorUrl(runs[0])}/jsz`);
    expect(jsz.status).toBe(200);
    // Mailpit's web UI (and API) at the address printed, its SMTP beside it.
    const mail = /mail\s+Mailpit web UI (http:\/\/127\.0\.0\.1:\d+) \(SMTP smtp:\/\/127\.0\.0\.1:\d+\)\n/.exec(out);
    expect(mail).not.toBeNull();
    const info = await fetch(`${mail![1]}/api/v1/info`);
    expect(info.status).toBe(200);
    expect(await info.json()).toMatchObject({ Database: join(dataDir(), 'mailpit', 'mailpit.db') });
    expect(out).toContain(`data            ${dataDir()} (databases + JetStream + mail; kept between runs`);
    expect(out).toMatch(/admin\s+admin@jetmart\.dev \/ jetmart-demo/);
    expect(out).toContain(`data: ${dataDir()} (new)`);

    expect(await buyer('GET', '/api/users/currentuser')).toEqual({ status: 200, body: { currentUser: null } });
    const unknown = await buyer('GET', '/api/users/no-such-route');
    expect(unknown).toEqual({ status: 404, body: { errors: [{ message: 'Route not found' }] } });
  });

  it('keeps the JetStream store and the databases in the data directory', () => {
    const entries = readdirSync(dataDir());
    expect(entries).toEqual(expect.arrayContaining(['nats', 'mailpit', '.jetmart-data']));
    // FerretDB's SQLite files, the name of its PostgreSQL database, or mongod's files.
    expect(entries.some((e) => e === 'ferretdb' || e === 'ferretdb-postgresql' || e === 'mongodb')).toBe(true);
    expect(readdirSync(join(dataDir(), 'nats'))).toContain('jetstream');
  });

  it('`npm run seed` finds the running platform without PORT and creates the demo shop and the dev admin', async () => {
    const seeded = execFileSync('npm', ['run', 'seed', '--silent'], { cwd: root, env: userEnv(), encoding: 'utf8', timeout: 60_000 });
    expect(seeded).toContain(`seeding http://127.0.0.1:${port} (the running npm start`);
    expect(seeded).toContain('demo products: 5 added');
    for (const email of ['seller@jetmart.dev', 'buyer@jetmart.dev', 'admin@jetmart.dev']) {
      expect({ email, status: (await signIn(email, 'jetmart-demo')).status }).toEqual({ email, status: 200 });
    }
  });

  it('passes the dev-only ADMIN_EMAILS=admin@jetmart.dev to every child when it is not set', () => {
    const info = JSON.parse(readFileSync(pidFile(), 'utf8')) as { children: Array<{ name: string; pid: number }> };
    expect(info.children.map((c) => c.name)).toEqual(expect.arrayContaining(SERVICES));
    for (const c of info.children) {
      const env = readFileSync(`/proc/${c.pid}/environ`, 'utf8').split('\0');
      expect({ child: c.name, admin: env.filter((e) => e.startsWith('ADMIN_EMAILS=')) }).toEqual({
        child: c.name,
        admin: ['ADMIN_EMAILS=admin@jetmart.dev'],
      });
    }
  });

  it('gives products its image store in the data directory (IMAGE_STORE=fs, IMAGE_DIR=<data>/images)', () => {
    const info = JSON.parse(readFileSync(pidFile(), 'utf8')) as { children: Array<{ name: string; pid: number }> };
    const products = info.children.find((c) => c.name === 'products')!;
    const env = readFileSync(`/proc/${products.pid}/environ`, 'utf8').split('\0');
    expect(env.filter((e) => /^IMAGE_(STORE|DIR)=/.test(e)).sort()).toEqual([`IMAGE_DIR=${join(dataDir(), 'images')}`, 'IMAGE_STORE=fs']);
  });

  it("passes SMTP_URL (the platform's Mailpit) and PUBLIC_URL (the gateway) to every service", () => {
    const info = JSON.parse(readFileSync(pidFile(), 'utf8')) as {
      children: Array<{ name: string; pid: number }>;
      mail: { smtpUrl: string; httpUrl: string };
    };
    expect(info.mail.smtpUrl).toMatch(/^smtp:\/\/127\.0\.0\.1:\d+$/);
    for (const c of info.children.filter((c) => SERVICES.includes(c.name))) {
      const env = readFileSync(`/proc/${c.pid}/environ`, 'utf8').split('\0');
      expect({ child: c.name, env: env.filter((e) => /^(SMTP_URL|PUBLIC_URL)=/.test(e)).sort() }).toEqual({
        child: c.name,
        env: [`PUBLIC_URL=http://localhost:${port}`, `SMTP_URL=${info.mail.smtpUrl}`],
      });
    }
  });

  it('signs up a seller and a buyer', async () => {
    const s = await seller('POST', '/api/users/signup', { email: 'e2e-seller@jetmart.dev', password: 'seller-password' });
    expect(s).toEqual({ status: 201, body: { id: expect.any(String), email: 'e2e-seller@jetmart.dev', emailVerified: false } });
    const b = await buyer('POST', '/api/users/signup', { email: 'E2E-Buyer@jetmart.dev', password: 'buyer-password' });
    expect(b).toEqual({ status: 201, body: { id: expect.any(String), email: 'e2e-buyer@jetmart.dev', emailVerified: false } });
    expect((await buyer('GET', '/api/users/currentuser')).body.currentUser).toEqual(b.body);
  });

  it('lists a product, sells it for tok_visa, completes the order and lowers availability', async () => {
    const created = await seller('POST', '/api/products', { title: 'E2E desk lamp', price: 12.5, quantity: 3, description: 'Bright.' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ title: 'E2E desk lamp', price: 12.5, quantity: 3, available: 3 });
    productId = created.body.id;

    // orders learns about the product through events: the first attempts may not find it yet.
    const order = await eventually(
      async () => {
        const res = await buyer('POST', '/api/orders', { items: [{ productId, quantity: 1 }], shippingAddress });
        return res.status === 201 ? res.body : undefined;
      },
      30_000,
      250,
    );
    expect(order).toMatchObject({ status: 'created', total: 12.5, items: [expect.objectContaining({ productId, quantity: 1 })] });
    paidOrderId = order.id;

    // payments learns about the order through events too.
    const payment = await eventually(
      async () => {
        const res = await buyer('POST', '/api/payments', { orderId: order.id, token: 'tok_visa' });
        if (res.status === 404) return undefined;
        expect(res.status).toBe(201);
        return res.body;
      },
      30_000,
      250,
    );
    expect(payment).toMatchObject({ id: expect.any(String), orderId: order.id, amount: 12.5 });

    await eventually(async () => (await buyer('GET', `/api/orders/${order.id}`)).body.status === 'complete', 30_000, 250);
    await eventually(async () => (await product()).available === 2, 30_000, 250);
    expect((await product()).quantity).toBe(3);
  });

  it('lets an unpaid order expire: cancelled, its units released, and it can no longer be paid', async () => {
    const order = await buyer('POST', '/api/orders', { items: [{ productId, quantity: 2 }], shippingAddress });
    expect(order.status).toBe(201);
    await eventually(async () => (await product()).available === 0, 30_000, 250);
    // Every unit is sold or held: another buyer's order is refused and holds nothing.
    const other = client();
    expect((await other('POST', '/api/users/signup', { email: 'e2e-other@jetmart.dev', password: 'other-password' })).status).toBe(201);
    expect((await other('POST', '/api/orders', { items: [{ productId, quantity: 1 }], shippingAddress })).status).toBe(409);

    const cancelled = await eventually(
      async () => {
        const res = await buyer('GET', `/api/orders/${order.body.id}`);
        return res.body.status === 'cancelled' ? res.body : undefined;
      },
      (EXPIRATION_SECONDS + 30) * 1000,
      250,
    );
    expect(cancelled.status).toBe('cancelled');
    await eventually(async () => (await product()).available === 2, 30_000, 250);

    const late = await eventually(
      async () => {
        const res = await buyer('POST', '/api/payments', { orderId: order.body.id, token: 'tok_visa' });
        return res.status === 409 ? res : undefined;
      },
      30_000,
      250,
    );
    expect(late.body.errors[0].message).toEqual(expect.any(String));
  });

  it('stops on Ctrl-C in order (services, then Mailpit, nats-server, the database) with no warning, keeping the data', async () => {
    // A terminal's Ctrl-C: SIGINT to the whole foreground process group (npm, sh, the platform).
    const run = runs[0];
    const { output, stderr } = await stopAndCapture(run, () => process.kill(-run.proc.pid!, 'SIGINT'));
    expect(warningLines(output)).toEqual([]);
    expect(stderr).toBe('');
    const at = (text: string) => {
      const i = output.indexOf(text);
      expect({ text, found: i >= 0 }).toEqual({ text, found: true });
      return i;
    };
    const natsStopped = at('stopped nats-server');
    const mailStopped = at('stopped mailpit');
    for (const svc of SERVICES) expect({ svc, before: at(`${svc} stopped`) < mailStopped }).toEqual({ svc, before: true });
    expect(mailStopped).toBeLessThan(natsStopped);
    const database = /MongoDB-wire server: (\S+) at/.exec(run.output())![1];
    expect(natsStopped).toBeLessThan(at(`stopped ${database}`));
    expect(output).toContain(`stopped; the data stays in ${dataDir()}`);
    expect(readdirSync(dataDir())).not.toContain('running.json');
    expect(readdirSync(join(dataDir(), 'nats'))).toContain('jetstream');
  }, 60_000);

  it('starts again with everything there: accounts, products, orders and the JetStream store', async () => {
    const run = await startPlatform();
    expect(run.output()).toContain(`data: ${dataDir()} (reused from the last run)`);
    // The streams hold the first run's events before anything happens in this one.
    const jsz = (await (await fetch(`${natsMonitorUrl(run)}/jsz`)).json()) as { streams: number; messages: number };
    expect(jsz.streams).toBeGreaterThanOrEqual(4);
    expect(jsz.messages).toBeGreaterThan(0);

    const again = await signIn('e2e-buyer@jetmart.dev', 'buyer-password');
    expect(again.status).toBe(200);
    const paid = await again.c('GET', `/api/orders/${paidOrderId}`);
    expect(paid).toMatchObject({ status: 200, body: { id: paidOrderId, status: 'complete' } });
    expect((await again.c('GET', `/api/products/${productId}`)).body).toMatchObject({ quantity: 3, available: 2 });

    const demoSeller = await signIn('seller@jetmart.dev', 'jetmart-demo');
    expect(demoSeller.status).toBe(200);
    const me = (await demoSeller.c('GET', '/api/users/currentuser')).body.currentUser!;
    const listed = await demoSeller.c('GET', '/api/products?limit=100');
    expect(listed.body.items.filter((p) => p.userId === me.id)).toHaveLength(5);
    expect((await signIn('admin@jetmart.dev', 'jetmart-demo')).status).toBe(200);
    // The services work on the reused stores: a new order is placed and held.
    const order = await again.c('POST', '/api/orders', { items: [{ productId, quantity: 1 }], shippingAddress });
    expect(order).toMatchObject({ status: 201, body: { status: 'created' } });
  }, 170_000);

  it('stops on SIGTERM to npm and leaves no process behind', async () => {
    const run = runs[1];
    const info = JSON.parse(readFileSync(pidFile(), 'utf8')) as {
      platform: number;
      children: Array<{ name: string; pid: number }>;
      natsStoreDir?: string;
    };
    expect(info.children.map((c) => c.name)).toEqual(expect.arrayContaining(SERVICES));
    recordProcessTree(run);
    for (const c of info.children) expect(started.has(c.pid)).toBe(true);

    // What `kill <pid>` of `npm start` does; the platform must not outlive it.
    const { output } = await stopAndCapture(run, () => process.kill(run.proc.pid!, 'SIGTERM'));
    expect([...started].filter(([pid, args]) => stillRunning(pid, args))).toEqual([]);
    expect(warningLines(output)).toEqual([]);
    expect(output).toContain('stopped');
    expect(info.natsStoreDir).toBe(join(dataDir(), 'nats'));
    expect(existsSync(join(dataDir(), 'nats', 'jetstream'))).toBe(true);
  }, 60_000);

  it('`npm start -- --fresh` empties the data directory first: no accounts, products or orders', async () => {
    const run = await startPlatform(['--fresh']);
    expect(run.output()).toContain(`data: ${dataDir()} (emptied (--fresh))`);
    expect(await client()('GET', '/api/products?limit=10')).toEqual({ status: 200, body: { items: [], nextCursor: null } });
    for (const [email, password] of [
      ['e2e-buyer@jetmart.dev', 'buyer-password'],
      ['seller@jetmart.dev', 'jetmart-demo'],
    ]) {
      expect({ email, status: (await signIn(email, password)).status }).toEqual({ email, status: 401 });
    }
    const { output } = await stopAndCapture(run, () => process.kill(-run.proc.pid!, 'SIGINT'));
    expect(warningLines(output)).toEqual([]);
  }, 170_000);
});
