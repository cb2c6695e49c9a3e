import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import YAML from 'yaml';

export const repo = path.resolve(__dirname, '..', '..', '..');
export const k8sDir = path.join(repo, 'infra', 'k8s');
/** The Helm chart: the one source of the Kubernetes manifests (helm install, skaffold). */
export const chartDir = path.join(repo, 'charts', 'jetmart');

let cached: Record<string, string> | undefined;
/** Paths of the tools scripts/ensure-tools.sh builds (it is idempotent and instant when cached). */
export function tools(): Record<string, string> {
  if (!cached) {
    const out = execFileSync('bash', [path.join(repo, 'scripts', 'ensure-tools.sh'), '--print-env'], { encoding: 'utf8' });
    cached = Object.fromEntries(
      out
        .trim()
        .split('\n')
        .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
    );
  }
  return cached;
}

export interface Run {
  status: number | null;
  /** stdout and stderr */
  output: string;
  /** stdout alone (helm) */
  stdout?: string;
}
export function run(cmd: string, args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Run {
  const r = spawnSync(cmd, args, {
    cwd: opts.cwd ?? repo,
    encoding: 'utf8',
    timeout: 120000,
    env: opts.env ?? process.env,
    maxBuffer: 64 * 1024 * 1024,
  });
  if (r.error) throw r.error;
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

export function tmpDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'jetmart-infra-'));
}

/**
 * kubeconform in strict mode (unknown fields are errors, a kind without a schema is an error), offline:
 * the Kubernetes schemas plus those of the CRDs the chart uses (MongoDBCommunity, PrometheusRule,
 * ServiceMonitor), both made by scripts/ensure-tools.sh.
 */
export function kubeconform(files: string[], schemaDirs: string | string[] = [tools().K8S_SCHEMA_DIR, tools().CRD_SCHEMA_DIR]): Run {
  const dirs = Array.isArray(schemaDirs) ? schemaDirs : [schemaDirs];
  return run(tools().KUBECONFORM, [
    '-strict',
    '-summary',
    ...dirs.flatMap((d) => ['-schema-location', `${d}/{{ .ResourceKind }}{{ .KindSuffix }}.json`]),
    ...files,
  ]);
}

/** helm (built by ensure-tools) with its caches and config in a private folder: nothing from the user's helm set-up leaks in. */
export function helm(args: string[]): Run {
  const home = path.join(os.tmpdir(), 'jetmart-infra-helm');
  const env = {
    ...process.env,
    HELM_CACHE_HOME: path.join(home, 'cache'),
    HELM_CONFIG_HOME: path.join(home, 'config'),
    HELM_DATA_HOME: path.join(home, 'data'),
  };
  const r = spawnSync(tools().HELM, args, { cwd: repo, encoding: 'utf8', timeout: 120000, env, maxBuffer: 64 * 1024 * 1024 });
  if (r.error) throw r.error;
  return { status: r.status, output: `${r.stdout}${r.stderr}`, stdout: r.stdout };
}

/** `helm template` of charts/jetmart with --set values (strings, as helm --set parses them); throws with helm's message if it fails. */
export function renderChartText(set: Record<string, string> = {}): string {
  const args = ['template', 'jetmart', chartDir, '--namespace', 'jetmart', '--kube-version', tools().K8S_VERSION.replace(/^v/, '')];
  for (const [k, v] of Object.entries(set)) args.push('--set', `${k}=${v}`);
  const r = helm(args);
  if (r.status !== 0) throw new Error(`helm template failed: ${r.output}`);
  return r.stdout!;
}

/** The chart rendered with those values, written to a file (for kubeconform). */
export function renderChartFile(set: Record<string, string> = {}): string {
  const file = path.join(tmpDir(), 'jetmart.yaml');
  fs.writeFileSync(file, renderChartText(set));
  return file;
}

/** The chart's manifests with those values, each tagged with the template it came from. */
export function renderChart(set: Record<string, string> = {}): Manifest[] {
  return parseManifests(renderChartText(set));
}

export function parseManifests(text: string): Manifest[] {
  return text
    .split(/^---\s*$/m)
    .map((chunk) => ({ source: /^# Source: (.+)$/m.exec(chunk)?.[1] ?? '', value: YAML.parse(chunk) }))
    .filter((d) => d.value)
    .map((d) => ({ ...d.value, file: d.source }));
}

export interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  spec?: any;
  data?: Record<string, string>;
  /** the template it came from (charts/jetmart/templates/...) */
  file: string;
  /** other top-level fields (stringData, rules, subjects ...) */
  [field: string]: any;
}
let defaultRender: { file: string; manifests: Manifest[] } | undefined;
/** The chart rendered with its default values (what `helm install jetmart charts/jetmart` applies), as a file. */
export function manifestFiles(): string[] {
  if (!defaultRender) {
    const file = renderChartFile();
    defaultRender = { file, manifests: parseManifests(fs.readFileSync(file, 'utf8')) };
  }
  return [defaultRender.file];
}
/** The manifests of the chart with its default values. */
export function loadManifests(): Manifest[] {
  manifestFiles();
  return defaultRender!.manifests;
}
export const SERVICES = ['auth', 'products', 'search', 'orders', 'payments', 'expiration', 'ops', 'shipping', 'notifications'] as const;
export const APPS = [...SERVICES, 'client'] as const;
export const WITH_DB = ['auth', 'products', 'search', 'orders', 'payments', 'shipping', 'notifications'] as const;
