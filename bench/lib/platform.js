'use strict';
// Starts the platform as `npm start` does (node scripts/platform.js), in production mode, and
// tells where its parts are: gateway URL, MongoDB-wire server URL, NATS URL, pids.
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const root = path.resolve(__dirname, '..', '..');

/** A JWT key for the run: production refuses keys under 32 characters. */
const BENCH_JWT_KEY = process.env.JWT_KEY || `bench-${require('node:crypto').randomBytes(24).toString('hex')}`;

async function startPlatform({ port, env = {}, quiet = true } = {}) {
  const pidFile = path.join(os.tmpdir(), `jetmart-bench-${process.pid}-${Date.now()}.json`);
  const childEnv = {
    ...process.env,
    NODE_ENV: 'production',
    LOG_LEVEL: 'warn',
    JWT_KEY: BENCH_JWT_KEY,
    PORT: String(port),
    JETMART_PID_FILE: pidFile,
    // Production refuses an http:// storefront address (the links in emails); nothing is mailed to a person here.
    PUBLIC_URL: process.env.PUBLIC_URL || 'https://shop.bench.invalid',
    ...env,
  };
  const proc = spawn(process.execPath, [path.join(root, 'scripts', 'platform.js')], {
    cwd: root,
    env: childEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const keep = (b) => {
    out = (out + b.toString()).slice(-20000);
    if (!quiet) process.stderr.write(b);
  };
  proc.stdout.on('data', keep);
  proc.stderr.on('data', keep);
  const exited = new Promise((r) => proc.once('exit', (code, signal) => r({ code, signal })));
  const until = Date.now() + 180_000;
  while (!/jetmart is ready/.test(out)) {
    if (proc.exitCode !== null) throw new Error(`platform exited (${proc.exitCode}):\n${out}`);
    if (Date.now() > until) throw new Error(`platform not ready in time:\n${out}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  // "… at <url>, data <dir>": the URL without the comma that follows it.
  const mongoUrl = (/MongoDB-wire server: (\S+) at ([^\s,]+)/.exec(out) || [])[2];
  const mongoKind = (/MongoDB-wire server: (\S+) at/.exec(out) || [])[1];
  const natsUrl = (/NATS: nats-server with JetStream at (\S+),/.exec(out) || [])[1] || process.env.NATS_URL;
  const pids = JSON.parse(fs.readFileSync(pidFile, 'utf8'));
  return {
    url: `http://127.0.0.1:${port}`,
    mongoUrl,
    mongoKind,
    natsUrl,
    pid: proc.pid,
    pids,
    jwtKey: BENCH_JWT_KEY,
    output: () => out,
    async stop() {
      if (proc.exitCode === null) proc.kill('SIGTERM');
      const t = setTimeout(() => proc.kill('SIGKILL'), 30_000);
      await exited;
      clearTimeout(t);
      fs.rmSync(pidFile, { force: true });
    },
  };
}

module.exports = { startPlatform, root, BENCH_JWT_KEY };
