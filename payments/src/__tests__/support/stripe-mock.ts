import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { binDir, freePort, repoRoot } from '@jetmart/common/testing';

/** The stripe-mock binary pinned in scripts/versions.env (built by scripts/ensure-bins.sh), or STRIPE_MOCK_BIN. */
export function stripeMockBinary(): string {
  if (process.env.STRIPE_MOCK_BIN) return process.env.STRIPE_MOCK_BIN;
  const versions = readFileSync(join(repoRoot(), 'scripts', 'versions.env'), 'utf8');
  const version = /^STRIPE_MOCK_VERSION=(\S+)/m.exec(versions)?.[1];
  const bin = join(binDir(), `stripe-mock-${version}`);
  if (!version || !existsSync(bin)) throw new Error(`stripe-mock ${version} not found at ${bin}: run \`bash scripts/ensure-bins.sh\``);
  return bin;
}

export interface StripeMock {
  host: string;
  port: number;
  stop(): Promise<void>;
}

/** Starts Stripe's official mock API server on free ports (plain HTTP for the SDK, HTTPS unused). */
export async function startStripeMock(): Promise<StripeMock> {
  const port = await freePort();
  const httpsPort = await freePort();
  const proc: ChildProcess = spawn(stripeMockBinary(), ['-http-addr', `127.0.0.1:${port}`, '-https-addr', `127.0.0.1:${httpsPort}`], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  proc.stdout?.on('data', (b: Buffer) => (output += b.toString()));
  proc.stderr?.on('data', (b: Buffer) => (output += b.toString()));
  const until = Date.now() + 20_000;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`stripe-mock exited with ${proc.exitCode}: ${output}`);
    // Any HTTP answer (401 without a key) means it is serving.
    const up = await fetch(`http://127.0.0.1:${port}/v1/charges`).then(
      () => true,
      () => false,
    );
    if (up) break;
    if (Date.now() > until) throw new Error(`stripe-mock did not start: ${output}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    host: '127.0.0.1',
    port,
    stop: () =>
      new Promise<void>((done) => {
        if (proc.exitCode !== null) return done();
        proc.once('exit', () => done());
        proc.kill('SIGTERM');
      }),
  };
}
