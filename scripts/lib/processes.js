'use strict';
// Child processes of the platform: each in its own process group (so a service and anything it
// spawns, e.g. npm → sh → next, stop together and nothing is orphaned), output prefixed by name.
const { spawn } = require('node:child_process');
const readline = require('node:readline');

const COLORS = [36, 35, 33, 32, 34, 91, 96];
let nextColor = 0;

/** A line prefixer for `name`, padded so columns line up; coloured only on a terminal. */
function prefixer(name, width = 10) {
  const color = COLORS[nextColor++ % COLORS.length];
  const label = name.padEnd(width);
  const tag = process.stdout.isTTY ? `\x1b[${color}m${label}|\x1b[0m ` : `${label}| `;
  return (line) => `${tag}${line}\n`;
}

/** Writes every line of `stream` to `out` with the prefix, keeping the last lines for error reports. */
function pipeLines(stream, out, prefix, tail) {
  const rl = readline.createInterface({ input: stream, crlfDelay: Infinity });
  rl.on('line', (line) => {
    tail.push(line);
    if (tail.length > 40) tail.shift();
    out.write(prefix(line));
  });
}

/**
 * Starts `command args` as a process-group leader with prefixed output.
 * Returns { name, proc, pid, exited: Promise<{code, signal}>, tail(): string, stop(timeoutMs) }.
 */
function startProcess(name, command, args, { cwd, env } = {}) {
  const proc = spawn(command, args, { cwd, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  const prefix = prefixer(name);
  const lines = [];
  pipeLines(proc.stdout, process.stdout, prefix, lines);
  pipeLines(proc.stderr, process.stderr, prefix, lines);
  const exited = new Promise((resolve) => {
    proc.once('exit', (code, signal) => resolve({ code, signal }));
    proc.once('error', (err) => {
      lines.push(String(err.message));
      resolve({ code: null, signal: null, error: err });
    });
  });
  let exitedNow = false;
  exited.then(() => (exitedNow = true));

  const signalGroup = (signal) => {
    try {
      process.kill(-proc.pid, signal);
    } catch {
      // the group is already gone
    }
  };

  return {
    name,
    proc,
    pid: proc.pid,
    exited,
    hasExited: () => exitedNow,
    tail: () => lines.slice(-15).join('\n'),
    signalGroup,
    /** SIGTERM to the whole group; SIGKILL to it after `timeoutMs` if anything is still there. */
    async stop(timeoutMs = 15_000) {
      signalGroup('SIGTERM');
      const timer = setTimeout(() => signalGroup('SIGKILL'), timeoutMs);
      await exited;
      clearTimeout(timer);
      // The leader is gone; whatever it left in its group goes too.
      signalGroup('SIGKILL');
    },
  };
}

/** Polls `url` until it answers with a status accepted by `ok`; fails early when `child` exits. */
async function waitForHttp(url, { timeoutMs, child, ok = (status) => status === 200 }) {
  const until = Date.now() + timeoutMs;
  for (;;) {
    if (child && child.hasExited()) throw new Error(`${child.name} exited before it was ready:\n${child.tail()}`);
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2000), redirect: 'manual' });
      await res.arrayBuffer().catch(() => undefined);
      if (ok(res.status)) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > until) {
      throw new Error(
        `${child ? child.name : url} was not ready within ${Math.round(timeoutMs / 1000)} s${child ? `:\n${child.tail()}` : ''}`,
      );
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}

module.exports = { startProcess, waitForHttp, prefixer };
