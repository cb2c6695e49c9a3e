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
 * Also per checkout phase: the tables PostgreSQL read by sequential scan, and how many rows
 * (pg_stat_user_tables before and after the phase): the queries FerretDB could not serve by index.
 */
const path = require('node:path');
const fs = require('node:fs');
const os = require('node:os');
const { spawn } = require('node:child_process');
const proc = require('./lib/procstat');
// The server and role FerretDB uses (JETMART_POSTGRES_URL, else the dev-only local role).
const { postgresServerUrl } = require('../common/dist/testing/servers.js');

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

/**
 * Per FerretDB table of every jetmart FerretDB database: sequential scans, rows they read, index
 * scans (PostgreSQL's cumulative statistics). Their difference over a checkout phase says which
 * collections the phase read without an index, and how many rows that cost.
 */
function tableStats() {
  const { execFileSync } = require('node:child_process');
  const url = (db) => {
    const u = new URL(postgresServerUrl());
    u.pathname = `/${db}`;
    return u.toString();
  };
  const psql = (db, sql) =>
    execFileSync('psql', ['-X', '-q', '-w', '-At', '-d', url(db), '-c', sql], { encoding: 'utf8' })
      .split('\n')
      .filter(Boolean);
  const stats = {};
  try {
    const dbs = psql('postgres', "SELECT datname FROM pg_database WHERE datname LIKE 'jetmart\\_ferretdb\\_%' AND NOT datistemplate");
    for (const db of dbs) {
      for (const row of psql(db, 'SELECT schemaname, relname, seq_scan, seq_tup_read, coalesce(idx_scan, 0) FROM pg_stat_user_tables')) {
        const [schema, table, seq, seqRows, idx] = row.split('|');
        // FerretDB names a collection's table <collection>_<hash>. Summed over databases: only the
        // platform's moves during a phase, so the others add nothing to a difference.
        const t = (stats[`${schema}.${table.replace(/_[0-9a-f]{8}$/, '')}`] ??= { seqScans: 0, seqRows: 0, indexScans: 0 });
        t.seqScans += Number(seq);
        t.seqRows += Number(seqRows);
        t.indexScans += Number(idx);
      }
    }
  } catch (err) {
    console.error(`[ferretdb-pg] table statistics unavailable: ${err.message.split('\n')[0]}`);
  }
  return stats;
}

/** after − before per table, per completed checkout, the tables that read most rows without an index first. */
function tableStatsPerCheckout(before, after, completed) {
  const rows = [];
  for (const [table, a] of Object.entries(after)) {
    const b = before[table] || { seqScans: 0, seqRows: 0, indexScans: 0 };
    const d = { seqScans: a.seqScans - b.seqScans, seqRows: a.seqRows - b.seqRows, indexScans: a.indexScans - b.indexScans };
    if (!d.seqScans && !d.indexScans) continue;
    const per = (n) => (completed ? Math.round((n / completed) * 100) / 100 : null);
    rows.push({ table, seqScans: per(d.seqScans), seqRowsRead: per(d.seqRows), indexScans: per(d.indexScans) });
  }
  return rows.sort((x, y) => y.seqRowsRead - x.seqRowsRead).slice(0, 12);
}

// Snapshots at the start and end of each checkout phase (from load.js's log lines).
const STAT_MARKS = [
  [/\[bench\] checkout-only$/, 'checkout', 'before'],
  [/\[bench\] platform checkout: \d+ checkouts in/, 'checkout', 'after'],
  [/\[bench\] growth: seeded in/, 'checkout after growth', 'before'],
  [/\[bench\] checkout after growth: \d+ checkouts in/, 'checkout after growth', 'after'],
];
const tableSnapshots = {};

const marks = [];
const child = spawn(process.execPath, [path.join(__dirname, 'load.js'), ...args], { cwd: root, stdio: ['ignore', 'inherit', 'pipe'] });
let buf = '';
child.stderr.on('data', (b) => {
  process.stderr.write(b);
  buf += b.toString();
  const lines = buf.split('\n');
  buf = lines.pop();
  for (const line of lines) {
    marks.push({ t: Date.now(), line });
    for (const [re, phase, when] of STAT_MARKS) if (re.test(line)) (tableSnapshots[phase] ??= {})[when] = tableStats();
  }
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
    // load.js's key of the phase ("checkout after growth" is checkoutAfterGrowth there).
    const key = name === 'checkout after growth' ? 'checkoutAfterGrowth' : name;
    const platformCpu = (results[key]?.cpu || {}).total;
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
  results.postgresTablesPerCheckout = {};
  for (const [phase, snap] of Object.entries(tableSnapshots)) {
    if (!snap.before || !snap.after) continue;
    const rows = tableStatsPerCheckout(snap.before, snap.after, phases[phase]?.completed);
    results.postgresTablesPerCheckout[phase] = rows;
    console.error(`[ferretdb-pg] ${phase}: per completed checkout, the tables read most without an index (PostgreSQL statistics):`);
    console.table(rows);
  }
  results.loadavgAfter = os.loadavg();
  fs.writeFileSync(out, JSON.stringify(results, null, 2));
  console.error(`[ferretdb-pg] results with postgresCpu: ${out}`);
  process.exit(code ?? 1);
});
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
