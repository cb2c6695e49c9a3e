import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';

export const REPO_ROOT = path.resolve(__dirname, '../../..');
export const SCREENSHOT_DIR = path.resolve(__dirname, '../../screenshots');

/** A free TCP port on this machine (the OS picks it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/**
 * The line scripts/platform.js prints once its gateway listens and every service it started is
 * ready. Readiness is then confirmed over HTTP (waitForHttp): a service that was not built is
 * skipped by the platform with a warning, and the routes check catches that.
 */
const READY_LINE = /jetmart is ready on /;

export interface RunningPlatform {
  baseUrl: string;
  stop(): Promise<void>;
  /** The platform's output so far (for failure messages). */
  output(): string;
}

/** Starts `node scripts/platform.js` on a free port and waits until it serves both the storefront and the APIs. */
export async function startPlatform(env: Record<string, string> = {}, timeoutMs = 200_000): Promise<RunningPlatform> {
  if (!fs.existsSync(path.join(REPO_ROOT, 'client', '.next', 'BUILD_ID'))) {
    throw new Error('the storefront is not built: run `npm run build -w client` (scripts/test.sh builds everything first)');
  }
  const port = await freePort();
  const baseUrl = `http://localhost:${port}`;
  fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const logPath = path.join(SCREENSHOT_DIR, 'platform.log');
  const log = fs.createWriteStream(logPath);
  let output = '';
  const child: ChildProcess = spawn(process.execPath, ['scripts/platform.js'], {
    cwd: REPO_ROOT,
    env: { ...process.env, PORT: String(port), NEXT_TELEMETRY_DISABLED: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let exited: { code: number | null; signal: string | null } | null = null;
  const exitPromise = new Promise<void>((resolve) =>
    child.once('exit', (code, signal) => {
      exited = { code, signal };
      resolve();
    }),
  );
  let sawReadyLine = false;
  const onData = (chunk: Buffer) => {
    const text = chunk.toString('utf8');
    output = (output + text).slice(-200_000);
    log.write(text);
    if (!sawReadyLine && READY_LINE.test(text)) sawReadyLine = true;
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);

  const stop = async () => {
    if (!exited && child.pid) {
      // The platform stops what it started (services, storefront, NATS, database) on SIGTERM.
      child.kill('SIGTERM');
      const killTimer = setTimeout(() => child.kill('SIGKILL'), 45_000);
      await exitPromise;
      clearTimeout(killTimer);
    }
    log.end();
  };

  const deadline = Date.now() + timeoutMs;
  try {
    while (!sawReadyLine) {
      if (exited) throw new Error(`platform exited before it was ready (${JSON.stringify(exited)})`);
      if (Date.now() > deadline) throw new Error('platform printed no ready line in time');
      await sleep(250);
    }
    await waitForHttp(baseUrl, deadline, () => exited);
  } catch (err) {
    await stop();
    throw new Error(`${(err as Error).message}\n--- platform output (tail, full log ${logPath}) ---\n${output.slice(-6000)}`);
  }
  return { baseUrl, stop, output: () => output };
}

/**
 * The run's shared platform: started by the first test file that asks for it, then used by every
 * file that needs nothing of its own (default settings, no service stopped or restarted, a database
 * others may also write to: each file makes its own users, products and orders and looks at nothing
 * else). Saves a whole platform start-up per file. The jest global setup of this workspace gives
 * the run a directory (JETMART_SHARED_PLATFORM_DIR) that names it and the global teardown stops it;
 * `stop()` of what this returns does nothing. Files that change the platform's settings or its
 * processes start their own with startPlatform.
 */
export async function sharedPlatform(timeoutMs = 200_000): Promise<RunningPlatform> {
  const dir = process.env.JETMART_SHARED_PLATFORM_DIR;
  if (!dir) throw new Error('JETMART_SHARED_PLATFORM_DIR is not set: run under client/jest.config.js (its global setup)');
  const logPath = path.join(dir, 'platform.log');
  const output = () => readTail(logPath, 200_000);
  const deadline = Date.now() + timeoutMs;
  // mkdir is atomic: the one file (of any worker) that makes `starting` starts it, the others wait.
  let starter = false;
  try {
    fs.mkdirSync(path.join(dir, 'starting'));
    starter = true;
  } catch {
    /* another file is starting it or has */
  }
  if (starter) {
    try {
      const baseUrl = await startDetached(logPath, deadline);
      fs.writeFileSync(path.join(dir, 'url'), baseUrl);
    } catch (err) {
      fs.writeFileSync(path.join(dir, 'failed'), (err as Error).message);
    }
  }
  for (;;) {
    if (fs.existsSync(path.join(dir, 'failed'))) {
      throw new Error(`the shared platform did not start: ${fs.readFileSync(path.join(dir, 'failed'), 'utf8')}`);
    }
    if (fs.existsSync(path.join(dir, 'url'))) break;
    if (Date.now() > deadline) throw new Error(`the shared platform is not ready in time:\n${output().slice(-6000)}`);
    await sleep(250);
  }
  return { baseUrl: fs.readFileSync(path.join(dir, 'url'), 'utf8'), stop: async () => undefined, output };
}

/** Starts the platform as a process of its own (it outlives the file that started it), output to `logPath`. */
async function startDetached(logPath: string, deadline: number): Promise<string> {
  if (!fs.existsSync(path.join(REPO_ROOT, 'client', '.next', 'BUILD_ID'))) {
    throw new Error('the storefront is not built: run `npm run build -w client` (scripts/test.sh builds everything first)');
  }
  const port = await freePort();
  const baseUrl = `http://localhost:${port}`;
  const log = fs.openSync(logPath, 'a');
  const child = spawn(process.execPath, ['scripts/platform.js'], {
    cwd: REPO_ROOT,
    env: { ...process.env, PORT: String(port), NEXT_TELEMETRY_DISABLED: '1' },
    stdio: ['ignore', log, log],
    detached: true,
  });
  fs.closeSync(log);
  child.unref();
  fs.writeFileSync(path.join(path.dirname(logPath), 'pid'), String(child.pid));
  let exited: { code: number | null; signal: string | null } | null = null;
  child.once('exit', (code, signal) => (exited = { code, signal }));
  while (!READY_LINE.test(readTail(logPath, 200_000))) {
    if (exited) throw new Error(`platform exited before it was ready (${JSON.stringify(exited)})\n${readTail(logPath, 6000)}`);
    if (Date.now() > deadline) throw new Error(`platform printed no ready line in time\n${readTail(logPath, 6000)}`);
    await sleep(250);
  }
  await waitForHttp(baseUrl, deadline, () => exited);
  return baseUrl;
}

/** Stops the shared platform if a file started it (jest global teardown): SIGTERM, SIGKILL after 45 s. */
export async function stopSharedPlatform(dir: string): Promise<void> {
  const pidFile = path.join(dir, 'pid');
  if (fs.existsSync(pidFile)) {
    const pid = Number(fs.readFileSync(pidFile, 'utf8'));
    const alive = () => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    };
    // The platform stops what it started (services, storefront, NATS, database) on SIGTERM.
    if (alive()) process.kill(pid, 'SIGTERM');
    const deadline = Date.now() + 45_000;
    while (alive() && Date.now() < deadline) await sleep(200);
    if (alive()) process.kill(-pid, 'SIGKILL');
  }
  fs.rmSync(dir, { recursive: true, force: true });
}

function readTail(file: string, chars: number): string {
  try {
    const text = fs.readFileSync(file, 'utf8');
    return text.slice(-chars);
  } catch {
    return '';
  }
}

/** Every route of the ingress answers as a running service would (not 502/503/504 from the entry). */
async function waitForHttp(baseUrl: string, deadline: number, exited: () => unknown): Promise<void> {
  const checks: Array<[string, (status: number) => boolean]> = [
    ['/api/users/currentuser', (s) => s === 200],
    ['/api/products?limit=1', (s) => s === 200],
    ['/api/orders', (s) => s === 401],
    ['/api/shipments', (s) => s === 401],
    ['/api/ops/status', (s) => s === 401],
    ['/', (s) => s === 200],
  ];
  for (const [route, ok] of checks) {
    let last = 'no answer';
    for (;;) {
      if (exited()) throw new Error('platform exited while starting');
      if (Date.now() > deadline) throw new Error(`platform not serving ${route} in time (last: ${last})`);
      try {
        const res = await fetch(baseUrl + route, { signal: AbortSignal.timeout(10_000) });
        await res.arrayBuffer();
        if (ok(res.status)) break;
        last = `HTTP ${res.status}`;
      } catch (err) {
        last = (err as Error).message;
      }
      await sleep(500);
    }
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
