import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { SERVICES, k8sDir, kubeconform, loadManifests, repo } from './lib/tools';

/**
 * The optional observability overlay (infra/k8s/observability/, applied on its own with
 * kubectl apply -f; the chart does not render it), validated here.
 */
const dir = path.join(k8sDir, 'observability');
const files = fs
  .readdirSync(dir)
  .filter((f) => f.endsWith('.yaml'))
  .map((f) => path.join(dir, f));
const docs = files.flatMap((file) =>
  YAML.parseAllDocuments(fs.readFileSync(file, 'utf8')).map((d) => ({ ...d.toJS(), file: path.basename(file) })),
);
const find = (kind: string, name?: string) => docs.find((m) => m.kind === kind && (!name || m.metadata.name === name));

// ServiceMonitor is a Prometheus Operator CRD: validated against the schema of its CRD (made offline by
// scripts/ensure-tools.sh from the operator's Go module) besides the Kubernetes kinds.
test('the overlay manifests are valid against the Kubernetes and CRD schemas (strict, nothing skipped)', () => {
  const r = kubeconform(files);
  expect(r.output).toMatch(new RegExp(`Valid: ${docs.length}, Invalid: 0, Errors: 0, Skipped: 0`));
  expect(r.status).toBe(0);
});

test('Prometheus scrapes the pods of every service on their http port; the ServiceMonitor selects the same services', () => {
  const config = YAML.parse(find('ConfigMap', 'prometheus-config')!.data['prometheus.yml']);
  const job = config.scrape_configs.find((j: any) => j.job_name === 'jetmart');
  expect(job.kubernetes_sd_configs[0].role).toBe('pod');
  const keepNames = job.relabel_configs.find(
    (r: any) => r.source_labels[0] === '__meta_kubernetes_pod_label_app_kubernetes_io_name' && r.action === 'keep',
  );
  expect(keepNames.regex.split('|').sort()).toEqual([...SERVICES].sort());
  const base = loadManifests();
  for (const svc of SERVICES) {
    const deployment = base.find((m) => m.kind === 'Deployment' && m.metadata.name === svc)!;
    expect(deployment.spec.template.metadata.labels['app.kubernetes.io/part-of']).toBe('jetmart');
    expect(deployment.spec.template.spec.containers[0].ports[0].name).toBe('http');
  }
  const monitor = find('ServiceMonitor')!;
  expect(monitor.spec.selector.matchExpressions[0].values.sort()).toEqual([...SERVICES].sort());
  expect(monitor.spec.endpoints[0]).toMatchObject({ port: 'http', path: '/metrics' });
  // Prometheus lists pods through the API: its role and binding grant that to its account.
  expect(find('Deployment', 'prometheus')!.spec.template.spec.serviceAccountName).toBe('prometheus');
  expect(find('RoleBinding')!.subjects[0].name).toBe('prometheus');
});

test('the collector receives OTLP/HTTP on 4318, the port the services export to', () => {
  const config = YAML.parse(find('ConfigMap', 'otel-collector-config')!.data['config.yaml']);
  expect(config.receivers.otlp.protocols.http.endpoint).toBe('0.0.0.0:4318');
  expect(config.service.pipelines.traces.receivers).toEqual(['otlp']);
  expect(find('Service', 'otel-collector')!.spec.ports[0].port).toBe(4318);
});

test('every metric the Grafana dashboard queries is one the services export', () => {
  const dashboard = JSON.parse(fs.readFileSync(path.join(dir, 'grafana-dashboard.json'), 'utf8'));
  const exprs: string[] = dashboard.panels.flatMap((p: any) => p.targets.map((t: any) => t.expr));
  const sources = ['common/src/metrics/index.ts', 'orders/src/metrics.ts', 'payments/src/metrics.ts']
    .map((f) => fs.readFileSync(path.join(repo, f), 'utf8'))
    .join('\n');
  const exported = new Set([...sources.matchAll(/name: '([a-z_]+)'/g)].map((m) => m[1]));
  expect(exported.size).toBeGreaterThan(8);
  const queried = new Set(
    exprs.flatMap((e) => [...e.matchAll(/\b((?:http|jetmart)_[a-z_]+?)(?:_bucket|_count|_sum)?\b(?=[[{(\s])/g)].map((m) => m[1])),
  );
  expect(queried.size).toBeGreaterThan(8);
  for (const metric of queried) expect({ metric, exported: exported.has(metric) }).toEqual({ metric, exported: true });
});
