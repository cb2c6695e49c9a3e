'use strict';
/*
 * The cost model of a phase (issue 21): counts that noise cannot move, per completed checkout.
 * Every service serves its counters on /metrics (@jetmart/common metrics):
 *   jetmart_db_commands_total{command,collection,collection_kind}  driver command monitoring;
 *                                          kind "lock" = FerretDB document locks (_locks), and
 *                                          "guard" = a guarded write's read under such a lock:
 *                                          both apart from "data", the commands MongoDB is sent
 *   jetmart_events_published_total{subject}         JetStream publishes (acked by the server)
 *   jetmart_jetstream_acks_total{subject,kind}      ack / nak / term sent by listeners
 *   jetmart_events_consumed_total{subject,outcome}  deliveries handled
 * The bench scrapes them before and after a phase and divides the difference by the checkouts
 * completed in it. Periodic work (relay safety-net scans, sweepers) that runs during the phase is
 * included: it is part of what the platform spends while serving that load.
 */

const COUNTERS = [
  'jetmart_db_commands_total',
  'jetmart_events_published_total',
  'jetmart_jetstream_acks_total',
  'jetmart_events_consumed_total',
];

function parseCounters(text) {
  const out = {};
  for (const m of text.matchAll(/^(jetmart_\w+_total)\{([^}]*)\} (\S+)$/gm)) {
    if (!COUNTERS.includes(m[1])) continue;
    const labels = Object.fromEntries([...m[2].matchAll(/(\w+)="([^"]*)"/g)].map((x) => [x[1], x[2]]));
    (out[m[1]] ??= []).push({ labels, value: Number(m[3]) });
  }
  return out;
}

/** Every service's counters: { service: { metric: [{labels, value}] } }. A service that does not answer counts nothing. */
async function scrapeCounters(servicePorts) {
  const out = {};
  await Promise.all(
    Object.entries(servicePorts || {}).map(async ([svc, port]) => {
      const text = await fetch(`http://127.0.0.1:${port}/metrics`).then(
        (r) => r.text(),
        () => '',
      );
      out[svc] = parseCounters(text);
    }),
  );
  return out;
}

const key = (labels, names) => names.map((n) => labels[n]).join(' ');

/** after − before of one metric of one service, grouped by the given labels. */
function delta(after, before, metric, names, filter = () => true) {
  const res = {};
  for (const s of after?.[metric] || []) {
    if (!filter(s.labels)) continue;
    const k = key(s.labels, names);
    res[k] = (res[k] || 0) + s.value;
  }
  for (const s of before?.[metric] || []) {
    if (!filter(s.labels)) continue;
    const k = key(s.labels, names);
    res[k] = (res[k] || 0) - s.value;
  }
  for (const k of Object.keys(res)) if (!res[k]) delete res[k];
  return res;
}

/** Commands that exist only because FerretDB's writes need document locks (common/src/lock). */
const LOCKING_KINDS = ['lock', 'guard'];

const sum = (o) => Object.values(o).reduce((a, b) => a + b, 0);
const per = (n, completed) => (completed ? Math.round((n / completed) * 100) / 100 : null);
const perAll = (o, completed) => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, per(v, completed)]));
const sortDesc = (o) => Object.fromEntries(Object.entries(o).sort((a, b) => b[1] - a[1]));

/**
 * Per completed checkout: database commands (lock commands and guard reads apart) by service and by "service command
 * collection", JetStream publishes, acks and consumed events by service (consumed also by
 * subject), CPU-ms by process. `cpu` is cpuDelta()'s {byProcess (s), total (s)}.
 */
function costModel(before, after, completed, cpu) {
  const byService = {};
  const commands = {};
  const consumedBySubject = {};
  const totals = { dbCommands: 0, lockCommands: 0, guardReads: 0, publishes: 0, acks: 0, naks: 0, consumed: 0 };
  for (const svc of Object.keys(after)) {
    const a = after[svc];
    const b = before[svc] || {};
    const data = delta(a, b, 'jetmart_db_commands_total', ['command', 'collection'], (l) => !LOCKING_KINDS.includes(l.collection_kind));
    const lock = delta(a, b, 'jetmart_db_commands_total', ['command'], (l) => l.collection_kind === 'lock');
    const guard = delta(a, b, 'jetmart_db_commands_total', ['collection'], (l) => l.collection_kind === 'guard');
    const published = delta(a, b, 'jetmart_events_published_total', ['subject']);
    const acks = delta(a, b, 'jetmart_jetstream_acks_total', ['kind']);
    const consumed = delta(a, b, 'jetmart_events_consumed_total', ['subject'], (l) => l.outcome === 'ack');
    for (const [k, v] of Object.entries(data)) commands[`${svc} ${k}`] = v;
    for (const [k, v] of Object.entries(consumed)) consumedBySubject[`${svc} ${k}`] = v;
    const row = {
      dbCommands: sum(data),
      lockCommands: sum(lock),
      guardReads: sum(guard),
      publishes: sum(published),
      acks: acks.ack || 0,
      naks: acks.nak || 0,
      consumed: sum(consumed),
    };
    if (!Object.values(row).some(Boolean) && !cpu?.byProcess?.[svc]) continue;
    for (const k of Object.keys(totals)) totals[k] += row[k];
    byService[svc] = {
      ...perAll(row, completed),
      cpuMs: cpu?.byProcess?.[svc] !== undefined ? per(cpu.byProcess[svc] * 1000, completed) : null,
    };
  }
  return {
    completedCheckouts: completed,
    perCheckout: {
      ...perAll(totals, completed),
      cpuMs: cpu ? per(cpu.total * 1000, completed) : null,
      cpuMsByProcess: cpu
        ? sortDesc(perAll(Object.fromEntries(Object.entries(cpu.byProcess).map(([k, v]) => [k, v * 1000])), completed))
        : {},
    },
    byService,
    dbCommandsByServiceCommandCollection: sortDesc(perAll(commands, completed)),
    consumedByServiceSubject: sortDesc(perAll(consumedBySubject, completed)),
    rawCounts: { ...totals },
  };
}

const pad = (s, n) => String(s).padEnd(n);
const num = (v, n = 8) => String(v ?? '—').padStart(n);

/** The headline: a fixed-width table of one or more cost models (columns: label → model). */
function formatCostModels(models, { ratios } = {}) {
  const labels = Object.keys(models);
  const lines = [];
  lines.push('COST MODEL per completed checkout (counts: the same on any machine; CPU-ms: this machine)');
  for (const label of labels) {
    const m = models[label];
    if (!m) continue;
    lines.push('');
    lines.push(
      `[${label}] ${m.completedCheckouts} completed checkouts${m.settled === false ? ' (events still flowing when counting stopped: counts incomplete)' : ''}`,
    );
    lines.push(
      `${pad('service', 14)}${num('db cmds')}${num('locks')}${num('guards')}${num('publish')}${num('acks')}${num('naks')}${num('consumed', 9)}${num('CPU ms')}`,
    );
    const rows = Object.entries(m.byService).sort((a, b) => (b[1].dbCommands || 0) - (a[1].dbCommands || 0));
    for (const [svc, r] of rows)
      lines.push(
        `${pad(svc, 14)}${num(r.dbCommands)}${num(r.lockCommands)}${num(r.guardReads)}${num(r.publishes)}${num(r.acks)}${num(r.naks)}${num(r.consumed, 9)}${num(r.cpuMs)}`,
      );
    const t = m.perCheckout;
    lines.push(
      `${pad('TOTAL', 14)}${num(t.dbCommands)}${num(t.lockCommands)}${num(t.guardReads)}${num(t.publishes)}${num(t.acks)}${num(t.naks)}${num(t.consumed, 9)}${num(t.cpuMs)}`,
    );
    const top = Object.entries(m.dbCommandsByServiceCommandCollection).slice(0, 12);
    lines.push(`  db commands (service command collection): ${top.map(([k, v]) => `${k} ${v}`).join(', ')}`);
    const other = Object.entries(t.cpuMsByProcess || {}).filter(([p]) => !m.byService[p]);
    if (other.length) lines.push(`  CPU ms of other processes: ${other.map(([k, v]) => `${k} ${v}`).join(', ')}`);
  }
  if (ratios) {
    lines.push('');
    lines.push(
      `throughput: ${Object.entries(ratios)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ')}`,
    );
  }
  return lines.join('\n');
}

/** Events published, acked/naked and consumed so far, all services together. */
function eventTotal(counters) {
  let n = 0;
  for (const svc of Object.values(counters))
    for (const m of ['jetmart_events_published_total', 'jetmart_jetstream_acks_total', 'jetmart_events_consumed_total'])
      for (const s of svc[m] || []) n += s.value;
  return n;
}

/**
 * Waits until the asynchronous tail of a phase is over (no event published, acked or consumed in
 * `quietMs`), at most `maxMs`, and returns the last scrape. Under load the events of the last
 * checkouts are handled seconds after the last answer: counting stops only once they are, so each
 * checkout's whole cost is in its phase. Periodic work (sweepers, the relay's safety net) goes on
 * and is counted during the wait too. `settled: false` when it never got quiet.
 */
async function scrapeWhenQuiet(servicePorts, { quietMs = 3000, maxMs = 60_000, everyMs = 500 } = {}) {
  const started = Date.now();
  let last = await scrapeCounters(servicePorts);
  let lastTotal = eventTotal(last);
  let quietSince = Date.now();
  while (Date.now() - quietSince < quietMs) {
    if (Date.now() - started > maxMs) return { counters: last, settled: false, waitedMs: Date.now() - started };
    await new Promise((r) => setTimeout(r, everyMs));
    last = await scrapeCounters(servicePorts);
    const total = eventTotal(last);
    if (total !== lastTotal) {
      lastTotal = total;
      quietSince = Date.now();
    }
  }
  return { counters: last, settled: true, waitedMs: Date.now() - started };
}

module.exports = { scrapeCounters, scrapeWhenQuiet, parseCounters, costModel, formatCostModels };
