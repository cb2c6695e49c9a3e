#!/usr/bin/env node
'use strict';
// Summarizes a .cpuprofile: self time by function and by package/file, top N.
//   node bench/profile-summary.js <file.cpuprofile> [N]
const fs = require('node:fs');
const prof = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const N = Number(process.argv[3] || 25);
const byId = new Map(prof.nodes.map((n) => [n.id, n]));
const dt = new Map();
for (let i = 0; i < prof.samples.length; i++) dt.set(prof.samples[i], (dt.get(prof.samples[i]) || 0) + (prof.timeDeltas[i] || 0));
const total = [...dt.values()].reduce((a, b) => a + b, 0);
const fn = new Map();
const pkg = new Map();
for (const [id, us] of dt) {
  const n = byId.get(id);
  const cf = n.callFrame;
  const where = cf.url.replace(/^file:\/\//, '').replace(/.*node_modules\//, 'nm:');
  const key = `${cf.functionName || '(anonymous)'} ${where}:${cf.lineNumber + 1}`;
  fn.set(key, (fn.get(key) || 0) + us);
  const p =
    /nm:((?:@[^/]+\/)?[^/]+)/.exec(where)?.[1] ||
    (where.includes('/dist/')
      ? where
          .replace(/.*\/main\//, '')
          .split('/')
          .slice(0, 2)
          .join('/')
      : cf.url
        ? 'node:' + where.split('/').pop()
        : cf.functionName || '(native)');
  pkg.set(p, (pkg.get(p) || 0) + us);
}
const top = (m) =>
  [...m]
    .sort((a, b) => b[1] - a[1])
    .slice(0, N)
    .map(([k, us]) => `${((100 * us) / total).toFixed(1).padStart(5)}%  ${k}`)
    .join('\n');
console.log(`total sampled ${(total / 1e6).toFixed(2)} s\n\n== by package/file (self)\n${top(pkg)}\n\n== by function (self)\n${top(fn)}`);
