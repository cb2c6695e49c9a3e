'use strict';
// Latency recording per route and percentile summaries.

function percentile(sorted, p) {
  if (!sorted.length) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i];
}

function summarize(values) {
  const s = [...values].sort((a, b) => a - b);
  const r = (x) => Math.round(x * 10) / 10;
  return { n: s.length, p50: r(percentile(s, 50)), p95: r(percentile(s, 95)), p99: r(percentile(s, 99)), max: r(s[s.length - 1] ?? NaN) };
}

class RouteStats {
  constructor() {
    this.routes = new Map();
  }
  record(route, ms, status) {
    let r = this.routes.get(route);
    if (!r) this.routes.set(route, (r = { lat: [], statuses: {} }));
    r.lat.push(ms);
    r.statuses[status] = (r.statuses[status] || 0) + 1;
  }
  count(route, pred = () => true) {
    const r = this.routes.get(route);
    if (!r) return 0;
    return Object.entries(r.statuses)
      .filter(([s]) => pred(Number(s)))
      .reduce((a, [, n]) => a + n, 0);
  }
  summary(seconds) {
    const out = {};
    for (const [route, r] of this.routes) {
      const errors = Object.entries(r.statuses)
        .filter(([s]) => !(Number(s) >= 200 && Number(s) < 300))
        .reduce((a, [, n]) => a + n, 0);
      out[route] = {
        ...summarize(r.lat),
        rps: seconds ? Math.round((r.lat.length / seconds) * 10) / 10 : undefined,
        errors,
        statuses: r.statuses,
      };
    }
    return out;
  }
}

module.exports = { percentile, summarize, RouteStats };
