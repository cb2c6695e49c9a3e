#!/usr/bin/env node
'use strict';
/*
 * Memory of every process of the platform under bench/load.js (issue 21).
 *
 *   node bench/memory.js [--out file.json] -- <bench/load.js arguments>
 *   e.g. node bench/memory.js -- --duration 20 --only checkout,mix
 *
 * Runs bench/load.js unchanged and watches the processes under it from outside:
 *   - peak RSS (VmHWM) per process, named by what it runs (every service by its dist path, so
 *     search, shipping, notifications and ops each get their own line), and its RssAnon/RssFile
 *     split when RSS was highest (anonymous = heaps and buffers; file = mapped code);
 *   - each service's V8 figures from its own /metrics (prom-client's default metrics) sampled when
 *     its RSS was highest: heap total/used, external (Buffers, native memory V8 knows of) and the
 *     new/old space sizes, so a peak can be told apart as young generation, old heap or native.
 * Prints a table per process at the end (MB). Counts are what to compare; the load average is
 * printed beside them because the machine is shared.
 */
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const proc = require('./lib/procstat');

const argv = process.argv.slice(2);
const dashes = argv.indexOf('--');
const own = dashes < 0 ? argv : argv.slice(0, dashes);
const loadArgs = dashes < 0 ? [] : argv.slice(dashes + 1);
const outIdx = own.indexOf('--out');
const OUT = outIdx >= 0 ? own[outIdx + 1] : undefined;

const MB = 1024 * 1024;
const round = (x) => Math.round(x * 10) / 10;

function nameOf(cmd) {
  const m = /\/([a-z-]+)\/dist\/index\.js/.exec(cmd);
  if (m) return m[1];
  if (/scripts\/platform\.js/.test(cmd)) return 'platform+gateway';
  if (/bench\/load\.js/.test(cmd)) return 'bench (load.js)';
  return proc.nameOf(cmd);
}

/** RssAnon/RssFile of one process in MB (Linux /proc/<pid>/status). */
function rssSplit(pid) {
  let status;
  try {
    status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return undefined;
  }
  const kb = (k) => Number((new RegExp(`^${k}:\\s+(\\d+)`, 'm').exec(status) || [])[1] || 0) / 1024;
  return { rss: kb('VmRSS'), hwm: kb('VmHWM'), anon: kb('RssAnon'), file: kb('RssFile') };
}

const METRICS = {
  heapTotal: /^nodejs_heap_size_total_bytes (\S+)/m,
  heapUsed: /^nodejs_heap_size_used_bytes (\S+)/m,
  external: /^nodejs_external_memory_bytes (\S+)/m,
  newSpace: /^nodejs_heap_space_size_total_bytes\{space="new"\} (\S+)/m,
  oldSpace: /^nodejs_heap_space_size_total_bytes\{space="old"\} (\S+)/m,
  codeSpace: /^nodejs_heap_space_size_total_bytes\{space="code"\} (\S+)/m,
  largeObjects: /^nodejs_heap_space_size_total_bytes\{space="large_object"\} (\S+)/m,
};

async function v8Figures(port) {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/metrics`, { signal: AbortSignal.timeout(1500) });
    const text = await res.text();
    const out = {};
    for (const [k, re] of Object.entries(METRICS)) {
      const m = re.exec(text);
      if (m) out[k] = round(Number(m[1]) / MB);
    }
    return out;
  } catch {
    return undefined;
  }
}

/** The pid file bench/lib/platform.js asks the platform to write (names the services' ports). */
function platformPorts(loadPid) {
  const prefix = `jetmart-bench-${loadPid}-`;
  const file = fs.readdirSync(os.tmpdir()).find((f) => f.startsWith(prefix) && f.endsWith('.json'));
  if (!file) return {};
  try {
    const info = JSON.parse(fs.readFileSync(path.join(os.tmpdir(), file), 'utf8'));
    return Object.fromEntries((info.children || []).filter((c) => c.port).map((c) => [c.pid, c.port]));
  } catch {
    return {};
  }
}

async function main() {
  const child = spawn(process.execPath, [path.join(__dirname, 'load.js'), ...loadArgs], { stdio: ['ignore', 'pipe', 'inherit'] });
  let stdout = '';
  child.stdout.on('data', (b) => (stdout += b.toString()));
  const exited = new Promise((r) => child.once('exit', (code) => r(code)));
  const peak = {}; // name → { hwm, atPeak: {rss, anon, file}, v8 }
  const load = [];
  let busy = false;
  const sample = async () => {
    if (busy) return;
    busy = true;
    try {
      const ports = platformPorts(child.pid);
      for (const p of proc.tree(child.pid)) {
        const m = rssSplit(p.pid);
        if (!m) continue;
        const name = nameOf(p.cmd);
        const cur = (peak[name] ||= { hwm: 0, rss: 0 });
        cur.hwm = Math.max(cur.hwm, m.hwm);
        if (m.rss >= cur.rss) {
          Object.assign(cur, { rss: m.rss, anon: m.anon, file: m.file });
          if (ports[p.pid]) {
            const v8 = await v8Figures(ports[p.pid]);
            if (v8) cur.v8 = v8;
          }
        }
      }
      load.push(os.loadavg()[0]);
    } finally {
      busy = false;
    }
  };
  const timer = setInterval(() => void sample(), 500);
  const code = await exited;
  clearInterval(timer);

  const rows = Object.entries(peak)
    .filter(([n]) => n !== 'bench (load.js)')
    .map(([name, p]) => ({
      name,
      hwm: round(p.hwm),
      anonAtPeak: round(p.anon || 0),
      fileAtPeak: round(p.file || 0),
      ...(p.v8 || {}),
    }))
    .sort((a, b) => b.hwm - a.hwm);
  const result = {
    loadArgs,
    exitCode: code,
    loadAverage: { min: round(Math.min(...load)), max: round(Math.max(...load)), atEnd: os.loadavg().map(round) },
    peakMemoryMb: rows,
  };
  let bench;
  try {
    bench = JSON.parse(stdout.slice(stdout.indexOf('{')));
  } catch {
    bench = undefined;
  }
  if (bench) {
    result.checkout = bench.checkout && { checkoutsPerSecond: bench.checkout.checkoutsPerSecond, errors: bench.checkout.errors };
    result.mix = bench.mix && { requestsPerSecond: bench.mix.requestsPerSecond, errors: bench.mix.errors };
  }
  const cols = [
    'hwm',
    'anonAtPeak',
    'fileAtPeak',
    'heapTotal',
    'heapUsed',
    'external',
    'newSpace',
    'oldSpace',
    'codeSpace',
    'largeObjects',
  ];
  console.log(['process'.padEnd(18), ...cols.map((c) => c.padStart(12))].join(''));
  for (const r of rows) console.log([r.name.padEnd(18), ...cols.map((c) => String(r[c] ?? '').padStart(12))].join(''));
  console.log(JSON.stringify({ loadAverage: result.loadAverage, checkout: result.checkout, mix: result.mix, exitCode: code }));
  if (OUT) fs.writeFileSync(OUT, JSON.stringify(result, null, 2) + '\n');
  process.exitCode = code || 0;
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
