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
