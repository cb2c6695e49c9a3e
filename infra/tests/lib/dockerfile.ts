/**
 * A small Dockerfile reader and the project's rules for its images (hadolint is not obtainable on
 * this machine: no Haskell toolchain, not in Debian's or npm's registries).
 */
import fs from 'node:fs';
import path from 'node:path';

export interface Instruction {
  cmd: string; // upper case
  args: string;
  line: number;
}
export interface Stage {
  from: string;
  name?: string;
  instructions: Instruction[];
}

export function parseDockerfile(text: string): Stage[] {
  const stages: Stage[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const start = i;
    let line = lines[i];
    if (/^\s*(#|$)/.test(line)) continue;
    while (/\\\s*$/.test(line) && i + 1 < lines.length) {
      line = line.replace(/\\\s*$/, ' ') + lines[++i].replace(/^\s*#.*$/, '');
    }
    const m = /^\s*([A-Za-z]+)\s+(.*)$/.exec(line);
    if (!m) throw new Error(`line ${start + 1}: cannot read "${line}"`);
    const ins = { cmd: m[1].toUpperCase(), args: m[2].trim().replace(/\s+/g, ' '), line: start + 1 };
    if (ins.cmd === 'FROM') {
      const f = /^(?:--platform=\S+\s+)?(\S+)(?:\s+AS\s+(\S+))?$/i.exec(ins.args);
      if (!f) throw new Error(`line ${start + 1}: bad FROM`);
      stages.push({ from: f[1], name: f[2]?.toLowerCase(), instructions: [] });
    } else {
      if (!stages.length) {
        if (ins.cmd === 'ARG') continue;
        throw new Error(`line ${start + 1}: ${ins.cmd} before FROM`);
      }
      stages[stages.length - 1].instructions.push(ins);
    }
  }
  return stages;
}

/** Problems with a service's Dockerfile; [] when it follows the rules. */
export function lintDockerfile(text: string, workspace: string, repo?: string): string[] {
  const problems: string[] = [];
  let stages: Stage[];
  try {
    stages = parseDockerfile(text);
  } catch (e) {
    return [(e as Error).message];
  }
  const names = new Set(stages.map((s) => s.name).filter(Boolean));
  if (stages.length < 2) problems.push('not multi-stage: build and runtime must be separate stages');
  for (const s of stages) {
    if (names.has(s.from.toLowerCase())) continue;
    const pinned = /@sha256:[0-9a-f]{64}$/.test(s.from) || /^[^:@]+:\d+\.\d+\.\d+[\w.-]*$/.test(s.from);
    if (!pinned) problems.push(`base image ${s.from} is not pinned to an exact version (name:X.Y.Z[-variant] or a digest)`);
  }
  const last = stages[stages.length - 1];
  if (last) {
    if (last.name !== 'runtime') problems.push('the last (default) stage must be named "runtime"');
    if (names.has(last.from.toLowerCase())) problems.push('the runtime stage must start from a fresh base image, not from a build stage');
    const users = last.instructions.filter((i) => i.cmd === 'USER');
    const user = users[users.length - 1]?.args;
    if (!user || /^(root|0)(:|$)/.test(user)) problems.push('the runtime stage must run as a non-root USER');
    const cmd = last.instructions.filter((i) => i.cmd === 'CMD' || i.cmd === 'ENTRYPOINT').pop();
    if (!cmd || !cmd.args.startsWith('[')) problems.push('the runtime stage needs an exec-form CMD (so the process gets SIGTERM)');
    if (!last.instructions.some((i) => i.cmd === 'EXPOSE' && i.args.split(' ').includes('3000'))) problems.push('the runtime stage must EXPOSE 3000');
    if (last.instructions.some((i) => i.cmd === 'RUN' && /npm (ci|install|i)\b/.test(i.args))) problems.push('the runtime stage must not install packages');
    if (!/NODE_ENV=production/.test(last.instructions.filter((i) => i.cmd === 'ENV').map((i) => i.args).join(' '))) problems.push('the runtime stage must set NODE_ENV=production');
  }
  const all = stages.flatMap((s) => s.instructions);
  const runs = all.filter((i) => i.cmd === 'RUN').map((i) => i.args);
  if (!runs.some((r) => new RegExp(`npm ci\\b.*--workspace ${workspace}\\b`).test(r))) problems.push(`no "npm ci --workspace ${workspace}" (install from the workspace lock)`);
  if (!runs.some((r) => /npm ci\b.*--omit=dev/.test(r))) problems.push('no production-only install (npm ci --omit=dev) for the runtime');
  if (runs.some((r) => /npm (install|i)\b/.test(r))) problems.push('use npm ci (the lock), not npm install');
  if (!runs.some((r) => r.includes('npm run build --workspace common'))) problems.push('@jetmart/common must be built before the service');
  if (!all.some((i) => i.cmd === 'COPY' && /package-lock\.json/.test(i.args))) problems.push('package-lock.json is not copied');
  for (const i of all) {
    if (i.cmd === 'ADD') problems.push(`line ${i.line}: use COPY, not ADD`);
    if (i.cmd === 'RUN' && /(^|[\s;&|])\/app\b/.test(i.args)) problems.push(`line ${i.line}: RUN must use paths relative to WORKDIR (scripts/check-docker-build.sh replays it)`);
    if (i.cmd === 'RUN' && /\bsudo\b/.test(i.args)) problems.push(`line ${i.line}: no sudo`);
    if (repo && i.cmd === 'COPY' && !i.args.startsWith('--from')) {
      const parts = i.args.replace(/--\S+\s*/g, '').split(' ');
      for (const src of parts.slice(0, -1)) {
        if (!fs.existsSync(path.join(repo, src))) problems.push(`line ${i.line}: COPY source ${src} does not exist`);
      }
    }
  }
  return problems;
}
