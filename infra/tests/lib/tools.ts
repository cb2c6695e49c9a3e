import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import YAML from 'yaml';

export const repo = path.resolve(__dirname, '..', '..', '..');
export const k8sDir = path.join(repo, 'infra', 'k8s');

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
  output: string;
}
export function run(cmd: string, args: string[], opts: { cwd?: string } = {}): Run {
  const r = spawnSync(cmd, args, { cwd: opts.cwd ?? repo, encoding: 'utf8', timeout: 120000 });
  if (r.error) throw r.error;
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

export function tmpDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'jetmart-infra-'));
}

/** kubeconform in strict mode (unknown fields are errors, a kind without a schema is an error). */
export function kubeconform(files: string[], schemaDir = tools().K8S_SCHEMA_DIR): Run {
  return run(tools().KUBECONFORM, [
    '-strict',
    '-summary',
    '-schema-location',
    `${schemaDir}/{{ .ResourceKind }}{{ .KindSuffix }}.json`,
    ...files,
  ]);
}

export interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  spec?: any;
  data?: Record<string, string>;
  file: string;
}
export function manifestFiles(): string[] {
  return fs
    .readdirSync(k8sDir)
    .filter((f) => f.endsWith('.yaml') || f.endsWith('.yml'))
    .map((f) => path.join(k8sDir, f));
}
export function loadManifests(): Manifest[] {
  return manifestFiles().flatMap((file) =>
    YAML.parseAllDocuments(fs.readFileSync(file, 'utf8'))
      .map((d) => d.toJS())
      .filter(Boolean)
      .map((m) => ({ ...m, file: path.basename(file) })),
  );
}
export const SERVICES = ['auth', 'products', 'search', 'orders', 'payments', 'expiration', 'ops', 'shipping', 'notifications'] as const;
export const APPS = [...SERVICES, 'client'] as const;
export const WITH_DB = ['auth', 'products', 'search', 'orders', 'payments', 'shipping', 'notifications'] as const;
