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

/** Build arguments passed to a build, like `docker build --build-arg NAME=value`. */
export type BuildArgs = Record<string, string>;

const VAR = /\$(?:\{(\w+)\}|(\w+))/g;

/**
 * Reads a Dockerfile into stages. Variables are substituted the way BuildKit does, with
 * `buildArgs` as the `--build-arg` values: FROM lines see only the global ARGs (declared before the
 * first FROM); inside a stage an ARG is in scope only after its ARG instruction in that stage (or
 * in a stage it is built FROM), and `ARG NAME` without a value takes the build argument, else the
 * global default. `$NAME`/`${NAME}` are replaced in every instruction but CMD/ENTRYPOINT (Docker
 * does not expand them; RUN's shell sees the ARGs and ENVs in scope as environment variables, so
 * its references are replaced too). Scope mistakes go to `problems`: a variable that is an ARG
 * somewhere in the file but not in scope where it is used (it would be empty), an ARG in scope
 * without a value, and a build-time variable in CMD/ENTRYPOINT (not there at run time).
 */
export function parseDockerfile(text: string, buildArgs: BuildArgs = {}, problems: string[] = []): Stage[] {
  const stages: Stage[] = [];
  const lines = text.split('\n');
  const raw: Instruction[] = [];
  for (let i = 0; i < lines.length; i++) {
    const start = i;
    let line = lines[i];
    if (/^\s*(#|$)/.test(line)) continue;
    while (/\\\s*$/.test(line) && i + 1 < lines.length) {
      line = line.replace(/\\\s*$/, ' ') + lines[++i].replace(/^\s*#.*$/, '');
    }
    const m = /^\s*([A-Za-z]+)\s+(.*)$/.exec(line);
    if (!m) throw new Error(`line ${start + 1}: cannot read "${line}"`);
    raw.push({ cmd: m[1].toUpperCase(), args: m[2].trim().replace(/\s+/g, ' '), line: start + 1 });
  }
  const argNames = new Set(
    raw
      .filter((i) => i.cmd === 'ARG')
      .map((i) => /^(\w+)/.exec(i.args)?.[1])
      .filter(Boolean) as string[],
  );
  const global = new Map<string, string | undefined>();
  const scopes: { args: Map<string, string | undefined>; env: Map<string, string> }[] = [];
  const expand = (ins: Instruction, vars: Map<string, string | undefined>, where: string) =>
    ins.args.replace(VAR, (ref, a, b) => {
      const name = a ?? b;
      if (vars.has(name)) {
        const v = vars.get(name);
        if (v === undefined) problems.push(`line ${ins.line}: ARG ${name} has no value in ${where} (pass --build-arg ${name}=...)`);
        return v ?? '';
      }
      if (argNames.has(name)) {
        problems.push(
          `line ${ins.line}: ${ref} is not in scope in ${where} (an ARG goes out of scope at the end of its stage: re-declare "ARG ${name}" in this stage)`,
        );
        return '';
      }
      return ref; // not a build variable (e.g. one of the base image's or the shell's)
    });
  for (const ins of raw) {
    if (ins.cmd === 'FROM') {
      const args = expand(ins, global, 'a FROM line (only global ARGs, declared before the first FROM, are visible)');
      const f = /^(?:--platform=\S+\s+)?(\S+)(?:\s+AS\s+(\S+))?$/i.exec(args);
      if (!f) throw new Error(`line ${ins.line}: bad FROM`);
      const base = stages.findIndex((s) => s.name === f[1].toLowerCase());
      stages.push({ from: f[1], name: f[2]?.toLowerCase(), instructions: [] });
      scopes.push({ args: new Map(base >= 0 ? scopes[base].args : []), env: new Map(base >= 0 ? scopes[base].env : []) });
      continue;
    }
    if (!stages.length) {
      if (ins.cmd !== 'ARG') throw new Error(`line ${ins.line}: ${ins.cmd} before FROM`);
      const [, name, , def] = /^(\w+)(=(.*))?$/.exec(ins.args) ?? [];
      if (name) global.set(name, buildArgs[name] ?? def?.replace(/^"(.*)"$/, '$1'));
      continue;
    }
    const stage = stages[stages.length - 1];
    const scope = scopes[scopes.length - 1];
    const where = `stage ${stage.name ?? stages.length - 1}`;
    const vars = new Map<string, string | undefined>([...scope.args, ...scope.env]);
    let args = ins.args;
    if (ins.cmd === 'ARG') {
      const [, name, , def] = /^(\w+)(=(.*))?$/.exec(ins.args) ?? [];
      if (name) scope.args.set(name, buildArgs[name] ?? (def !== undefined ? def.replace(/^"(.*)"$/, '$1') : global.get(name)));
    } else if (ins.cmd === 'CMD' || ins.cmd === 'ENTRYPOINT') {
      for (const [ref, a, b] of ins.args.matchAll(VAR)) {
        if (argNames.has(a ?? b))
          problems.push(`line ${ins.line}: ${ref} in ${ins.cmd} is a build argument, not set when the container runs`);
      }
    } else {
      args = expand(ins, vars, where);
      if (ins.cmd === 'ENV') for (const [, k, v] of args.matchAll(/(\w+)=("[^"]*"|\S+)/g)) scope.env.set(k, v.replace(/^"|"$/g, ''));
    }
    stage.instructions.push({ ...ins, args });
  }
  return stages;
}

/**
 * Problems with a service's Dockerfile built for `workspace` (with `buildArgs`, e.g. the shared
 * infra/docker/service.Dockerfile with { SERVICE: workspace }); [] when it follows the rules.
 */
export function lintDockerfile(text: string, workspace: string, repo?: string, buildArgs: BuildArgs = {}): string[] {
  const problems: string[] = [];
  let stages: Stage[];
  try {
    stages = parseDockerfile(text, buildArgs, problems);
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
    if (!last.instructions.some((i) => i.cmd === 'EXPOSE' && i.args.split(' ').includes('3000')))
      problems.push('the runtime stage must EXPOSE 3000');
    if (last.instructions.some((i) => i.cmd === 'RUN' && /npm (ci|install|i)\b/.test(i.args)))
      problems.push('the runtime stage must not install packages');
    if (
      !/NODE_ENV=production/.test(
        last.instructions
          .filter((i) => i.cmd === 'ENV')
          .map((i) => i.args)
          .join(' '),
      )
    )
      problems.push('the runtime stage must set NODE_ENV=production');
  }
  const all = stages.flatMap((s) => s.instructions);
  const runs = all.filter((i) => i.cmd === 'RUN').map((i) => i.args);
  if (!runs.some((r) => new RegExp(`npm ci\\b.*--workspace "?${workspace}"?(\\s|$)`).test(r)))
    problems.push(`no "npm ci --workspace ${workspace}" (install from the workspace lock)`);
  if (!runs.some((r) => /npm ci\b.*--omit=dev/.test(r))) problems.push('no production-only install (npm ci --omit=dev) for the runtime');
  if (runs.some((r) => /npm (install|i)\b/.test(r))) problems.push('use npm ci (the lock), not npm install');
  if (!runs.some((r) => r.includes('npm run build --workspace common'))) problems.push('@jetmart/common must be built before the service');
  if (!all.some((i) => i.cmd === 'COPY' && /package-lock\.json/.test(i.args))) problems.push('package-lock.json is not copied');
  for (const i of all) {
    if (i.cmd === 'ADD') problems.push(`line ${i.line}: use COPY, not ADD`);
    if (i.cmd === 'RUN' && /(^|[\s;&|])\/app\b/.test(i.args))
      problems.push(`line ${i.line}: RUN must use paths relative to WORKDIR (scripts/check-docker-build.sh replays it)`);
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
