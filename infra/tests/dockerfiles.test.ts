import fs from 'node:fs';
import path from 'node:path';
import { BuildArgs, lintDockerfile, parseDockerfile } from './lib/dockerfile';
import { APPS, SERVICES, repo } from './lib/tools';

/** The five backend services share one Dockerfile, chosen with --build-arg SERVICE=<service>. */
const SHARED = 'infra/docker/service.Dockerfile';
const dockerfileOf = (ws: string): { file: string; buildArgs: BuildArgs } =>
  (SERVICES as readonly string[]).includes(ws) ? { file: SHARED, buildArgs: { SERVICE: ws } } : { file: `${ws}/Dockerfile`, buildArgs: {} };
const readFile = (file: string) => fs.readFileSync(path.join(repo, file), 'utf8');
const shared = () => readFile(SHARED);

describe('Dockerfiles', () => {
  test.each(APPS)('%s: multi-stage, pinned base, npm ci from the workspace lock, non-root runtime', (ws) => {
    const { file, buildArgs } = dockerfileOf(ws);
    expect(lintDockerfile(readFile(file), ws, repo, buildArgs)).toEqual([]);
  });

  test.each(APPS)('%s: runtime copies only built output and production deps', (ws) => {
    const { file, buildArgs } = dockerfileOf(ws);
    const stages = parseDockerfile(readFile(file), buildArgs);
    const runtime = stages[stages.length - 1];
    const copies = runtime.instructions.filter((i) => i.cmd === 'COPY').map((i) => i.args);
    for (const c of copies) expect(c).toMatch(/^--from=(deps|build) /);
    expect(copies.some((c) => c.startsWith('--from=deps'))).toBe(true);
    if (ws !== 'client') expect(copies).toContain(`--from=build /app/${ws}/dist ${ws}/dist`);
    const deps = stages.find((s) => s.name === 'deps')!;
    expect(
      deps.instructions.some(
        (i) => i.cmd === 'RUN' && i.args.includes('--omit=dev') && new RegExp(`--workspace "?${ws}"?(\\s|$)`).test(i.args),
      ),
    ).toBe(true);
  });

  test('the services have no Dockerfiles of their own (one shared file, nothing to drift)', () => {
    for (const svc of SERVICES) expect(fs.existsSync(path.join(repo, svc, 'Dockerfile'))).toBe(false);
    const stages = parseDockerfile(shared(), { SERVICE: 'orders' });
    expect(stages.map((s) => s.name)).toEqual(['build', 'deps', 'dev', 'runtime']);
    expect(
      stages
        .find((s) => s.name === 'runtime')!
        .instructions.filter((i) => i.cmd === 'WORKDIR')
        .pop()!.args,
    ).toBe('/app/orders');
  });

  test('the rules catch a bad Dockerfile', () => {
    const bad = ['FROM node:latest', 'WORKDIR /app', 'ADD . .', 'RUN npm install && npm run build', 'CMD node dist/index.js'].join('\n');
    const problems = lintDockerfile(bad, 'auth');
    for (const p of [
      /not multi-stage/,
      /not pinned/,
      /non-root USER/,
      /exec-form CMD/,
      /EXPOSE 3000/,
      /npm ci --workspace auth/,
      /not ADD/,
      /npm ci \(the lock\)/,
    ]) {
      expect(problems.join('\n')).toMatch(p);
    }
    const auth = { SERVICE: 'auth' };
    const rooted = shared().replace(/USER node/g, 'USER root');
    expect(lintDockerfile(rooted, 'auth', undefined, auth)).toContain('the runtime stage must run as a non-root USER');
    const missing = shared().replace('COPY tsconfig.base.json ./', 'COPY tsconfig.nope.json ./');
    expect(lintDockerfile(missing, 'auth', repo, auth).join('\n')).toMatch(/tsconfig\.nope\.json does not exist/);
    // a service that does not exist: its COPY sources are missing
    expect(lintDockerfile(shared(), 'nope', repo, { SERVICE: 'nope' }).join('\n')).toMatch(
      /COPY source nope\/package\.json does not exist/,
    );
  });

  test('the rules catch ARG scoping mistakes in the shared Dockerfile', () => {
    const auth = { SERVICE: 'auth' };
    // built without --build-arg SERVICE
    expect(lintDockerfile(shared(), 'auth', repo).join('\n')).toMatch(/ARG SERVICE has no value/);
    // a stage that uses SERVICE without re-declaring it: it would be empty there
    const stages = shared().split(/^(?=FROM )/m);
    const depsAt = stages.findIndex((s) => / AS deps$/m.test(s));
    const undeclared = stages.map((s, i) => (i === depsAt ? s.replace(/^ARG SERVICE\n/m, '') : s)).join('');
    expect(undeclared).not.toBe(shared());
    expect(lintDockerfile(undeclared, 'auth', repo, auth).join('\n')).toMatch(
      /\$\{?SERVICE\}? is not in scope in stage deps .*re-declare "ARG SERVICE"/,
    );
    // a build argument in the exec-form CMD: not set when the container runs
    const inCmd = shared().replace('CMD ["node", "dist/index.js"]', 'CMD ["node", "/app/${SERVICE}/dist/index.js"]');
    expect(lintDockerfile(inCmd, 'auth', repo, auth).join('\n')).toMatch(/in CMD is a build argument/);
  });

  test('.dockerignore keeps node_modules, build output and git out of the context', () => {
    const ignore = fs
      .readFileSync(path.join(repo, '.dockerignore'), 'utf8')
      .split('\n')
      .map((l) => l.trim());
    for (const p of ['**/node_modules', '**/dist', '**/.next', '.git']) expect(ignore).toContain(p);
    for (const needed of ['package.json', 'package-lock.json', 'tsconfig.base.json', 'common', ...APPS])
      expect(ignore).not.toContain(needed);
  });

  test('the storefront keeps idle connections longer than ingress-nginx keeps its upstream ones (60 s)', () => {
    const stages = parseDockerfile(readFile('client/Dockerfile'), {});
    const cmd = stages[stages.length - 1].instructions.filter((i) => i.cmd === 'CMD').pop()!;
    const args = JSON.parse(cmd.args) as string[];
    expect(args).toContain('start');
    expect(Number(args[args.indexOf('--keepAliveTimeout') + 1])).toBeGreaterThan(60_000);
  });
});
