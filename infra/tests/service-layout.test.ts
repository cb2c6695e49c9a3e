/**
 * The service layout law (docs/SERVICE_LAYOUT.md): every service has the same shape. The services are
 * found, not listed: the root package.json's workspaces that have src/index.ts and src/app.ts, so a
 * new service is held to the same rules from its first commit. ESLint checks the import rules on
 * every edit too; they are stated here beside the folder layout, where a reader of the law looks.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { repo } from './lib/tools';

const NOT_SERVICES = new Set(['common', 'client']);

function discoverServices(root: string): string[] {
  const workspaces: string[] = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')).workspaces;
  return workspaces
    .filter((w) => !NOT_SERVICES.has(w))
    .filter((w) => fs.existsSync(path.join(root, w, 'src', 'index.ts')) && fs.existsSync(path.join(root, w, 'src', 'app.ts')))
    .sort();
}

const read = (file: string) => fs.readFileSync(file, 'utf8');
const isDir = (p: string) => fs.existsSync(p) && fs.statSync(p).isDirectory();

/** `order-history` -> `orderHistory`: the prefix of `<service>Models` and `<service>Listeners`. */
const camel = (svc: string) => svc.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());

/** The module names a file imports or re-exports (static, dynamic and require). */
function importsOf(text: string): string[] {
  const re = /(?:\bfrom\s*|\bimport\s*\(\s*|\brequire\s*\(\s*|^\s*import\s+)['"]([^'"]+)['"]/gm;
  return [...text.matchAll(re)].map((m) => m[1]);
}

/** The names imported from one module: `import { A, type B as C } from 'm'` -> ['A', 'B']. */
function namesImportedFrom(text: string, module: string): string[] {
  const re = /import\s+(?:type\s+)?\{([^}]*)\}\s*from\s*['"]([^'"]+)['"]/g;
  return [...text.matchAll(re)]
    .filter((m) => m[2] === module)
    .flatMap((m) => m[1].split(','))
    .map((s) =>
      s
        .trim()
        .replace(/^type\s+/, '')
        .split(/\s+as\s+/)[0]
        .trim(),
    )
    .filter(Boolean);
}

/** The HTTP errors of @jetmart/common (common/src/errors), read from the source so a new one is covered. */
const HTTP_ERRORS = [...read(path.join(repo, 'common', 'src', 'errors', 'index.ts')).matchAll(/export (?:abstract )?class (\w+)/g)].map(
  (m) => m[1],
);
const TEST_MODULES = ['@jetmart/common/testing', 'fast-check', 'jest', '@jest/globals'];

/** One service folder, as the checks see it. */
class Service {
  constructor(
    readonly root: string,
    readonly name: string,
  ) {}
  src = (...p: string[]) => path.join(this.root, this.name, 'src', ...p);
  rel = (file: string) => path.relative(this.root, file);
  has = (...p: string[]) => fs.existsSync(this.src(...p));
  text = (...p: string[]) => (this.has(...p) ? read(this.src(...p)) : '');
  /** A database: runService is given a MongoDB URL. An API: app.ts mounts routers (not `routers: []`). */
  hasDatabase = () => /\bmongoUrl\s*:/.test(this.text('index.ts'));
  hasApi = () => !/\brouters\s*:\s*\[\s*\]/.test(this.text('app.ts'));
  /** The shipped TypeScript: everything under src/ but tests and their helpers. */
  productionFiles(): string[] {
    const out: string[] = [];
    const walk = (dir: string) => {
      for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
        const p = path.join(dir, e.name);
        if (e.isDirectory()) {
          if (e.name !== '__tests__') walk(p);
        } else if (/\.tsx?$/.test(e.name) && !/\.test\.tsx?$/.test(e.name) && !e.name.endsWith('.d.ts')) {
          out.push(p);
        }
      }
    };
    walk(this.src());
    return out.sort();
  }
  filesMatching = (re: RegExp) => this.productionFiles().filter((f) => re.test(read(f)));
  under = (file: string, ...dir: string[]) => file.startsWith(this.src(...dir) + path.sep);
}

/** Each rule of the law: the problems it finds in a service (none when the service follows it). */
const RULES: Record<string, (s: Service) => string[]> = {
  'src/index.ts starts it with runService, src/config.ts has loadConfig, src/app.ts has buildApp': (s) => [
    ...['index.ts', 'app.ts', 'config.ts'].filter((f) => !s.has(f)).map((f) => `src/${f} is missing`),
    ...(s.has('index.ts') && !/\brunService\s*\(/.test(s.text('index.ts')) ? ['src/index.ts does not call runService'] : []),
    ...(s.has('config.ts') && !/export (function|const) loadConfig\b/.test(s.text('config.ts'))
      ? ['src/config.ts exports no loadConfig']
      : []),
    ...(s.has('app.ts') && !/export (function|const) buildApp\b/.test(s.text('app.ts')) ? ['src/app.ts exports no buildApp'] : []),
  ],

  // A service without an API (app.ts mounts `routers: []`: health, readiness and metrics only) has none of these.
  'an API: its routers in src/routes/ (with presenters.ts) and its document in src/openapi.ts': (s) => {
    if (!s.hasApi()) return [];
    const routers = isDir(s.src('routes')) ? fs.readdirSync(s.src('routes')).filter((f) => f.endsWith('.ts') && f !== 'presenters.ts') : [];
    return [
      ...(routers.length === 0 ? ['src/routes/ has no router'] : []),
      ...(s.has('routes', 'presenters.ts') ? [] : ['src/routes/presenters.ts is missing']),
      ...(s.has('openapi.ts') ? [] : ['src/openapi.ts is missing']),
    ];
  },

  // A service without a database (no mongoUrl for runService) has no records to model.
  'a database: src/models/index.ts exports <service>Models(conn), handed to runService as models:': (s) => {
    if (!s.hasDatabase()) return [];
    const fn = `${camel(s.name)}Models`;
    if (!s.has('models', 'index.ts')) return ['src/models/index.ts is missing'];
    return [
      ...(new RegExp(`export (function|const) ${fn}\\b`).test(s.text('models', 'index.ts'))
        ? []
        : [`src/models/index.ts exports no ${fn}`]),
      ...(new RegExp(`\\bmodels\\s*:\\s*(\\(?\\s*\\w*\\s*\\)?\\s*=>\\s*)?${fn}\\b`).test(s.text('index.ts'))
        ? []
        : [`src/index.ts does not pass ${fn} to runService as models:`]),
    ];
  },

  'no src/testing/ (test helpers live in __tests__/ or @jetmart/common/testing) and no src/events/publishers/': (s) => [
    ...(isDir(s.src('testing')) ? ['src/testing/ exists'] : []),
    ...(isDir(s.src('events', 'publishers')) ? ['src/events/publishers/ exists (events go through the outbox)'] : []),
  ],

  'listeners only in src/events/listeners/, registered by its index.ts (<service>Listeners), passed to runService': (s) => {
    const listeners = s.filesMatching(/\bextends\s+Listener\b/);
    const problems = listeners
      .filter((f) => !s.under(f, 'events', 'listeners'))
      .map((f) => `${s.rel(f)} declares a listener outside src/events/listeners/`);
    if (listeners.length === 0 && !isDir(s.src('events', 'listeners'))) return problems; // consumes no events
    const fn = `${camel(s.name)}Listeners`;
    if (!s.has('events', 'listeners', 'index.ts')) return [...problems, 'src/events/listeners/index.ts is missing'];
    if (!new RegExp(`export (function|const) ${fn}\\b`).test(s.text('events', 'listeners', 'index.ts')))
      problems.push(`src/events/listeners/index.ts exports no ${fn}`);
    if (!new RegExp(`\\blisteners\\s*:[^\\n]*=>\\s*${fn}\\s*\\(`).test(s.text('index.ts')))
      problems.push(`src/index.ts does not pass ${fn} to runService as listeners:`);
    return problems;
  },

  'periodic work (PeriodicTask, setInterval) only in src/background/': (s) =>
    s
      .filesMatching(/\bPeriodicTask\b|\bsetInterval\s*\(/)
      .filter((f) => !s.under(f, 'background'))
      .map((f) => `${s.rel(f)} runs periodic work outside src/background/`),

  'src/models/ imports no routes/, express or HTTP errors, and has no toJSON transform': (s) =>
    s
      .productionFiles()
      .filter((f) => s.under(f, 'models'))
      .flatMap((f) => {
        const text = read(f);
        return [
          ...importsOf(text)
            .filter((m) => m === 'express' || /(^|\/)routes(\/|$)/.test(m))
            .map((m) => `${s.rel(f)} imports ${m}`),
          ...namesImportedFrom(text, '@jetmart/common')
            .filter((n) => HTTP_ERRORS.includes(n))
            .map((n) => `${s.rel(f)} imports the HTTP error ${n}`),
          ...(/\btoJSON\b/.test(text) ? [`${s.rel(f)} has a toJSON transform (presenters belong in routes/presenters.ts)`] : []),
        ];
      }),

  'shipped code imports no test code (@jetmart/common/testing, fast-check, jest, __tests__/)': (s) =>
    s.productionFiles().flatMap((f) =>
      importsOf(read(f))
        .filter((m) => TEST_MODULES.includes(m) || /(^|\/)__tests__(\/|$)/.test(m))
        .map((m) => `${s.rel(f)} imports ${m}`),
    ),

  'duplicate keys are recognised by isDuplicateKey from common, not by the error code': (s) =>
    s.filesMatching(/\b11000\b|E11000/).map((f) => `${s.rel(f)} checks the duplicate-key code itself`),
};

const services = discoverServices(repo);
const cases = services.flatMap((svc) => Object.keys(RULES).map((rule) => [svc, rule] as const));

describe('service discovery', () => {
  test('finds the five original services (and any later one) from the workspaces', () => {
    expect(services).toEqual(expect.arrayContaining(['auth', 'products', 'orders', 'payments', 'expiration']));
    expect(services).not.toContain('common');
    expect(services).not.toContain('client');
  });

  test('a workspace without src/index.ts and src/app.ts is not a service', () => {
    const d = fs.mkdtempSync(path.join(os.tmpdir(), 'jetmart-layout-'));
    fs.writeFileSync(path.join(d, 'package.json'), JSON.stringify({ workspaces: ['common', 'client', 'shop', 'tools'] }));
    for (const f of ['common/src/index.ts', 'common/src/app.ts', 'shop/src/index.ts', 'shop/src/app.ts', 'tools/src/index.ts']) {
      fs.mkdirSync(path.dirname(path.join(d, f)), { recursive: true });
      fs.writeFileSync(path.join(d, f), '');
    }
    expect(discoverServices(d)).toEqual(['shop']);
  });
});

describe('the rules find what they are about', () => {
  /** Writes a service `shop` into a fresh folder from a map of src/ paths to contents. */
  function fixture(files: Record<string, string>): Service {
    const d = fs.mkdtempSync(path.join(os.tmpdir(), 'jetmart-layout-'));
    for (const [f, text] of Object.entries(files)) {
      fs.mkdirSync(path.dirname(path.join(d, 'shop', 'src', f)), { recursive: true });
      fs.writeFileSync(path.join(d, 'shop', 'src', f), text);
    }
    return new Service(d, 'shop');
  }
  const problemsOf = (s: Service) => Object.values(RULES).flatMap((rule) => rule(s));

  const good = {
    'index.ts':
      'runService(() => ({ mongoUrl: config.MONGO_URL, models: (conn) => shopModels(conn), listeners: (ctx) => shopListeners(ctx.bus, {}), background: (ctx) => [new Sweeper(ctx.models)] }));',
    'config.ts': 'export function loadConfig() {}',
    'app.ts': 'export function buildApp(ctx) { return createApp({ routers: [itemsRouter()] }); }',
    'routes/items.ts': "import { NotFoundError } from '@jetmart/common';",
    'routes/presenters.ts': 'export const presentItem = () => ({});',
    'openapi.ts': 'export const document = {};',
    'models/index.ts': 'export function shopModels(conn) {}',
    'models/item.ts': "import { modelOn, isDuplicateKey } from '@jetmart/common';",
    'events/listeners/index.ts': 'export function shopListeners(bus, deps) {}',
    'events/listeners/order-created-listener.ts': 'export class OrderCreatedListener extends Listener<X> {}',
    'background/sweeper.ts': 'this.task = new PeriodicTask("sweep", () => this.sweep(), 10_000);',
    '__tests__/helpers.ts': "import fc from 'fast-check';\nsetInterval(() => {}, 1); // 11000",
  };

  test('a service that follows the law has no problems', () => {
    expect(problemsOf(fixture(good))).toEqual([]);
  });

  test('a service without an API or a database needs no routes/, openapi.ts or models/', () => {
    const s = fixture({
      'index.ts': 'runService(() => ({ natsUrl }));',
      'config.ts': good['config.ts'],
      'app.ts': 'export function buildApp() { return createApp({ routers: [] }); }',
    });
    expect(problemsOf(s)).toEqual([]);
  });

  test('each departure from the law is reported', () => {
    const s = fixture({
      'index.ts': 'runService(() => ({ mongoUrl: config.MONGO_URL, listeners: (ctx) => [new OrderCreatedListener(ctx.bus)] }));',
      'config.ts': 'export const config = {};',
      'app.ts': 'export function buildApp(ctx) { return createApp({ routers: [itemsRouter()] }); }',
      'routes/items.ts': "import { sinkOf } from '../testing/sink';",
      'models/item.ts': [
        "import { Router } from 'express';",
        "import { NotFoundError, type ConflictError as Taken } from '@jetmart/common';",
        "import { presentItem } from '../routes/presenters';",
        "schema.set('toJSON', { transform });",
        'if (err.code === 11000) return;',
      ].join('\n'),
      'testing/sink.ts': "import fc from 'fast-check';",
      'events/publishers/item-created-publisher.ts': '',
      'order-created-listener.ts':
        "export class OrderCreatedListener extends Listener<X> {}\nimport { startNats } from '@jetmart/common/testing';",
      'sweeper.ts': 'setInterval(() => sweep(), 10_000);',
    });
    expect(problemsOf(s)).toEqual([
      'src/config.ts exports no loadConfig',
      'src/routes/presenters.ts is missing',
      'src/openapi.ts is missing',
      'src/models/index.ts is missing',
      'src/testing/ exists',
      'src/events/publishers/ exists (events go through the outbox)',
      'shop/src/order-created-listener.ts declares a listener outside src/events/listeners/',
      'src/events/listeners/index.ts is missing',
      'shop/src/sweeper.ts runs periodic work outside src/background/',
      'shop/src/models/item.ts imports express',
      'shop/src/models/item.ts imports ../routes/presenters',
      'shop/src/models/item.ts imports the HTTP error NotFoundError',
      'shop/src/models/item.ts imports the HTTP error ConflictError',
      'shop/src/models/item.ts has a toJSON transform (presenters belong in routes/presenters.ts)',
      'shop/src/order-created-listener.ts imports @jetmart/common/testing',
      'shop/src/testing/sink.ts imports fast-check',
      'shop/src/models/item.ts checks the duplicate-key code itself',
    ]);
  });

  test('registration functions that are missing or not handed to runService are reported', () => {
    const s = fixture({
      ...good,
      'index.ts': 'runService(() => ({ mongoUrl: config.MONGO_URL, models: (conn) => buildModels(conn), listeners: (ctx) => [] }));',
      'models/index.ts': 'export function buildModels(conn) {}',
      'events/listeners/index.ts': 'export function register(bus) {}',
    });
    expect(problemsOf(s)).toEqual([
      'src/models/index.ts exports no shopModels',
      'src/index.ts does not pass shopModels to runService as models:',
      'src/events/listeners/index.ts exports no shopListeners',
      'src/index.ts does not pass shopListeners to runService as listeners:',
    ]);
  });
});

describe('every service follows docs/SERVICE_LAYOUT.md', () => {
  test.each(cases)('%s: %s', (svc, rule) => {
    expect(RULES[rule](new Service(repo, svc))).toEqual([]);
  });
});
