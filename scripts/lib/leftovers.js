'use strict';
/*
 * What a platform run started, on disk, so that the next run can stop what an earlier run could
 * not: a platform killed with SIGKILL has no chance to stop nats-server, FerretDB or the services
 * (they run in their own process groups), and they would run on, holding ports and memory.
 *
 * Each run writes <state dir>/platform/<its pid>.json: itself and every process it started, each
 * with its command line and start time as /proc shows them. A run removes its file once it has
 * stopped everything. At start, every other file whose platform is no longer running is a
 * leftover: its processes that are still the recorded ones (same pid and start time, which no
 * other process can share, so a reused pid is never touched) are killed, the file removed. The
 * command line is kept for the log only: npm rewrites its own (`npm run start`) after starting.
 * Files of a platform that is still running (another `npm start`, a test) are left alone.
 * Needs /proc (Linux); elsewhere nothing is recorded as verifiable and nothing is killed.
 */
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

/** The command line and start time of a live (non-zombie) process, or null. */
function procInfo(pid) {
  if (!Number.isInteger(pid) || pid <= 0) return null;
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after "pid (comm) ": state is the 1st, starttime the 20th (field 22 of proc(5)).
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (fields[0] === 'Z' || fields[0] === 'X') return null;
    const cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    if (!cmdline) return null; // a kernel thread, or exiting
    return { cmdline, start: fields[19] };
  } catch {
    return null;
  }
}

/** Whether `entry` ({pid, start}) is still the process it was when recorded. */
function isSameProcess(entry) {
  if (!entry || !entry.start) return false;
  const now = procInfo(entry.pid);
  return Boolean(now && now.start === entry.start);
}

const runsDir = (stateDir) => path.join(stateDir, 'platform');

/** The record of this run: `add` each process as it starts, `remove` after a clean stop. */
class RunRecord {
  constructor(stateDir) {
    this.file = path.join(runsDir(stateDir), `${process.pid}.json`);
    this.platform = { name: 'platform', pid: process.pid, ...procInfo(process.pid) };
    this.processes = [];
    this.info = {};
  }

  /** What others may ask of a running platform (its URL and data directory: `npm run seed`, a second start). */
  describe(info) {
    Object.assign(this.info, info);
    this.write();
  }

  /** Records a started process (`group`: it leads its own process group, killed as a whole). */
  add(name, pid, { group = false, dirs = [] } = {}) {
    if (!pid) return;
    const info = procInfo(pid);
    this.processes.push({ name, pid, group, cmdline: info ? info.cmdline : null, start: info ? info.start : null, dirs });
    this.write();
  }

  write() {
    try {
      fs.mkdirSync(path.dirname(this.file), { recursive: true });
      const tmp = `${this.file}.tmp`;
      fs.writeFileSync(tmp, JSON.stringify({ platform: this.platform, info: this.info, processes: this.processes }, null, 2));
      fs.renameSync(tmp, this.file);
    } catch {
      // best effort: a read-only checkout still runs
    }
  }

  remove() {
    fs.rmSync(this.file, { force: true });
  }
}

function kill(entry) {
  try {
    process.kill(entry.group ? -entry.pid : entry.pid, 'SIGKILL');
  } catch {
    // gone meanwhile
  }
}

/** Temp dirs a leftover owned (nats-server's JetStream store): removed only when under the OS temp dir. */
function removeDirs(entry) {
  const tmp = fs.realpathSync(os.tmpdir());
  for (const dir of entry.dirs || []) {
    const resolved = path.resolve(dir);
    if (resolved.startsWith(tmp + path.sep) && path.basename(resolved).startsWith('jetmart-'))
      fs.rmSync(resolved, { recursive: true, force: true });
  }
}

/**
 * Kills what earlier, no longer running platforms left behind (see above) and waits until it is
 * gone. Calls `log` once with what was killed, if anything. Returns the killed entries.
 */
async function reapLeftovers(stateDir, log) {
  let files;
  try {
    files = fs.readdirSync(runsDir(stateDir)).filter((f) => /^\d+\.json$/.test(f));
  } catch {
    return [];
  }
  const killed = [];
  const runs = [];
  for (const f of files) {
    const file = path.join(runsDir(stateDir), f);
    let run;
    try {
      run = JSON.parse(fs.readFileSync(file, 'utf8'));
    } catch {
      continue; // being written by a run that is starting
    }
    if (!run || !run.platform || run.platform.pid === process.pid || isSameProcess(run.platform)) continue;
    const alive = (run.processes || []).filter(isSameProcess);
    for (const entry of alive) kill(entry);
    killed.push(...alive);
    runs.push({ file, run, alive });
  }
  // Wait until they are gone (ports and files released); SIGKILL is not refused, only delayed.
  const until = Date.now() + 5000;
  while (killed.some(isSameProcess) && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
  for (const { file, run } of runs) {
    for (const entry of run.processes || []) if (!isSameProcess(entry)) removeDirs(entry);
    fs.rmSync(file, { force: true });
  }
  if (killed.length) {
    const platforms = [...new Set(runs.filter((r) => r.alive.length).map((r) => r.run.platform.pid))].join(', ');
    log(
      `killed what an earlier run (platform pid ${platforms}, no longer running) left behind: ${killed.map((e) => `${e.name} ${e.pid}`).join(', ')}`,
    );
  }
  return killed;
}

/** The records of platforms that are running now (not this process), newest first. */
function runningPlatforms(stateDir) {
  let files;
  try {
    files = fs.readdirSync(runsDir(stateDir)).filter((f) => /^\d+\.json$/.test(f));
  } catch {
    return [];
  }
  const runs = [];
  for (const f of files) {
    try {
      const run = JSON.parse(fs.readFileSync(path.join(runsDir(stateDir), f), 'utf8'));
      if (run && run.platform && run.platform.pid !== process.pid && isSameProcess(run.platform)) runs.push(run);
    } catch {
      // being written
    }
  }
  return runs.sort((a, b) => Number(b.platform.start) - Number(a.platform.start));
}

module.exports = { RunRecord, reapLeftovers, runningPlatforms, procInfo, isSameProcess };
