#!/usr/bin/env node
// Replays a Dockerfile without Docker (this machine has no engine): every stage gets its own root
// folder; FROM <earlier stage> copies that stage, FROM <image> starts empty (the host's node and
// npm stand in for the image's); COPY takes from the build context (the repository filtered by
// .dockerignore) or --from a stage; WORKDIR and ENV apply; RUN runs in sh in the stage's WORKDIR.
// ARG follows Docker's scoping: ARGs before the first FROM are global (visible in FROM lines only);
// inside a stage an ARG is visible after its ARG instruction (and in stages built FROM that stage),
// `ARG NAME` without a value takes --build-arg NAME=..., else the global default. $NAME / ${NAME}
// are substituted in FROM, COPY, WORKDIR, ENV, USER, EXPOSE; RUN gets the ARGs and ENVs in scope as
// environment variables. Where Docker would silently use an empty string (an ARG used outside its
// stage, an ARG without a value) the replay fails instead.
// Then it checks the runtime stage: the CMD's entry file exists and every package the built JS
// requires resolves from production dependencies alone.
// Usage: node infra/tools/docker-sim.mjs <workspace> [-f <Dockerfile>] [--build-arg NAME=VALUE]... [<keep dir>]
//   <workspace>  the image's workspace (for the runtime checks); -f defaults to <workspace>/Dockerfile
//   e.g. node infra/tools/docker-sim.mjs orders -f infra/docker/service.Dockerfile --build-arg SERVICE=orders
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';

const repo = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..');
const usage = 'usage: docker-sim.mjs <workspace> [-f <Dockerfile>] [--build-arg NAME=VALUE]... [<keep dir>]';
const positional = [];
const buildArgs = {};
let dockerfile;
for (let i = 2; i < process.argv.length; i++) {
  const a = process.argv[i];
  const value = () => {
    if (a.includes('=') && a.startsWith('--')) return a.slice(a.indexOf('=') + 1);
    if (i + 1 >= process.argv.length) throw new Error(`${a} needs a value. ${usage}`);
    return process.argv[++i];
  };
  if (a === '-f' || a === '--file' || a.startsWith('--file=')) dockerfile = value();
  else if (a === '--build-arg' || a.startsWith('--build-arg=')) {
    const kv = value();
    const eq = kv.indexOf('=');
    if (eq <= 0) throw new Error(`--build-arg ${kv}: expected NAME=VALUE`);
    buildArgs[kv.slice(0, eq)] = kv.slice(eq + 1);
  } else if (a.startsWith('-')) throw new Error(`unknown option ${a}. ${usage}`);
  else positional.push(a);
}
const [ws, keep] = positional;
if (!ws || positional.length > 2) throw new Error(usage);
dockerfile ??= path.join(ws, 'Dockerfile');
const work = keep ?? fs.mkdtempSync(path.join(os.tmpdir(), `jetmart-docker-${ws}-`));
const t0 = Date.now();
const log = (m) => console.log(`[${ws} ${((Date.now() - t0) / 1000).toFixed(0)}s] ${m}`);

// --- build context: files git knows (tracked or untracked-not-ignored), minus .dockerignore ---
function ignoreMatcher(text) {
  const rules = text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'))
    .map((p) => {
      const neg = p.startsWith('!');
      const pat = (neg ? p.slice(1) : p).replace(/^\/+|\/+$/g, '');
      const re = pat
        .split('/')
        .map((seg) =>
          seg === '**'
            ? '(?:.*/)?'
            : seg
                .replace(/[.+^${}()|[\]\\]/g, '\\$&')
                .replace(/\*/g, '[^/]*')
                .replace(/\?/g, '[^/]') + '/',
        )
        .join('');
      return { neg, re: new RegExp(`^${re.replace(/\(\?:\.\*\/\)\?$/, '.*/').replace(/\/$/, '')}(/.*)?$`) };
    });
  return (f) => rules.reduce((ignored, r) => (r.re.test(f) ? !r.neg : ignored), false);
}
const ignored = ignoreMatcher(fs.readFileSync(path.join(repo, '.dockerignore'), 'utf8'));
const context = path.join(work, 'context');
const files = execFileSync('git', ['ls-files', '-co', '--exclude-standard', '-z'], { cwd: repo, encoding: 'utf8' })
  .split('\0')
  .filter(Boolean);
let n = 0;
for (const f of files) {
  if (ignored(f) || !fs.existsSync(path.join(repo, f))) continue;
  fs.mkdirSync(path.dirname(path.join(context, f)), { recursive: true });
  fs.copyFileSync(path.join(repo, f), path.join(context, f));
  n++;
}
log(`context: ${n} files`);

// --- the Dockerfile ---
const lines = fs.readFileSync(path.resolve(repo, dockerfile), 'utf8').split('\n');
const instructions = [];
for (let i = 0; i < lines.length; i++) {
  const start = i;
  let line = lines[i];
  if (/^\s*(#|$)/.test(line)) continue;
  while (/\\\s*$/.test(line)) line = line.replace(/\\\s*$/, ' ') + lines[++i];
  const m = /^\s*(\w+)\s+(.*)$/.exec(line);
  instructions.push({ cmd: m[1].toUpperCase(), args: m[2].trim(), line: start + 1 });
}
log(
  `${path.relative(repo, path.resolve(repo, dockerfile))}${
    Object.keys(buildArgs).length
      ? ` with ${Object.entries(buildArgs)
          .map(([k, v]) => `--build-arg ${k}=${v}`)
          .join(' ')}`
      : ''
  }`,
);

// --- ARG scoping and variable substitution ---
const argNames = new Set(instructions.filter((i) => i.cmd === 'ARG').map((i) => /^(\w+)/.exec(i.args)?.[1]));
for (const k of Object.keys(buildArgs)) if (!argNames.has(k)) log(`WARNING: --build-arg ${k} is not declared by any ARG (not used)`);
const globalArgs = {};
const argDecl = (args) => {
  const m = /^(\w+)(?:=(.*))?$/.exec(args);
  if (!m) throw new Error(`ARG ${args}: expected NAME or NAME=default`);
  return [m[1], m[2]?.replace(/^"(.*)"$/, '$1')];
};
// vars: the ARGs (name -> value or undefined) and ENVs in scope
const substitute = ({ cmd, args, line }, vars, where) =>
  args.replace(/\$(?:\{(\w+)\}|(\w+))/g, (ref, a, b) => {
    const name = a ?? b;
    if (name in vars) {
      if (vars[name] === undefined)
        throw new Error(`line ${line}: ${cmd} ${args}: ARG ${name} has no value in ${where} (pass --build-arg ${name}=...)`);
      return vars[name];
    }
    if (argNames.has(name))
      throw new Error(
        `line ${line}: ${cmd} ${args}: ${ref} is not in scope in ${where} (an ARG goes out of scope at the end of its stage: re-declare "ARG ${name}" there)`,
      );
    return ref;
  });

fs.mkdirSync(path.join(work, 'npm-cache'), { recursive: true });
const stages = [];
let st;
const cp = (from, to) => {
  fs.mkdirSync(path.dirname(to), { recursive: true });
  execFileSync('cp', ['-a', from, to]);
};
for (const ins of instructions) {
  const { cmd } = ins;
  if (!st && cmd !== 'FROM') {
    if (cmd !== 'ARG') throw new Error(`line ${ins.line}: ${cmd} before FROM`);
    const [k, def] = argDecl(ins.args);
    globalArgs[k] = buildArgs[k] ?? def;
    continue;
  }
  const where =
    cmd === 'FROM' ? 'a FROM line (only the global ARGs, before the first FROM, are visible)' : `stage ${st.name ?? stages.length - 1}`;
  const args =
    cmd === 'FROM'
      ? substitute(ins, globalArgs, where)
      : ['RUN', 'CMD', 'ENTRYPOINT', 'ARG'].includes(cmd)
        ? ins.args
        : substitute(ins, { ...st.args, ...st.env }, where);
  if (cmd === 'FROM') {
    const [, image, name] = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(args);
    const root = path.join(work, `stage${stages.length}-${name ?? 'anon'}`);
    const base = stages.find((s) => s.name === image.toLowerCase());
    if (base) cp(base.root, root);
    else fs.mkdirSync(root, { recursive: true });
    // a stage built FROM an earlier one inherits its ENVs and (BuildKit) its ARGs
    st = {
      name: name?.toLowerCase(),
      root,
      cwd: base?.cwd ?? '/',
      env: { ...(base?.env ?? {}) },
      args: { ...(base?.args ?? {}) },
      cmd: base?.cmd,
    };
    stages.push(st);
    log(`FROM ${args}`);
  } else if (cmd === 'ARG') {
    const [k, def] = argDecl(args);
    st.args[k] = buildArgs[k] ?? def ?? globalArgs[k];
  } else if (cmd === 'WORKDIR') {
    st.cwd = path.posix.resolve(st.cwd, args);
    fs.mkdirSync(path.join(st.root, st.cwd), { recursive: true });
  } else if (cmd === 'ENV') {
    for (const [, k, v] of args.matchAll(/(\w+)=("[^"]*"|\S+)/g)) st.env[k] = v.replace(/^"|"$/g, '');
  } else if (cmd === 'COPY') {
    const from = /--from=(\S+)/.exec(args)?.[1];
    const parts = args.replace(/--\S+\s*/g, '').split(/\s+/);
    const dest = parts.pop();
    const destAbs = path.join(st.root, path.posix.resolve(st.cwd, dest));
    for (const src of parts) {
      const srcAbs = from ? path.join(stages.find((s) => s.name === from).root, src) : path.join(context, src);
      if (!fs.existsSync(srcAbs)) throw new Error(`COPY ${args}: ${src} not found`);
      if (fs.statSync(srcAbs).isDirectory()) {
        fs.mkdirSync(destAbs, { recursive: true });
        execFileSync('cp', ['-a', `${srcAbs}/.`, destAbs]);
      } else {
        const target =
          dest.endsWith('/') || (fs.existsSync(destAbs) && fs.statSync(destAbs).isDirectory())
            ? path.join(destAbs, path.basename(src))
            : destAbs;
        cp(srcAbs, target);
      }
    }
  } else if (cmd === 'RUN') {
    if (/\bchown\b/.test(args)) {
      log(`RUN ${args} (skipped: needs root)`);
      continue;
    }
    log(`RUN ${args}`);
    // the ARGs in scope (with a value) are environment variables of RUN, as in Docker
    const argEnv = Object.fromEntries(Object.entries(st.args).filter(([, v]) => v !== undefined));
    for (const m of args.matchAll(/\$(?:\{(\w+)\}|(\w+))/g)) {
      const name = m[1] ?? m[2];
      if (argNames.has(name) && !(name in st.env) && argEnv[name] === undefined) {
        throw new Error(
          `line ${ins.line}: RUN ${args}: $${name} is ${name in st.args ? 'an ARG without a value (pass --build-arg)' : `not in scope in stage ${st.name} (re-declare "ARG ${name}" there)`}`,
        );
      }
    }
    const runSh = (script) =>
      spawnSync('sh', ['-c', script], {
        cwd: path.join(st.root, st.cwd),
        // own npm cache: the images' `npm cache clean --force` must not empty the host's
        env: { ...process.env, ...argEnv, ...st.env, npm_config_update_notifier: 'false', npm_config_cache: path.join(work, 'npm-cache') },
        stdio: ['ignore', 'inherit', 'pipe'],
        encoding: 'utf8',
      });
    let r = runSh(args);
    process.stderr.write(
      r.stderr
        .split('\n')
        .filter((l) => !/nodedir|EBADENGINE/.test(l))
        .join('\n'),
    );
    if (
      r.status !== 0 &&
      /npm ci/.test(args) &&
      /EUSAGE[\s\S]*Missing: .* from lock file/.test(r.stderr) &&
      process.env.JETMART_SIM_CI_FALLBACK === '1'
    ) {
      // This machine's registry lacks other platforms' optional packages, so a lock made here omits
      // them and npm 11's `npm ci` refuses it. Opt-in: replay with `npm install --no-save` instead.
      log('WARNING: npm ci refused the lock (entries missing); replaying with npm install --no-save (JETMART_SIM_CI_FALLBACK=1)');
      r = runSh(args.replace(/npm ci\b/g, 'npm install --no-save'));
      process.stderr.write(
        r.stderr
          .split('\n')
          .filter((l) => !/nodedir|EBADENGINE|npm warn/.test(l))
          .join('\n'),
      );
    }
    if (r.status !== 0) throw new Error(`RUN failed (exit ${r.status}): ${args}`);
  } else if (cmd === 'CMD') {
    st.cmd = JSON.parse(args);
  }
}

// --- the runtime stage ---
const rt = stages[stages.length - 1];
const appDir = path.join(rt.root, rt.cwd);
const entry = rt.cmd.find((a, i) => i > 0 && /\.(c|m)?js$|\/next$/.test(a));
const entryPath = entry.startsWith('/') ? path.join(rt.root, entry) : path.join(appDir, entry);
if (!fs.existsSync(entryPath)) throw new Error(`runtime CMD ${JSON.stringify(rt.cmd)}: ${entry} is missing`);
const walk = (d) =>
  fs
    .readdirSync(d, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? (e.name === 'node_modules' ? [] : walk(path.join(d, e.name))) : [path.join(d, e.name)]));
const built = fs.existsSync(path.join(appDir, 'dist')) ? walk(path.join(appDir, 'dist')).filter((f) => f.endsWith('.js')) : [];
const missing = new Set();
for (const f of built) {
  const req = createRequire(f);
  for (const [, spec] of fs.readFileSync(f, 'utf8').matchAll(/require\("([^"./][^"]*)"\)/g)) {
    if (spec.startsWith('node:')) continue;
    try {
      req.resolve(spec);
    } catch {
      missing.add(`${spec} (from ${path.relative(rt.root, f)})`);
    }
  }
}
if (ws === 'client') {
  for (const f of ['.next/BUILD_ID', 'package.json']) if (!fs.existsSync(path.join(appDir, f))) missing.add(f);
  try {
    createRequire(path.join(appDir, 'package.json')).resolve('next');
  } catch {
    missing.add('next');
  }
}
if (missing.size) throw new Error(`runtime stage cannot load: ${[...missing].join(', ')}`);
const size = execFileSync('du', ['-sh', rt.root], { encoding: 'utf8' }).split('\t')[0];
log(
  `OK: runtime stage ${size} (without the base image), CMD ${JSON.stringify(rt.cmd)} in ${rt.cwd}, ${built.length} built JS files resolve`,
);
if (!keep) fs.rmSync(work, { recursive: true, force: true });
