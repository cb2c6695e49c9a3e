/**
 * `node scripts/platform.js` killed with SIGKILL cannot stop nats-server, FerretDB or the services
 * it started. The next start kills what is still running from that run (pids recorded under the
 * state dir, checked against /proc/<pid> start time), with one log line, and starts on the data
 * the killed run kept (its data dir is free again once its processes are gone). Needs the
 * services built (npm run build) and FerretDB (scripts/ensure-bins.sh).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { eventually, freePort } from '@jetmart/common/testing';

const root = resolve(__dirname, '..', '..');

interface Recorded {
  name: string;
  pid: number;
  group: boolean;
  cmdline: string | null;
  start: string | null;
  dirs: string[];
}
interface RunFile {
  platform: { pid: number };
  processes: Recorded[];
}

let stateDir = '';
const runs: Array<{ proc: ChildProcess; output: () => string }> = [];
/** Everything any run recorded, to clean up whatever the test leaves. */
const seen = new Map<number, Recorded>();

/** Still the recorded process (not a zombie, not a reused pid). */
function stillRunning(p: Recorded): boolean {
  try {
    const stat = readFileSync(`/proc/${p.pid}/stat`, 'utf8');
    if (/^\S+ \(.*\) [ZX] /.test(stat)) return false;
    // Same pid and start time: the recorded process (npm rewrites its cmdline, so not that).
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] === p.start;
  } catch {
    return false;
  }
}

const runFile = (platformPid: number) => join(stateDir, 'platform', `${platformPid}.json`);

function readRun(platformPid: number): RunFile {
  const run = JSON.parse(readFileSync(runFile(platformPid), 'utf8')) as RunFile;
  for (const p of run.processes) seen.set(p.pid, p);
  return run;
}

async function startPlatform(): Promise<{ proc: ChildProcess; output: () => string }> {
  const port = await freePort();
  const env: NodeJS.ProcessEnv = { ...process.env, PORT: String(port), JETMART_STATE_DIR: stateDir, JETMART_MONGO: 'ferretdb' };
  // Its own nats-server and FerretDB, as `npm start` on a laptop: nothing of the harness's.
  delete env.MONGO_URL;
  delete env.NATS_URL;
  delete env.JWT_KEY;
  delete env.NODE_ENV;
  const proc = spawn(process.execPath, ['scripts/platform.js'], { cwd: root, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  proc.stdout!.on('data', (b) => (out += b));
  proc.stderr!.on('data', (b) => (out += b));
  const run = { proc, output: () => out };
  runs.push(run);
  await new Promise<void>((ready, fail) => {
    const timer = setTimeout(() => fail(new Error(`platform not ready in 150 s:\n${out.slice(-4000)}`)), 150_000);
    const check = () => {
      if (out.includes('jetmart is ready on')) {
        clearTimeout(timer);
        ready();
      }
    };
    proc.stdout!.on('data', check);
    proc.once('exit', (code, signal) => {
      clearTimeout(timer);
      fail(new Error(`platform exited (${signal ?? code}) before it was ready:\n${out.slice(-4000)}`));
    });
  });
  return run;
}

beforeAll(() => {
  stateDir = mkdtempSync(join(tmpdir(), 'jetmart-state-'));
});

afterAll(async () => {
  for (const { proc } of runs) {
    if (proc.exitCode === null && proc.signalCode === null) {
      proc.kill('SIGTERM');
      await new Promise((r) => {
        const t = setTimeout(r, 30_000);
        proc.once('exit', () => r(clearTimeout(t)));
      });
    }
  }
  // Whatever is still running from the test (a failure before the second run reaped it).
  for (const p of seen.values()) {
    if (stillRunning(p)) {
      try {
        process.kill(p.group ? -p.pid : p.pid, 'SIGKILL');
      } catch {
        /* gone */
      }
    }
  }
  if (stateDir) rmSync(stateDir, { recursive: true, force: true });
}, 60_000);

it('after a SIGKILL of the platform, the next start kills its leftover nats-server, FerretDB and services', async () => {
  const first = await startPlatform();
  const firstRun = readRun(first.proc.pid!);
  const byName = (name: string) => firstRun.processes.find((p) => p.name === name);
  const nats = byName('nats-server')!;
  const ferret = byName('ferretdb')!;
  expect(nats.cmdline).toContain('nats-server');
  expect(ferret.cmdline).toContain('ferretdb');
  const services = firstRun.processes.filter((p) => p.group);
  expect(services.map((p) => p.name)).toEqual(expect.arrayContaining(['auth', 'products', 'orders', 'payments', 'expiration']));
  // The JetStream store is the run's data (the data dir under the state dir), not a leftover.
  const natsStore = join(stateDir, 'data', 'nats');
  expect(nats.cmdline).toContain(`-sd\0${natsStore}`);
  expect(nats.dirs).toEqual([]);

  // No chance to clean up: its children are left running.
  first.proc.kill('SIGKILL');
  await new Promise((r) => first.proc.once('exit', r));
  expect(stillRunning(nats)).toBe(true);
  expect(stillRunning(ferret)).toBe(true);

  const second = await startPlatform();
  expect(stillRunning(nats)).toBe(false);
  expect(stillRunning(ferret)).toBe(false);
  for (const s of services) expect(stillRunning(s)).toBe(false);
  expect(existsSync(join(natsStore, 'jetstream'))).toBe(true);
  expect(existsSync(runFile(first.proc.pid!))).toBe(false);
  const lines = second
    .output()
    .split('\n')
    .filter((l) => l.includes('left behind'));
  expect(lines).toHaveLength(1);
  expect(lines[0]).toContain(`platform pid ${first.proc.pid}`);
  expect(lines[0]).toContain(`nats-server ${nats.pid}`);
  expect(lines[0]).toContain(`ferretdb ${ferret.pid}`);

  // The second run's own record is there while it runs, and gone after a clean stop.
  const secondRun = readRun(second.proc.pid!);
  expect(secondRun.processes.map((p) => p.name)).toEqual(expect.arrayContaining(['nats-server', 'ferretdb']));
  second.proc.kill('SIGTERM');
  await new Promise((r) => second.proc.once('exit', r));
  expect(readdirSync(join(stateDir, 'platform'))).toEqual([]);
  await eventually(() => secondRun.processes.every((p) => !stillRunning(p)), 10_000, 100);
}, 240_000);
