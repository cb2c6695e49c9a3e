#!/usr/bin/env node
// Turns CustomResourceDefinition files (the CRDs of operators the chart uses: the MongoDB Community
// Operator's MongoDBCommunity, the Prometheus Operator's PrometheusRule and ServiceMonitor, whose
// sources scripts/ensure-tools.sh downloads through the Go module proxy) into per-kind JSON schemas
// that kubeconform reads offline, strict like infra/tools/k8s-schemas.mjs (what the API server's
// structural-schema pruning plus kubectl --validate=strict enforce):
//   - every object with declared properties rejects unknown fields (additionalProperties: false),
//     except where the CRD keeps unknown fields (x-kubernetes-preserve-unknown-fields),
//   - x-kubernetes-int-or-string fields accept an integer or a string, `nullable` ones null too,
//   - kind and apiVersion are pinned to the resource's own values.
// Usage: node infra/tools/crd-schemas.mjs <out dir> <crd.yaml>...
// Writes <out dir>/<kind>-<first label of group>-<version>.json (kubeconform's {{ .ResourceKind }}{{ .KindSuffix }}).
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';

// `yaml` is a dependency of the repository root (npm ci runs before this script).
const YAML = createRequire(path.join(path.dirname(new URL(import.meta.url).pathname), '..', '..', 'package.json'))('yaml');

const [outDir, ...files] = process.argv.slice(2);
if (!outDir || files.length === 0) {
  console.error('usage: crd-schemas.mjs <out dir> <crd.yaml>...');
  process.exit(2);
}

function strict(node) {
  if (Array.isArray(node)) return node.map(strict);
  if (node === null || typeof node !== 'object') return node;
  if (node['x-kubernetes-int-or-string']) {
    return { description: node.description, oneOf: [{ type: 'string' }, { type: 'integer' }] };
  }
  const out = {};
  for (const [k, v] of Object.entries(node)) {
    if (k === 'properties' || k === 'patternProperties') {
      out[k] = Object.fromEntries(Object.entries(v).map(([name, s]) => [name, strict(s)]));
    } else out[k] = strict(v);
  }
  if (out.properties && out.additionalProperties === undefined && !node['x-kubernetes-preserve-unknown-fields']) {
    out.additionalProperties = false;
  }
  if (out.nullable === true && typeof out.type === 'string') out.type = [out.type, 'null'];
  return out;
}

fs.mkdirSync(outDir, { recursive: true });
let count = 0;
for (const file of files) {
  for (const doc of YAML.parseAllDocuments(fs.readFileSync(file, 'utf8'))) {
    const crd = doc.toJS();
    if (crd?.kind !== 'CustomResourceDefinition') continue;
    const { group, names } = crd.spec;
    for (const version of crd.spec.versions ?? []) {
      const schema = version.schema?.openAPIV3Schema;
      if (!schema) continue;
      const out = strict(schema);
      out.properties = {
        ...out.properties,
        apiVersion: { type: 'string', enum: [`${group}/${version.name}`] },
        kind: { type: 'string', enum: [names.kind] },
        metadata: out.properties?.metadata ?? { type: 'object' },
      };
      out.required = [...new Set([...(out.required ?? []), 'apiVersion', 'kind'])];
      const name = `${names.kind.toLowerCase()}-${group.split('.')[0].toLowerCase()}-${version.name}.json`;
      fs.writeFileSync(path.join(outDir, name), JSON.stringify(out));
      count++;
    }
  }
}
if (count === 0) {
  console.error(`crd-schemas: no CustomResourceDefinition with a schema in ${files.join(' ')}`);
  process.exit(1);
}
