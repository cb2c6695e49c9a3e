#!/usr/bin/env node
'use strict';
/*
 * bench/load.js with FerretDB on PostgreSQL, plus the CPU of PostgreSQL itself (issue 21).
 *
 *   npm run build && JETMART_FERRETDB_BACKEND=postgresql node bench/ferretdb-pg-cpu.js --duration 20 --only checkout,baseline
 *
 * load.js counts the CPU of the platform's process tree; PostgreSQL's backends are children of the
 * postmaster, not of the platform, so they are missing from its "ferretdb" figure. This runs
 * load.js unchanged (every argument passed on, its output passed through), samples the CPU of
 * every process under the postmaster every 250 ms, and adds per phase: PostgreSQL CPU-s, and
 * PostgreSQL CPU-ms per completed checkout. Phase windows come from load.js's own log lines
 * (a checkout phase ends at its "N checkouts in S s" line and lasted S s; a baseline phase runs
 * from its "raw baseline" line to the next, so it includes its 20-product set-up and 1-s settle).
 * Anything else on this PostgreSQL during the run is counted too: run it alone.
 */
const path = require('node:path');
const fs = require('node:fs');
const os = require('node:os');
const { spawn } = require('node:child_process');
const proc = require('./lib/procstat');

const root = path.join(__dirname, '..');
const args = process.argv.slice(2);
const outIdx = args.indexOf('--out');
const out = outIdx >= 0 ? args[outIdx + 1] : path.join(os.tmpdir(), `jetmart-ferretdb-pg-${process.pid}.json`);
if (outIdx < 0) args.push('--out', out);

const pg = proc.postmasterPid();
if (!pg) throw new Error('no PostgreSQL postmaster found on this machine');
// Per pid the last CPU seen, so a backend that exits keeps what it used until its last sample.
const lastSeen = new Map();
const samples = [];
const sample = () => {
  for (const p of proc.tree(pg)) {
    const s = proc.cpuSeconds(p.pid);
    if (s !== undefined) lastSeen.set(p.pid, s);
  }
  let total = 0;
  for (const s of lastSeen.values()) total += s;
  samples.push({ t: Date.now(), cpu: total });
};
sample();
const timer = setInterval(sample, 250);
const cpuAt = (t) => {
  let best = samples[0];
  for (const s of samples) if (s.t <= t) best = s;
  return best.cpu;
};

const marks = [];
const child = spawn(process.execPath, [path.join(__dirname, 'load.js'), ...args], { cwd: root, stdio: ['ignore', 'inherit', 'pipe'] });
let buf = '';
child.stderr.on('data', (b) => {
  process.stderr.write(b);
  buf += b.toString();
  const lines = buf.split('\n');
  buf = lines.pop();
  for (const line of lines) marks.push({ t: Date.now(), line });
});
child.on('exit', (code) => {
  sample();
  clearInterval(timer);
  const results = fs.existsSync(out) ? JSON.parse(fs.readFileSync(out, 'utf8')) : {};
  const phases = {};
  for (const [i, m] of marks.entries()) {
    const c = /\[bench\] (?:platform )?(checkout(?: after growth)?): (\d+) checkouts in ([\d.]+) s/.exec(m.line);
    if (c) phases[c[1]] = { from: m.t - Number(c[3]) * 1000, to: m.t, completed: Number(c[2]) };
    const b = /\[bench\] raw baseline \((no locks|with FerretDB document locks)\)/.exec(m.line);
    if (b) {
      const key = b[1] === 'no locks' ? 'baseline' : 'baselineWithLocks';
      const next = marks.slice(i + 1).find((x) => /^\[bench\] /.test(x.line));
      phases[key] = { from: m.t, to: next ? next.t : samples[samples.length - 1].t, completed: results[key]?.completedCheckouts };
    }
  }
  const report = {};
  for (const [name, p] of Object.entries(phases)) {
    const pgSeconds = cpuAt(p.to) - cpuAt(p.from);
    const platformCpu = (results[name === 'checkout' ? 'checkout' : name]?.cpu || {}).total;
    report[name] = {
      completedCheckouts: p.completed,
      windowSeconds: Math.round((p.to - p.from) / 100) / 10,
      postgresCpuSeconds: Math.round(pgSeconds * 100) / 100,
      postgresCpuMsPerCheckout: p.completed ? Math.round((pgSeconds * 1000) / p.completed) : null,
      loadJsCpuMsPerCheckout: platformCpu && p.completed ? Math.round((platformCpu * 1000) / p.completed) : null,
      allCpuMsPerCheckout: platformCpu && p.completed ? Math.round(((platformCpu + pgSeconds) * 1000) / p.completed) : null,
    };
  }
  console.error('[ferretdb-pg] PostgreSQL CPU (postmaster and all its children) per phase, added to load.js figures:');
  console.table(report);
  results.postgresCpu = report;
  results.loadavgAfter = os.loadavg();
  fs.writeFileSync(out, JSON.stringify(results, null, 2));
  console.error(`[ferretdb-pg] results with postgresCpu: ${out}`);
  process.exit(code ?? 1);
});
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
