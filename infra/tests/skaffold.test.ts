import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { APPS, SERVICES, kubeconform, repo, run, tmpDir, tools } from './lib/tools';

const file = path.join(repo, 'skaffold.yaml');
const config = YAML.parse(fs.readFileSync(file, 'utf8'));
const skaffold = () => tools().SKAFFOLD;
const haveSkaffold = () => fs.existsSync(skaffold());
/** skaffold runs `helm` from PATH: the pinned helm that ensure-tools built, under that name. */
function helmOnPath(): NodeJS.ProcessEnv {
  const dir = tmpDir();
  fs.symlinkSync(tools().HELM, path.join(dir, 'helm'));
  return {
    ...process.env,
    PATH: `${dir}${path.delimiter}${process.env.PATH}`,
    HELM_CACHE_HOME: path.join(dir, 'cache'),
    HELM_CONFIG_HOME: path.join(dir, 'config'),
    HELM_DATA_HOME: path.join(dir, 'data'),
  };
}

describe('skaffold.yaml', () => {
  test('is valid against the JSON schema of skaffold (strict: unknown fields are errors)', () => {
    const r = kubeconform([file], tools().SKAFFOLD_SCHEMA_DIR);
    expect(r.output).toMatch(/Valid: 1, Invalid: 0, Errors: 0/);
    expect(r.status).toBe(0);
  });

  test('the schema check rejects a misspelt field', () => {
    const bad = path.join(tmpDir(), 'skaffold.yaml');
    for (const [from, to] of [
      ['dockerfile: infra/docker/service.Dockerfile', 'dockerfil: infra/docker/service.Dockerfile'],
      ['buildArgs:', 'buildArg:'],
      ['SERVICE: auth', 'SERVICE: [auth]'], // build argument values are strings
    ]) {
      const text = fs.readFileSync(file, 'utf8');
      expect(text).toContain(from);
      fs.writeFileSync(bad, text.replace(from, to));
      expect(kubeconform([bad], tools().SKAFFOLD_SCHEMA_DIR).status).toBe(1);
    }
  });

  test('builds every image from its Dockerfile with the repository root as context, and renders the Helm chart with those images', () => {
    expect(config.build.artifacts.map((a: any) => a.image)).toEqual(APPS.map((a) => `jetmart/${a}`));
    for (const a of config.build.artifacts) {
      expect(a.context).toBe('.');
      expect(fs.existsSync(path.join(repo, a.docker.dockerfile))).toBe(true);
      expect(a.sync.manual.length).toBeGreaterThan(0);
    }
    // the five services: one shared Dockerfile, the service chosen by the SERVICE build argument
    for (const svc of SERVICES) {
      const a = config.build.artifacts.find((x: any) => x.image === `jetmart/${svc}`);
      expect(a.docker).toEqual({ dockerfile: 'infra/docker/service.Dockerfile', buildArgs: { SERVICE: svc } });
    }
    expect(config.build.artifacts.find((x: any) => x.image === 'jetmart/client').docker).toEqual({ dockerfile: 'client/Dockerfile' });
    // one source of truth: the chart (no raw manifests besides it)
    expect(Object.keys(config.manifests)).toEqual(['helm']);
    expect(config.manifests.helm.releases).toHaveLength(1);
    const release = config.manifests.helm.releases[0];
    expect(release).toMatchObject({ name: 'jetmart', chartPath: 'charts/jetmart' });
    expect(fs.existsSync(path.join(repo, release.chartPath, 'Chart.yaml'))).toBe(true);
    // each Deployment runs the image skaffold built
    expect(release.setValueTemplates).toEqual(
      Object.fromEntries(APPS.map((a) => [`services.${a}.image`, `{{.IMAGE_FULLY_QUALIFIED_jetmart_${a}}}`])),
    );
    expect(config.deploy.kubectl).toBeDefined();
  });

  const withBinary = () => (haveSkaffold() ? test : test.skip);
  withBinary()('skaffold diagnose accepts it, also with the dev profile (binary built by ensure-tools)', () => {
    for (const args of [[], ['-p', 'dev']]) {
      const r = run(skaffold(), ['diagnose', '--yaml-only', '-f', file, ...args]);
      expect(r.status).toBe(0);
      if (args.length) expect(r.output.match(/target: dev/g)).toHaveLength(APPS.length);
      // the dev profile keeps each service's build argument
      for (const svc of SERVICES) expect(r.output).toContain(`SERVICE: ${svc}`);
    }
    const bad = path.join(tmpDir(), 'skaffold.yaml');
    fs.writeFileSync(bad, fs.readFileSync(file, 'utf8').replace('chartPath:', 'chartPth:'));
    const r = run(skaffold(), ['diagnose', '--yaml-only', '-f', bad]);
    expect(r.output).toMatch(/field chartPth not found/);
  });

  withBinary()('skaffold render --offline renders the chart (with the pinned helm) with every workload', () => {
    const r = run(skaffold(), ['render', '--offline', '--digest-source=none', '-f', file], { env: helmOnPath() });
    expect(r.status).toBe(0);
    const docs = YAML.parseAllDocuments(r.output.slice(r.output.indexOf('apiVersion')))
      .map((d) => d.toJS())
      .filter(Boolean);
    const kinds = docs.map((d: any) => `${d.kind}/${d.metadata.name}`);
    for (const a of APPS) expect(kinds).toContain(`Deployment/${a}`);
    expect(kinds).toContain('Ingress/jetmart');
    expect(kinds).toContain('StatefulSet/nats');
    for (const a of APPS) expect(kinds).toContain(`HorizontalPodAutoscaler/${a}`);
    // The images themselves are skaffold's to fill in at deploy (--digest-source=none leaves them
    // empty, and the tag/digest sources need helm's --post-renderer, which Helm 4 replaced with
    // plugins: docs/KUBERNETES.md "Known problems"). The chart's own default is checked in k8s.test.ts.
    for (const a of APPS) {
      const d = docs.find((x: any) => x.kind === 'Deployment' && x.metadata.name === a);
      expect(d.spec.template.spec.containers[0]).toHaveProperty('image');
    }
  });

  withBinary()('skaffold render with the dev profile renders the dev values (Mailpit, one NATS node)', () => {
    const r = run(skaffold(), ['render', '--offline', '--digest-source=none', '-p', 'dev', '-f', file], { env: helmOnPath() });
    expect(r.status).toBe(0);
    const docs = YAML.parseAllDocuments(r.output.slice(r.output.indexOf('apiVersion')))
      .map((d) => d.toJS())
      .filter(Boolean);
    expect(docs.find((d: any) => d.kind === 'Deployment' && d.metadata.name === 'mailpit')).toBeDefined();
    expect(docs.find((d: any) => d.kind === 'StatefulSet' && d.metadata.name === 'nats').spec.replicas).toBe(1);
  });
});
