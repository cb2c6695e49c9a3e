import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { APPS, SERVICES, repo, run, tmpDir, tools } from './lib/tools';

const dir = path.join(repo, '.github', 'workflows');
const load = (f: string) => YAML.parse(fs.readFileSync(path.join(dir, f), 'utf8'));
const skaffold = () => YAML.parse(fs.readFileSync(path.join(repo, 'skaffold.yaml'), 'utf8'));

describe('GitHub Actions workflows', () => {
  test('every workflow passes actionlint (with shellcheck on run: scripts when it is installed)', () => {
    const r = run(tools().ACTIONLINT, ['-no-color', '-oneline']);
    expect(r.output).toBe('');
    expect(r.status).toBe(0);
  });

  test('actionlint rejects a broken workflow', () => {
    const d = tmpDir();
    fs.mkdirSync(path.join(d, '.github', 'workflows'), { recursive: true });
    fs.writeFileSync(
      path.join(d, '.github', 'workflows', 'bad.yml'),
      'on: pull_request\njobs:\n  t:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n        with: {fetch-depth: 1}\n      - run: echo ${{ github.event.pull_request.nope.nope }}\n        if: ${{ steps.missing.outputs.x }}\n',
    );
    const r = run(tools().ACTIONLINT, ['-no-color', '-oneline', path.join(d, '.github', 'workflows', 'bad.yml')], { cwd: d });
    expect(r.status).not.toBe(0);
    expect(r.output).toMatch(/steps\.missing|property "missing"/);
  });

  test.each(['common', ...APPS])('test-%s.yml runs on pull requests touching its folder, common/ or the lock', (ws) => {
    const w = load(`test-${ws}.yml`);
    const paths: string[] = w.on.pull_request.paths;
    expect(paths).toEqual(expect.arrayContaining([`${ws}/**`, 'common/**', 'package-lock.json'].filter((p, i, a) => a.indexOf(p) === i)));
    expect(w.jobs.test.uses).toBe('./.github/workflows/_test-workspace.yml');
    expect(w.jobs.test.with.workspace).toBe(ws);
  });

  test('the reusable test job: node 20, go, cached bins, ensure-bins, npm ci, build common, typecheck, tests', () => {
    const steps = load('_test-workspace.yml').jobs.test.steps;
    const text = JSON.stringify(steps);
    expect(steps.find((s: any) => s.uses?.startsWith('actions/setup-node')).with['node-version']).toBe(20);
    expect(text).toContain('actions/setup-go');
    const cache = steps.find((s: any) => s.uses?.startsWith('actions/cache'));
    expect(cache.with.path).toBe('~/.cache/jetmart/bin');
    expect(cache.with.key).toContain('scripts/versions.env');
    for (const cmd of [
      'bash scripts/ensure-bins.sh',
      'npm ci',
      'npm run build --workspace common',
      'npm run typecheck',
      'bash scripts/test.sh',
    ]) {
      expect(text).toContain(cmd);
    }
  });

  test.each([...SERVICES, 'client'])('deploy-%s.yml: on push to main, immutable SHA tag, updates the Deployment', (svc) => {
    const w = load(`deploy-${svc}.yml`);
    expect(w.on.push.branches).toEqual(['main']);
    expect(w.on.push.paths).toEqual(expect.arrayContaining([`${svc}/**`, 'common/**']));
    expect(w.jobs.deploy.with.service).toBe(svc);
    const reusable = fs.readFileSync(path.join(dir, '_deploy-service.yml'), 'utf8');
    expect(reusable).toContain('${{ github.sha }}');
    expect(reusable).toMatch(/kubectl set image "deployment\/\$SERVICE"/);
    // the image is built from the Dockerfile that skaffold.yaml builds it from, with SERVICE=<service>
    const build = load('_deploy-service.yml').jobs.deploy.steps.find((s: any) => s.uses?.startsWith('docker/build-push-action')).with;
    expect(build.file).toBe('${{ inputs.dockerfile }}');
    expect(build['build-args']).toBe('SERVICE=${{ inputs.service }}');
    const dockerfile = w.jobs.deploy.with.dockerfile ?? load('_deploy-service.yml').on.workflow_call.inputs.dockerfile.default;
    const artifact = skaffold().build.artifacts.find((a: any) => a.image === `jetmart/${svc}`);
    expect(dockerfile).toBe(artifact.docker.dockerfile);
    expect(artifact.docker.buildArgs ?? {}).toEqual(svc === 'client' ? {} : { SERVICE: svc });
    // a change to the shared Dockerfile redeploys every service built from it
    if (dockerfile !== `${svc}/Dockerfile`) expect(w.on.push.paths).toContain(dockerfile);
  });

  test('publish-common.yml publishes only a version that npm does not have yet', () => {
    const w = load('publish-common.yml');
    expect(w.on.push.paths).toEqual(['common/package.json']);
    const text = JSON.stringify(w.jobs.publish.steps);
    expect(text).toContain('npm view');
    expect(text).toContain("steps.check.outputs.publish == 'true'");
    expect(text).toContain('npm publish --workspace common');
  });
});
