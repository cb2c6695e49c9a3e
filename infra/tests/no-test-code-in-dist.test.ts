/**
 * Test code never ships (docs/SERVICE_LAYOUT.md): after `npm run build` (scripts/test.sh builds
 * before the suites run), no workspace's dist/ holds a test or requires a test library or the test
 * helpers, and the images take only built output and production dependencies. The one exception is
 * common's dist/testing/: the separate `@jetmart/common/testing` entry point that tests import; none
 * of common's other entry points reaches it, and no service requires it.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import YAML from 'yaml';
import { parseDockerfile } from './lib/dockerfile';
import { repo } from './lib/tools';

/** Packages only tests use: never required by built code, never a production dependency. */
const TEST_PACKAGES = [
  'jest',
  '@jest/globals',
  'fast-check',
  'supertest',
  'mongodb-memory-server',
  '@swc/jest',
  'playwright-core',
  '@axe-core/playwright',
];
const TESTING_ENTRY = /^@jetmart\/common\/(dist\/)?testing(\/|$)/;

const readJson = (file: string) => JSON.parse(fs.readFileSync(file, 'utf8'));
const rootPkg = () => readJson(path.join(repo, 'package.json'));

/** The workspaces whose build writes dist/ (tsc): common and the services. */
function builtWorkspaces(root: string): string[] {
  return (rootPkg().workspaces as string[]).filter((w) => {
    const pkgFile = path.join(root, w, 'package.json');
    return fs.existsSync(pkgFile) && /\btsc\b/.test(readJson(pkgFile).scripts?.build ?? '');
  });
}

function filesUnder(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile())
    .map((e) => path.join(e.parentPath, e.name));
}

/** The module specifiers a built file loads: require(), import() and import/export ... from (in .d.ts too). */
function specifiersOf(text: string): string[] {
  const re = /(?:\brequire\s*\(\s*|\bimport\s*\(\s*|\bfrom\s+)["']([^"']+)["']/g;
  return [...text.matchAll(re)].map((m) => m[1]);
}

/**
 * What is wrong with one dist/ folder: test files, and loads of test libraries, of the test helpers,
 * or of a __tests__ folder. `testingDir` (common's dist/testing) is exempt itself, and every other file
 * is checked not to load it.
 */
function distProblems(dist: string, testingDir?: string): string[] {
  const problems: string[] = [];
  const rel = (f: string) => path.relative(path.dirname(dist), f);
  const inTesting = (f: string) => testingDir !== undefined && (f === testingDir || f.startsWith(testingDir + path.sep));
  for (const file of filesUnder(dist)) {
    if (inTesting(file)) continue;
    const parts = path.relative(dist, file).split(path.sep);
    if (parts.includes('__tests__')) problems.push(`${rel(file)} is in a __tests__ folder`);
    if (/\.(test|spec)\.[^/]+$/.test(file)) problems.push(`${rel(file)} is a test file`);
    if (!/\.(js|cjs|mjs|d\.ts)$/.test(file)) continue;
    for (const spec of specifiersOf(fs.readFileSync(file, 'utf8'))) {
      const pkg = spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0];
      if (TEST_PACKAGES.includes(pkg)) problems.push(`${rel(file)} loads the test library ${spec}`);
      else if (TESTING_ENTRY.test(spec)) problems.push(`${rel(file)} loads the test helpers ${spec}`);
      else if (/(^|\/)__tests__(\/|$)/.test(spec)) problems.push(`${rel(file)} loads test code ${spec}`);
      else if (spec.startsWith('.') && inTesting(path.resolve(path.dirname(file), spec)))
        problems.push(`${rel(file)} loads the test helpers ${spec}`);
    }
  }
  return problems;
}

describe('no test code in any dist/', () => {
  const workspaces = builtWorkspaces(repo);

  test('the built workspaces are common and every service', () => {
    expect(workspaces).toEqual(expect.arrayContaining(['common', 'auth', 'products', 'orders', 'payments', 'expiration']));
  });

  test.each(workspaces)('%s/dist: built, no tests, no test libraries, no test helpers', (ws) => {
    const dist = path.join(repo, ws, 'dist');
    expect({ dist: `${ws}/dist`, built: fs.existsSync(path.join(dist, 'index.js')) }).toEqual({ dist: `${ws}/dist`, built: true }); // else: npm run build
    const testing = ws === 'common' ? path.join(dist, 'testing') : undefined;
    expect(distProblems(dist, testing)).toEqual([]);
  });

  test("common's dist/testing is only the ./testing entry point: no other entry point reaches it", () => {
    const common = path.join(repo, 'common');
    const exportsMap: Record<string, { default: string }> = readJson(path.join(common, 'package.json')).exports;
    expect(exportsMap['./testing'].default).toBe('./dist/testing/index.js');
    const testing = path.join(common, 'dist', 'testing');
    // Everything the other entry points load, followed through relative requires.
    const seen = new Set<string>();
    const visit = (file: string) => {
      if (seen.has(file) || !fs.existsSync(file)) return;
      seen.add(file);
      for (const spec of specifiersOf(fs.readFileSync(file, 'utf8')).filter((s) => s.startsWith('.'))) {
        const base = path.resolve(path.dirname(file), spec);
        const target = [base, `${base}.js`, path.join(base, 'index.js')].find((f) => fs.existsSync(f) && fs.statSync(f).isFile());
        if (target) visit(target);
      }
    };
    const entries = Object.entries(exportsMap).filter(
      ([key, e]) => key !== './testing' && typeof e === 'object' && e.default.endsWith('.js'),
    );
    expect(entries.map(([key]) => key)).toEqual(expect.arrayContaining(['.']));
    for (const [, e] of entries) visit(path.join(common, e.default));
    expect(seen.size).toBeGreaterThan(5);
    expect([...seen].filter((f) => f.startsWith(testing + path.sep)).map((f) => path.relative(repo, f))).toEqual([]);
  });

  test('the check finds test code in a dist/', () => {
    const d = fs.mkdtempSync(path.join(os.tmpdir(), 'jetmart-dist-'));
    const write = (f: string, text: string) => {
      fs.mkdirSync(path.dirname(path.join(d, f)), { recursive: true });
      fs.writeFileSync(path.join(d, f), text);
    };
    write(
      'dist/index.js',
      'const fc = require("fast-check");\nconst t = require("@jetmart/common/testing");\nconst h = require("./__tests__/helpers");',
    );
    write('dist/routes/__tests__/helpers.js', '');
    write('dist/routes/orders.test.js', '');
    write(
      'dist/models/index.d.ts',
      'import { expect } from "@jest/globals";\nexport type T = import("@jetmart/common/dist/testing/hostile").Arb;',
    );
    write('dist/lib.js', 'const s = require("./testing/servers");\nconst ok = require("./lock");');
    write('dist/testing/servers.js', 'const fc = require("fast-check");');
    write('dist/lock.js', 'const x = require("mongoose");');
    expect(distProblems(path.join(d, 'dist'), path.join(d, 'dist', 'testing')).sort()).toEqual(
      [
        'dist/index.js loads the test library fast-check',
        'dist/index.js loads the test helpers @jetmart/common/testing',
        'dist/index.js loads test code ./__tests__/helpers',
        'dist/routes/__tests__/helpers.js is in a __tests__ folder',
        'dist/routes/orders.test.js is a test file',
        'dist/models/index.d.ts loads the test library @jest/globals',
        'dist/models/index.d.ts loads the test helpers @jetmart/common/dist/testing/hostile',
        'dist/lib.js loads the test helpers ./testing/servers',
      ].sort(),
    );
  });
});

describe('the images take only what production needs', () => {
  /** The images and their Dockerfiles, as skaffold.yaml builds them (infra/tests/skaffold.test.ts checks that file). */
  const images = (): { ws: string; file: string; buildArgs: Record<string, string> }[] => {
    const skaffold = YAML.parse(fs.readFileSync(path.join(repo, 'skaffold.yaml'), 'utf8'));
    return skaffold.build.artifacts.map(
      (a: { image: string; context?: string; docker?: { dockerfile?: string; buildArgs?: Record<string, string> } }) => ({
        ws: a.image.replace(/^jetmart\//, ''),
        file: a.docker?.dockerfile ?? 'Dockerfile',
        buildArgs: a.docker?.buildArgs ?? {},
      }),
    );
  };

  test('skaffold builds an image for each service and the storefront', () => {
    expect(images().map((i) => i.ws)).toEqual(expect.arrayContaining(['auth', 'products', 'orders', 'payments', 'expiration', 'client']));
  });

  test.each(images().map((i) => [i.ws, i] as const))('%s: runtime = production dependencies + built output only', (ws, image) => {
    const stages = parseDockerfile(fs.readFileSync(path.join(repo, image.file), 'utf8'), image.buildArgs);
    const runtime = stages[stages.length - 1];
    const copies = runtime.instructions.filter((i) => i.cmd === 'COPY').map((i) => i.args);
    const allowedFromBuild =
      ws === 'client'
        ? ['/app/common/dist common/dist', '/app/out/client client']
        : ['/app/common/dist common/dist', `/app/${ws}/dist ${ws}/dist`];
    for (const c of copies) {
      if (c.startsWith('--from=deps ')) continue;
      expect({ copy: c, allowed: allowedFromBuild.some((a) => c === `--from=build ${a}`) }).toEqual({ copy: c, allowed: true });
    }
    // The dependencies stage: manifests only (no sources), and `npm ci --omit=dev`, so no test library is installed.
    const deps = stages.find((s) => s.name === 'deps')!;
    for (const c of deps.instructions.filter((i) => i.cmd === 'COPY').map((i) => i.args)) {
      for (const src of c.split(' ').slice(0, -1)) expect(src).toMatch(/(^|\/)(package\.json|package-lock\.json)$/);
    }
    const installs = deps.instructions.filter((i) => i.cmd === 'RUN' && /\bnpm (ci|install)\b/.test(i.args));
    expect(installs.length).toBeGreaterThan(0);
    for (const i of installs) expect(i.args).toMatch(/--omit=dev\b/);
    // The client's build output: only what `next start` reads (the build cache is dropped).
    if (ws === 'client') {
      const build = stages
        .find((s) => s.name === 'build')!
        .instructions.map((i) => i.args)
        .join('\n');
      expect(build).toMatch(/cp -R client\/\.next client\/package\.json out\/client\//);
      expect(build).toMatch(/rm -rf out\/client\/\.next\/cache/);
    }
  });

  test.each(['common', ...images().map((i) => i.ws)])('%s: no test library among its production dependencies', (ws) => {
    const pkg = readJson(path.join(repo, ws, 'package.json'));
    expect(Object.keys(pkg.dependencies ?? {}).filter((d) => TEST_PACKAGES.includes(d) || d === '@jetmart/testing')).toEqual([]);
    // A peer dependency is installed by `npm ci --omit=dev` unless it is optional.
    const requiredPeers = Object.keys(pkg.peerDependencies ?? {}).filter((d) => !pkg.peerDependenciesMeta?.[d]?.optional);
    expect(requiredPeers.filter((d) => TEST_PACKAGES.includes(d))).toEqual([]);
  });
});
