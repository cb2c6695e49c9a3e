import fs from 'node:fs';
import path from 'node:path';
import { lintDockerfile, parseDockerfile } from './lib/dockerfile';
import { APPS, repo } from './lib/tools';

const read = (ws: string) => fs.readFileSync(path.join(repo, ws, 'Dockerfile'), 'utf8');

describe('Dockerfiles', () => {
  test.each(APPS)('%s/Dockerfile: multi-stage, pinned base, npm ci from the workspace lock, non-root runtime', (ws) => {
    expect(lintDockerfile(read(ws), ws, repo)).toEqual([]);
  });

  test.each(APPS)('%s/Dockerfile: runtime copies only built output and production deps', (ws) => {
    const stages = parseDockerfile(read(ws));
    const runtime = stages[stages.length - 1];
    const copies = runtime.instructions.filter((i) => i.cmd === 'COPY').map((i) => i.args);
    for (const c of copies) expect(c).toMatch(/^--from=(deps|build) /);
    expect(copies.some((c) => c.startsWith('--from=deps'))).toBe(true);
    const deps = stages.find((s) => s.name === 'deps')!;
    expect(deps.instructions.some((i) => i.cmd === 'RUN' && i.args.includes('--omit=dev') && i.args.includes(`--workspace ${ws}`))).toBe(true);
  });

  test('the rules catch a bad Dockerfile', () => {
    const bad = [
      'FROM node:latest',
      'WORKDIR /app',
      'ADD . .',
      'RUN npm install && npm run build',
      'CMD node dist/index.js',
    ].join('\n');
    const problems = lintDockerfile(bad, 'auth');
    for (const p of [/not multi-stage/, /not pinned/, /non-root USER/, /exec-form CMD/, /EXPOSE 3000/, /npm ci --workspace auth/, /not ADD/, /npm ci \(the lock\)/]) {
      expect(problems.join('\n')).toMatch(p);
    }
    const rooted = read('auth').replace(/USER node/g, 'USER root');
    expect(lintDockerfile(rooted, 'auth')).toContain('the runtime stage must run as a non-root USER');
    const missing = read('auth').replace('COPY tsconfig.base.json ./', 'COPY tsconfig.nope.json ./');
    expect(lintDockerfile(missing, 'auth', repo).join('\n')).toMatch(/tsconfig\.nope\.json does not exist/);
  });

  test('.dockerignore keeps node_modules, build output and git out of the context', () => {
    const ignore = fs.readFileSync(path.join(repo, '.dockerignore'), 'utf8').split('\n').map((l) => l.trim());
    for (const p of ['**/node_modules', '**/dist', '**/.next', '.git']) expect(ignore).toContain(p);
    for (const needed of ['package.json', 'package-lock.json', 'tsconfig.base.json', 'common', ...APPS]) expect(ignore).not.toContain(needed);
  });
});
