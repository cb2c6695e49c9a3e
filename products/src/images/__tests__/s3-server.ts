import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { binDir, freePort, repoRoot } from '@jetmart/common/testing';

/**
 * gofakes3 (github.com/johannesboyne/gofakes3, pinned in scripts/versions.env, built by
 * scripts/ensure-bins.sh): an S3-compatible server in Go that speaks the S3 REST protocol over
 * HTTP (SigV4-signed requests, XML answers, S3 error codes) with an in-memory backend. It is a
 * real wire server, not a mock of our code; it is not a production object store either (no
 * durability, no IAM), so it shows that the adapter speaks S3, not how a given vendor behaves.
 */
export function gofakes3Binary(): string {
  if (process.env.GOFAKES3_BIN) return process.env.GOFAKES3_BIN;
  const versions = readFileSync(join(repoRoot(), 'scripts', 'versions.env'), 'utf8');
  const version = /^GOFAKES3_VERSION=(\S+)/m.exec(versions)?.[1];
  const bin = join(binDir(), `gofakes3-${version}`);
  if (!version || !existsSync(bin)) throw new Error(`gofakes3 ${version} not found at ${bin}: run \`bash scripts/ensure-bins.sh\``);
  return bin;
}

export interface S3TestServer {
  endpoint: string;
  bucket: string;
  stop(): Promise<void>;
}

/** Starts gofakes3 on a free port with one empty bucket. */
export async function startS3(bucket = 'jetmart-images'): Promise<S3TestServer> {
  const port = await freePort();
  const proc: ChildProcess = spawn(gofakes3Binary(), ['-backend', 'memory', '-initialbucket', bucket, '-host', `127.0.0.1:${port}`], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  proc.stdout?.on('data', (b: Buffer) => (output += b.toString()));
  proc.stderr?.on('data', (b: Buffer) => (output += b.toString()));
  const endpoint = `http://127.0.0.1:${port}`;
  const until = Date.now() + 20_000;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`gofakes3 exited with ${proc.exitCode}: ${output}`);
    const up = await fetch(`${endpoint}/${bucket}`).then(
      (r) => r.status < 500,
      () => false,
    );
    if (up) break;
    if (Date.now() > until) throw new Error(`gofakes3 did not start: ${output}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    endpoint,
    bucket,
    stop: () =>
      new Promise<void>((done) => {
        if (proc.exitCode !== null) return done();
        proc.once('exit', () => done());
        proc.kill('SIGTERM');
      }),
  };
}
