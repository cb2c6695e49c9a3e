import fs from 'node:fs';
import path from 'node:path';
import { repo } from './lib/tools';

/**
 * `npm ci` is the only install path (scripts/setup.sh, scripts/test.sh, CI, Dockerfiles), so the
 * lock must serve every platform a contributor or an image builds on. npm writes a package's
 * optional platform binaries (@swc/core-darwin-arm64, @next/swc-win32-x64-msvc, ...) into the lock
 * only when it resolves them; a lock produced from an existing node_modules can list the host's
 * binary alone, and `npm ci` on another OS then installs none (or refuses the lock).
 */
interface LockEntry {
  version?: string;
  optionalDependencies?: Record<string, string>;
}
const lock = JSON.parse(fs.readFileSync(path.join(repo, 'package-lock.json'), 'utf8')) as {
  lockfileVersion: number;
  packages: Record<string, LockEntry>;
};

/** Where node would find `name` from the package installed at `at` (nested node_modules first, then each parent). */
function resolveFrom(at: string, name: string): string | undefined {
  let base = at;
  for (;;) {
    const candidate = `${base ? `${base}/` : ''}node_modules/${name}`;
    if (lock.packages[candidate]) return candidate;
    if (base === '') return undefined;
    const i = base.lastIndexOf('node_modules/');
    base = i <= 0 ? '' : base.slice(0, i - 1);
  }
}

const withOptionals = Object.entries(lock.packages).filter(([, entry]) => entry.optionalDependencies);

test('the lock is a v3 lock with a packages map', () => {
  expect(lock.lockfileVersion).toBe(3);
  expect(Object.keys(lock.packages).length).toBeGreaterThan(100);
});

test('packages known to ship per-platform binaries are in the lock with their optional dependencies', () => {
  // Guards the check below against passing vacuously (e.g. an entry renamed or a lock format change).
  const names = withOptionals.map(([at]) => at);
  expect(names).toEqual(expect.arrayContaining(['node_modules/@swc/core', 'node_modules/next']));
});

test('every optional dependency named in the lock has its own node_modules entry (every platform binary is listed)', () => {
  const missing: string[] = [];
  for (const [at, entry] of withOptionals) {
    for (const name of Object.keys(entry.optionalDependencies!)) {
      if (!resolveFrom(at, name)) missing.push(`${at || '(root)'} -> ${name}`);
    }
  }
  expect(missing).toEqual([]);
});

test('the binaries of every OS are there for @swc/core and next (not just the machine the lock was written on)', () => {
  const unlisted: string[] = [];
  for (const pkg of ['@swc/core', 'next']) {
    const optional = Object.keys(lock.packages[`node_modules/${pkg}`].optionalDependencies ?? {});
    for (const os of ['darwin', 'linux', 'win32']) {
      const forOs = optional.filter((n) => n.includes(`-${os}-`));
      if (forOs.length === 0) unlisted.push(`${pkg}: no ${os} binary among its optional dependencies`);
      for (const n of forOs) if (!lock.packages[`node_modules/${n}`]) unlisted.push(`${pkg}: node_modules/${n}`);
    }
  }
  expect(unlisted).toEqual([]);
});

test('setup and test scripts install with `npm ci` only (no `npm install` fallback that would rewrite the lock)', () => {
  for (const script of ['scripts/setup.sh', 'scripts/test.sh']) {
    const code = fs
      .readFileSync(path.join(repo, script), 'utf8')
      .split('\n')
      .filter((l) => !l.trim().startsWith('#'))
      .join('\n');
    expect({ script, ci: /\bnpm ci\b/.test(code), install: /\bnpm (install|i)\b/.test(code) }).toEqual({
      script,
      ci: true,
      install: false,
    });
  }
});
