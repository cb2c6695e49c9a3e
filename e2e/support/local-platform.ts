/**
 * The local platform as a user runs it (`node scripts/platform.js`, what `npm start` runs), in a
 * child process with its own nats-server, MongoDB-wire server and data directory, and a
 * browser-like HTTP client of its one port. For end-to-end tests that talk to nothing but that port
 * (the invariant checker excepted: it reads the databases at `mongoUrl`, as an operator's tool would).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freePort } from '@jetmart/common/testing';

const root = resolve(__dirname, '..', '..');

export interface LocalPlatform {
  baseUrl: string;
  /** The MongoDB-wire server the platform started (from its start-up line). */
  mongoUrl: string;
  /** Its nats-server (from its start-up line). */
  natsUrl: string;
  /** The tail of what the platform and its services printed. */
  output(): string;
  /** SIGTERM (the platform stops its services, NATS and the database in order); SIGKILL only if it hangs. */
  stop(): Promise<void>;
}

/** Starts the platform with `env` added (e.g. shorter timers) and `args` (e.g. `--restore-from`), and waits for its ready line. */
export async function startLocalPlatform(name: string, env: Record<string, string> = {}, args: string[] = []): Promise<LocalPlatform> {
  const workDir = mkdtempSync(join(tmpdir(), `jetmart-e2e-${name}-`));
  const port = await freePort();
  const childEnv: NodeJS.ProcessEnv = {
    ...process.env,
    PORT: String(port),
    JETMART_STATE_DIR: join(workDir, 'state'),
    JETMART_DATA_DIR: join(workDir, 'data'),
    ...env,
  };
  for (const key of ['MONGO_URL', 'NATS_URL', 'JWT_KEY', 'NODE_ENV', 'SEED_URL']) delete childEnv[key];
  const proc: ChildProcess = spawn(process.execPath, ['scripts/platform.js', ...args], {
    cwd: root,
    env: childEnv,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const keep = (b: Buffer) => (output = (output + b.toString()).slice(-20_000));
  proc.stdout!.on('data', keep);
  proc.stderr!.on('data', keep);

  const stop = async () => {
    if (proc.exitCode === null && proc.signalCode === null) {
      await new Promise<void>((done) => {
        const timer = setTimeout(() => {
          try {
            process.kill(-proc.pid!, 'SIGKILL');
          } catch {
            /* gone */
          }
          done();
        }, 45_000);
        proc.once('exit', () => {
          clearTimeout(timer);
          done();
        });
        proc.kill('SIGTERM');
      });
    }
    rmSync(workDir, { recursive: true, force: true });
  };

  try {
    await new Promise<void>((ready, fail) => {
      const timer = setTimeout(() => fail(new Error(`platform not ready in 170 s:\n${output.slice(-4000)}`)), 170_000);
      proc.stdout!.on('data', () => {
        if (output.includes('jetmart is ready on')) {
          clearTimeout(timer);
          ready();
        }
      });
      proc.once('exit', (code, signal) => {
        clearTimeout(timer);
        fail(new Error(`platform exited (${signal ?? code}) before it was ready:\n${output.slice(-4000)}`));
      });
    });
  } catch (err) {
    await stop();
    throw err;
  }
  const mongoUrl = /MongoDB-wire server: \S+ at (mongodb:\/\/[^\s,]+)/.exec(output)?.[1] ?? '';
  const natsUrl = /NATS: nats-server with JetStream at (nats:\/\/[^\s,]+)/.exec(output)?.[1] ?? '';
  return { baseUrl: `http://127.0.0.1:${port}`, mongoUrl, natsUrl, output: () => output, stop };
}

/** The fields of untyped API bodies tests read (typed ones are asked for with a type argument). */
export interface Body {
  id: string;
  errors?: Array<{ message: string; field?: string }>;
  [field: string]: unknown;
}

/** A browser-like client of the one port: keeps its session cookie. */
export function httpClient(baseUrl: () => string) {
  let cookie = '';
  return async <T = Body>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> => {
    const res = await fetch(baseUrl() + path, {
      method,
      headers: { 'Content-Type': 'application/json', ...(cookie ? { Cookie: cookie } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const session = res.headers.getSetCookie().find((c) => c.startsWith('session='));
    if (session) cookie = session.split(';')[0];
    const text = await res.text();
    // 204 (e.g. DELETE /api/users/me) has no body to parse.
    if (res.status === 204 && text === '') return { status: res.status, body: undefined as T };
    try {
      return { status: res.status, body: JSON.parse(text) as T };
    } catch {
      throw new Error(`${method} ${path}: HTTP ${res.status} answered with no JSON: ${text.slice(0, 300)}`);
    }
  };
}
export type HttpClient = ReturnType<typeof httpClient>;

/** Signs a new account up through the API and returns its id (the client keeps the session). */
export async function signUp(c: HttpClient, email: string, password = 'e2e-test-password'): Promise<string> {
  const res = await c('POST', '/api/users/signup', { email, password });
  if (res.status !== 201) throw new Error(`sign-up of ${email}: HTTP ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.id;
}
