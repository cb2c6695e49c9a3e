/**
 * The whole platform as a user runs it: `npm start` in a child process, then only HTTP through
 * the one gateway port. Needs every service built (bash scripts/setup.sh / npm run build).
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { eventually, freePort } from '@jetmart/common/testing';

const root = resolve(__dirname, '..', '..');
const EXPIRATION_SECONDS = 5;

let platform: ChildProcess;
let output = '';
let baseUrl = '';
let workDir = '';
const pidFile = () => join(workDir, 'pids.json');
/** Every process seen in the platform's tree while it ran: pid → command line. */
const started = new Map<number, string>();

function processTable(): Array<{ pid: number; ppid: number; args: string }> {
  return execFileSync('ps', ['-eo', 'pid=,ppid=,args='], { encoding: 'utf8' })
    .split('\n')
    .map((l) => /^\s*(\d+)\s+(\d+)\s+(.*)$/.exec(l))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ pid: Number(m[1]), ppid: Number(m[2]), args: m[3] }));
}

/** Records the descendants of `npm start` (services run in their own process groups, still its descendants). */
function recordProcessTree() {
  const table = processTable();
  const tree = new Set([platform.pid!]);
  for (let grew = true; grew; ) {
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
    let json: any;
    try {
      json = JSON.parse(text);
    } catch {
      json = text;
    }
    return { status: res.status, body: json };
  };
}

beforeAll(async () => {
  workDir = mkdtempSync(join(tmpdir(), 'jetmart-e2e-'));
  const port = await freePort();
  baseUrl = `http://127.0.0.1:${port}`;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PORT: String(port),
    ORDER_EXPIRATION_SECONDS: String(EXPIRATION_SECONDS),
    JETMART_PID_FILE: pidFile(),
  };
  // As a user would: none of the test harness's own servers or settings leak into the platform.
  delete env.MONGO_URL;
  delete env.JWT_KEY;
  delete env.NODE_ENV;
  platform = spawn('npm', ['start'], { cwd: root, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  platform.stdout!.on('data', (b) => (output += b));
  platform.stderr!.on('data', (b) => (output += b));
  await new Promise<void>((ready, fail) => {
    const timer = setTimeout(() => fail(new Error(`platform not ready in 150 s:\n${output.slice(-4000)}`)), 150_000);
    const check = () => {
      if (output.includes('jetmart is ready on')) {
        clearTimeout(timer);
        ready();
      }
    };
    platform.stdout!.on('data', check);
    platform.once('exit', (code) => {
      clearTimeout(timer);
      fail(new Error(`npm start exited with ${code} before it was ready:\n${output.slice(-4000)}`));
    });
  });
  recordProcessTree();
}, 170_000);

afterAll(async () => {
  // Only if a test failed before the shutdown test: never leave the platform running.
  if (platform && platform.exitCode === null && platform.signalCode === null) {
    try {
      process.kill(-platform.pid!, 'SIGKILL');
    } catch {
      /* gone */
    }
  }
  for (const [pid, args] of started) if (stillRunning(pid, args)) process.kill(pid, 'SIGKILL');
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

describe('jetmart through one port', () => {
  const seller = client();
  const buyer = client();
  let productId = '';

  const product = async () => {
    const res = await buyer('GET', `/api/products/${productId}`);
    expect(res.status).toBe(200);
    return res.body as { available: number; quantity: number };
  };

  it('prints one ready line with the URL and routes like the ingress', async () => {
    expect(output).toMatch(/jetmart is ready on http:\/\/localhost:\d+/);
    expect(await buyer('GET', '/api/users/currentuser')).toEqual({ status: 200, body: { currentUser: null } });
    const unknown = await buyer('GET', '/api/users/no-such-route');
    expect(unknown).toEqual({ status: 404, body: { errors: [{ message: 'Route not found' }] } });
  });

  it('signs up a seller and a buyer', async () => {
    const s = await seller('POST', '/api/users/signup', { email: 'e2e-seller@jetmart.dev', password: 'seller-password' });
    expect(s).toEqual({ status: 201, body: { id: expect.any(String), email: 'e2e-seller@jetmart.dev' } });
    const b = await buyer('POST', '/api/users/signup', { email: 'E2E-Buyer@jetmart.dev', password: 'buyer-password' });
    expect(b).toEqual({ status: 201, body: { id: expect.any(String), email: 'e2e-buyer@jetmart.dev' } });
    expect((await buyer('GET', '/api/users/currentuser')).body.currentUser).toEqual(b.body);
  });

  it('lists a product, sells it for tok_visa, completes the order and lowers availability', async () => {
    const created = await seller('POST', '/api/products', { title: 'E2E desk lamp', price: 12.5, quantity: 3, description: 'Bright.' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ title: 'E2E desk lamp', price: 12.5, quantity: 3, available: 3 });
    productId = created.body.id;

    // orders learns about the product through events: the first attempts may not find it yet.
    const order = await eventually(async () => {
      const res = await buyer('POST', '/api/orders', { items: [{ productId, quantity: 1 }] });
      return res.status === 201 ? res.body : undefined;
    }, 30_000, 250);
    expect(order).toMatchObject({ status: 'created', total: 12.5, items: [expect.objectContaining({ productId, quantity: 1 })] });

    // payments learns about the order through events too.
    const payment = await eventually(async () => {
      const res = await buyer('POST', '/api/payments', { orderId: order.id, token: 'tok_visa' });
      if (res.status === 404) return undefined;
      expect(res.status).toBe(201);
      return res.body;
    }, 30_000, 250);
    expect(payment).toMatchObject({ id: expect.any(String), orderId: order.id, amount: 12.5 });

    await eventually(async () => (await buyer('GET', `/api/orders/${order.id}`)).body.status === 'complete', 30_000, 250);
    await eventually(async () => (await product()).available === 2, 30_000, 250);
    expect((await product()).quantity).toBe(3);
  });

  it('lets an unpaid order expire: cancelled, its units released, and it can no longer be paid', async () => {
    const order = await buyer('POST', '/api/orders', { items: [{ productId, quantity: 2 }] });
    expect(order.status).toBe(201);
    await eventually(async () => (await product()).available === 0, 30_000, 250);
    // Every unit is sold or held: another buyer's order is refused and holds nothing.
    const other = client();
    expect((await other('POST', '/api/users/signup', { email: 'e2e-other@jetmart.dev', password: 'other-password' })).status).toBe(201);
    expect((await other('POST', '/api/orders', { items: [{ productId, quantity: 1 }] })).status).toBe(409);

    const cancelled = await eventually(async () => {
      const res = await buyer('GET', `/api/orders/${order.body.id}`);
      return res.body.status === 'cancelled' ? res.body : undefined;
    }, (EXPIRATION_SECONDS + 30) * 1000, 250);
    expect(cancelled.status).toBe('cancelled');
    await eventually(async () => (await product()).available === 2, 30_000, 250);

    const late = await eventually(async () => {
      const res = await buyer('POST', '/api/payments', { orderId: order.body.id, token: 'tok_visa' });
      return res.status === 409 ? res : undefined;
    }, 30_000, 250);
    expect(late.body.errors[0].message).toEqual(expect.any(String));
  });

  it('stops on SIGTERM and leaves no process or temp dir behind', async () => {
    recordProcessTree();
    const info = JSON.parse(readFileSync(pidFile(), 'utf8')) as { platform: number; children: Array<{ name: string; pid: number }>; natsStoreDir?: string };
    expect(info.children.map((c) => c.name)).toEqual(expect.arrayContaining(['auth', 'products', 'orders', 'payments', 'expiration']));
    for (const c of info.children) expect(started.has(c.pid)).toBe(true);
    expect(started.size).toBeGreaterThanOrEqual(info.children.length + 3); // + npm, platform, nats-server, …

    // What `kill <pid>` of `npm start` does; the platform must not outlive it.
    process.kill(platform.pid!, 'SIGTERM');
    await eventually(() => [...started].every(([pid, args]) => !stillRunning(pid, args)), 45_000, 200);
    const left = [...started].filter(([pid, args]) => stillRunning(pid, args));
    expect(left).toEqual([]);
    if (info.natsStoreDir) expect(existsSync(info.natsStoreDir)).toBe(false);
    expect(output).toContain('stopped');
  }, 60_000);
});
