import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { freePort, REPO_ROOT, sleep } from './platform';

export interface RunningNext {
  port: number;
  stop(): Promise<void>;
  output(): string;
}

/** Starts the built storefront alone (`next start`) with the given environment. */
export async function startNext(env: Record<string, string>, timeoutMs = 60_000): Promise<RunningNext> {
  const clientDir = path.join(REPO_ROOT, 'client');
  if (!fs.existsSync(path.join(clientDir, '.next', 'BUILD_ID')))
    throw new Error('the storefront is not built: run `npm run build -w client`');
  const port = await freePort();
  const nextBin = require.resolve('next/dist/bin/next', { paths: [clientDir] });
  const child = spawn(process.execPath, [nextBin, 'start', '-p', String(port)], {
    cwd: clientDir,
    env: { ...process.env, NODE_ENV: 'production', NEXT_TELEMETRY_DISABLED: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr.on('data', (c: Buffer) => (output += c.toString()));
  let exited = false;
  const exit = new Promise<void>((resolve) => child.once('exit', () => ((exited = true), resolve())));
  const stop = async () => {
    if (!exited) child.kill('SIGTERM');
    await exit;
  };
  const deadline = Date.now() + timeoutMs;
  while (!/Ready in/.test(output)) {
    if (exited || Date.now() > deadline) {
      await stop();
      throw new Error(`next start did not become ready:\n${output}`);
    }
    await sleep(100);
  }
  return { port, stop, output: () => output };
}
