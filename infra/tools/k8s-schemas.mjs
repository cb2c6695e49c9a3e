#!/usr/bin/env node
// Turns the Kubernetes OpenAPI v2 document (api/openapi-spec/swagger.json of the k8s.io/kubernetes Go
// module, which scripts/ensure-tools.sh downloads through the Go module proxy) into the per-kind JSON
// schemas that kubeconform reads offline, in the same shape as the "-standalone-strict" schemas of
// the kubernetes-json-schema project (what kubectl --validate=strict enforces):
//   - every object with declared properties rejects unknown fields (additionalProperties: false),
//   - int-or-string fields accept an integer or a string, quantities a number or a string,
//   - kind and apiVersion are pinned to the resource's own values.
// Usage: node infra/tools/k8s-schemas.mjs <swagger.json> <out dir>
// Writes <out dir>/_definitions.json and <out dir>/<kind><-group>-<version>.json (kubeconform's
// default file naming: -schema-location '<out dir>/{{ .ResourceKind }}{{ .KindSuffix }}.json').
import fs from 'node:fs';
import path from 'node:path';

const [swaggerPath, outDir] = process.argv.slice(2);
if (!swaggerPath || !outDir) {
  console.error('usage: k8s-schemas.mjs <swagger.json> <out dir>');
  process.exit(2);
}
const swagger = JSON.parse(fs.readFileSync(swaggerPath, 'utf8'));
const QUANTITY = 'io.k8s.apimachinery.pkg.api.resource.Quantity';

function transform(node, refPrefix) {
  if (Array.isArray(node)) return node.map((n) => transform(n, refPrefix));
  if (node === null || typeof node !== 'object') return node;
  if (node.format === 'int-or-string') {
    return { description: node.description, oneOf: [{ type: 'string' }, { type: 'integer' }] };
  }
  const out = {};
  for (const [k, v] of Object.entries(node)) {
    if (k === '$ref' && typeof v === 'string') out[k] = v.replace('#/definitions/', `${refPrefix}#/definitions/`);
    else if (k === 'properties' || k === 'definitions' || k === 'patternProperties') {
      // keys here are names, not keywords
      out[k] = Object.fromEntries(Object.entries(v).map(([name, s]) => [name, transform(s, refPrefix)]));
    } else out[k] = transform(v, refPrefix);
  }
  if (out.properties && out.additionalProperties === undefined) out.additionalProperties = false;
  return out;
}

const definitions = {};
for (const [name, def] of Object.entries(swagger.definitions)) {
  definitions[name] =
    name === QUANTITY ? { description: def.description, oneOf: [{ type: 'string' }, { type: 'number' }] } : transform(def, '');
}

fs.mkdirSync(outDir, { recursive: true });
fs.writeFileSync(path.join(outDir, '_definitions.json'), JSON.stringify({ definitions }));

let count = 0;
for (const [name, def] of Object.entries(swagger.definitions)) {
  const gvks = def['x-kubernetes-group-version-kind'];
  if (!Array.isArray(gvks) || gvks.length !== 1 || !def.properties?.kind) continue;
  const { group, version, kind } = gvks[0];
  const apiVersion = group ? `${group}/${version}` : version;
  const schema = name === QUANTITY ? definitions[name] : transform(def, '_definitions.json');
  schema.properties.kind = { ...schema.properties.kind, enum: [kind] };
  schema.properties.apiVersion = { ...schema.properties.apiVersion, enum: [apiVersion] };
  schema.required = [...new Set([...(schema.required ?? []), 'apiVersion', 'kind'])];
  const suffix = group ? `-${group.split('.')[0].toLowerCase()}-${version}` : `-${version}`;
  fs.writeFileSync(path.join(outDir, `${kind.toLowerCase()}${suffix}.json`), JSON.stringify(schema));
  count++;
}
if (count < 50) {
  console.error(`k8s-schemas: only ${count} kinds found in ${swaggerPath}; is it the Kubernetes OpenAPI v2 document?`);
  process.exit(1);
}
