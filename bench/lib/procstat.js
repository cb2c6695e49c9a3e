'use strict';
// /proc readers: CPU time and memory of processes, and the process tree under a pid (Linux only).
const fs = require('node:fs');

const CLK_TCK = 100; // USER_HZ on Linux

function read(file) {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

/** utime+stime of one process in seconds (undefined when it is gone). */
function cpuSeconds(pid) {
  const stat = read(`/proc/${pid}/stat`);
  if (!stat) return undefined;
  // The command name is in parentheses and may contain spaces: fields start after the last ')'.
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) / CLK_TCK; // fields 14 and 15 of stat(5)
}

/** {rssMb, hwmMb} of one process (VmRSS, VmHWM). */
function memory(pid) {
  const status = read(`/proc/${pid}/status`);
  if (!status) return undefined;
  const kb = (k) => Number((new RegExp(`^${k}:\\s+(\\d+)`, 'm').exec(status) || [])[1] || 0);
  return { rssMb: kb('VmRSS') / 1024, hwmMb: kb('VmHWM') / 1024 };
}

function commandLine(pid) {
  return (read(`/proc/${pid}/cmdline`) || '').split('\0').filter(Boolean).join(' ');
}

/** Every live descendant of `root` (and root itself): [{pid, ppid, cmd}]. */
function tree(root) {
  const byParent = new Map();
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    const stat = read(`/proc/${d}/stat`);
    if (!stat) continue;
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    if (!byParent.has(ppid)) byParent.set(ppid, []);
    byParent.get(ppid).push(Number(d));
  }
  const out = [];
  const walk = (pid, ppid) => {
    out.push({ pid, ppid, cmd: commandLine(pid) });
    for (const c of byParent.get(pid) || []) walk(c, pid);
  };
  walk(root, 0);
  return out;
}

/** A readable name for a process of the platform. */
function nameOf(cmd) {
  let m = /\/(auth|products|orders|payments|expiration|shipping|notifications|search|ops)\/dist\/index\.js/.exec(cmd);
  if (m) return m[1];
  if (/nats-server/.test(cmd)) return 'nats-server';
  if (/ferretdb/i.test(cmd)) return 'ferretdb';
  if (/mongod\b/.test(cmd)) return 'mongod';
  if (/scripts\/platform\.js/.test(cmd)) return 'platform+gateway';
  if (/next|client/.test(cmd)) return 'storefront';
  if (/baseline-server/.test(cmd)) return 'baseline';
  return cmd.split(' ')[0].split('/').pop();
}

/** CPU seconds by process name, summed over the tree under `root`. */
function cpuByName(root) {
  const out = {};
  for (const p of tree(root)) {
    const s = cpuSeconds(p.pid);
    if (s === undefined) continue;
    const n = nameOf(p.cmd);
    out[n] = (out[n] || 0) + s;
  }
  return out;
}

/** Samples memory of the tree under `root` every `ms`; stop() returns peak {rssMb, hwmMb} by name. */
function sampleMemory(root, ms = 500) {
  const peak = {};
  const once = () => {
    const now = {};
    for (const p of tree(root)) {
      const m = memory(p.pid);
      if (!m) continue;
      const n = nameOf(p.cmd);
      now[n] = now[n] || { rssMb: 0, hwmMb: 0 };
      now[n].rssMb += m.rssMb;
      now[n].hwmMb += m.hwmMb;
    }
    for (const [n, m] of Object.entries(now)) {
      peak[n] = peak[n] || { rssMb: 0, hwmMb: 0 };
      peak[n].rssMb = Math.max(peak[n].rssMb, m.rssMb);
      peak[n].hwmMb = Math.max(peak[n].hwmMb, m.hwmMb);
    }
  };
  once();
  const t = setInterval(once, ms);
  return {
    stop() {
      clearInterval(t);
      once();
      return peak;
    },
  };
}

function diff(after, before) {
  const out = {};
  for (const [k, v] of Object.entries(after)) out[k] = v - (before[k] || 0);
  return out;
}

/**
 * The PostgreSQL postmaster's pid (its children are every backend and worker): the `postgres`
 * process whose parent is not one. A non-superuser role cannot read data_directory/postmaster.pid,
 * and the benches only use a PostgreSQL on this machine.
 */
function postmasterPid() {
  const comm = (pid) => {
    try {
      return fs.readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
    } catch {
      return '';
    }
  };
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d) || comm(d) !== 'postgres') continue;
    const stat = fs.readFileSync(`/proc/${d}/stat`, 'utf8');
    if (comm(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) !== 'postgres') return Number(d);
  }
  return undefined;
}

module.exports = { cpuSeconds, memory, tree, nameOf, cpuByName, sampleMemory, diff, postmasterPid };
