import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import {
  APPS,
  SERVICES,
  WITH_DB,
  chartDir,
  helm,
  kubeconform,
  loadManifests,
  manifestFiles,
  renderChart,
  renderChartFile,
  renderChartText,
  repo,
  tmpDir,
  tools,
  type Manifest,
} from './lib/tools';

/**
 * The Kubernetes manifests are the Helm chart charts/jetmart (helm install and skaffold both render
 * it). These checks run on `helm template` output, offline: helm lint, kubeconform (strict, with the
 * schemas of the CRDs used), and what each workload needs.
 */
const manifests = loadManifests();
const byKind = (kind: string, ms: Manifest[] = manifests) => ms.filter((m) => m.kind === kind);
const find = (kind: string, name: string, ms: Manifest[] = manifests) => ms.find((m) => m.kind === kind && m.metadata.name === name);

// The value sets the chart is used with: defaults (helm install), skaffold's dev profile, and a
// cluster whose NATS and MongoDB are run elsewhere.
const skaffold = YAML.parse(fs.readFileSync(path.join(repo, 'skaffold.yaml'), 'utf8'));
const DEV_VALUES: Record<string, string> = skaffold.profiles
  .find((p: any) => p.name === 'dev')
  .patches.find((p: any) => p.path === '/manifests/helm/releases/0/setValues').value;
const EXTERNAL_VALUES = {
  'nats.enabled': 'false',
  'externalNats.url': 'nats://nats-a.example:4222\\,nats://nats-b.example:4222',
  'externalNats.monitorUrl': 'http://nats-a.example:8222',
  'mongodb.mode': 'external',
};

describe('Helm chart: lint and schema (offline, strict)', () => {
  test('helm lint --strict passes, with the default values and with the dev and external values', () => {
    for (const set of [{}, DEV_VALUES, EXTERNAL_VALUES]) {
      const args = ['lint', '--strict', chartDir, '--kube-version', tools().K8S_VERSION.replace(/^v/, '')];
      for (const [k, v] of Object.entries(set)) args.push('--set', `${k}=${v}`);
      const r = helm(args);
      expect({ set, output: r.output, status: r.status }).toMatchObject({ status: 0 });
      expect(r.output).toMatch(/1 chart\(s\) linted, 0 chart\(s\) failed/);
    }
  });

  test(`helm template output is valid against the Kubernetes ${tools().K8S_VERSION} schemas and the CRD schemas (all value sets)`, () => {
    for (const file of [...manifestFiles(), renderChartFile(DEV_VALUES), renderChartFile(EXTERNAL_VALUES)]) {
      const r = kubeconform([file]);
      expect({ file, output: r.output }).toMatchObject({ output: expect.stringMatching(/Invalid: 0, Errors: 0, Skipped: 0/) });
      expect(r.status).toBe(0);
    }
  });

  test('the validator rejects a misspelt field, a wrong type, an unknown kind, and a misspelt field of a custom resource', () => {
    const dir = tmpDir();
    const rendered = fs.readFileSync(manifestFiles()[0], 'utf8');
    const cases: [string, string, string][] = [
      ['typo.yaml', 'containerPort: 3000', 'contanerPort: 3000'],
      ['type.yaml', 'terminationGracePeriodSeconds: 30', 'terminationGracePeriodSeconds: thirty'],
      ['crd.yaml', 'connectionStringSecretName:', 'connectionStringSecretNme:'],
      ['crdtype.yaml', 'members: 3', 'members: three'],
    ];
    for (const [f, from, to] of cases) {
      expect(rendered).toContain(from);
      fs.writeFileSync(path.join(dir, f), rendered.replace(from, to));
    }
    fs.writeFileSync(path.join(dir, 'kind.yaml'), 'apiVersion: v1\nkind: Servise\nmetadata:\n  name: x\n');
    for (const f of [...cases.map((c) => c[0]), 'kind.yaml']) {
      const r = kubeconform([path.join(dir, f)]);
      expect({ f, status: r.status }).toEqual({ f, status: 1 });
    }
    expect(kubeconform([path.join(dir, 'typo.yaml')]).output).toMatch(/contanerPort/);
    expect(kubeconform([path.join(dir, 'crd.yaml')]).output).toMatch(/MongoDBCommunity[\s\S]*connectionStringSecretNme/);
  });

  test('the chart refuses values that cannot work: R3 streams on fewer NATS nodes, no NATS at all, an unknown MongoDB mode', () => {
    expect(() => renderChartText({ 'nats.replicas': '1' })).toThrow(/jetstreamReplicas \(3\) cannot exceed nats.replicas \(1\)/);
    expect(() => renderChartText({ 'nats.enabled': 'false' })).toThrow(/externalNats.url is required/);
    expect(() => renderChartText({ 'mongodb.mode': 'atlas' })).toThrow(/mongodb.mode must be operator or external/);
  });
});

function container(m: Manifest) {
  return m.spec.template.spec.containers[0];
}
function envOf(m: Manifest): Record<string, any> {
  return Object.fromEntries((container(m).env ?? []).map((e: any) => [e.name, e.value ?? e.valueFrom]));
}
const config = () => find('ConfigMap', 'jetmart-config')!.data!;

describe('services: what each one needs, and two of everything', () => {
  test.each(APPS)('%s: Deployment + ClusterIP Service on port 3000, probes, limits, graceful shutdown, hardened', (name) => {
    const d = find('Deployment', name)!;
    expect(d).toBeDefined();
    const c = container(d);
    const pod = d.spec.template.spec;
    expect(c.image).toBe(`jetmart/${name}`); // skaffold and the deploy workflows replace it
    expect(c.ports).toEqual([{ name: 'http', containerPort: 3000 }]);
    expect(c.livenessProbe.httpGet).toEqual({ path: '/healthz', port: 'http' });
    // /readyz: false until the service's durable consumers are bound (common/src/service)
    expect(c.readinessProbe.httpGet).toEqual({ path: '/readyz', port: 'http' });
    expect(c.resources.requests.cpu).toBeDefined();
    expect(c.resources.requests.memory).toBeDefined();
    expect(c.resources.limits.memory).toBeDefined();
    // graceful shutdown takes up to ~20 s after the 5 s preStop pause
    expect(pod.terminationGracePeriodSeconds).toBeGreaterThanOrEqual(25 + (c.lifecycle?.preStop?.sleep?.seconds ?? 0) - 5);
    expect(pod.terminationGracePeriodSeconds).toBeLessThanOrEqual(60);
    expect(pod.securityContext.runAsNonRoot).toBe(true);
    expect(pod.securityContext.runAsUser).toBeGreaterThan(0);
    expect(c.securityContext.readOnlyRootFilesystem).toBe(true);
    expect(c.securityContext.allowPrivilegeEscalation).toBe(false);
    expect(c.securityContext.capabilities.drop).toEqual(['ALL']);
    expect(d.spec.selector.matchLabels).toEqual({ 'app.kubernetes.io/name': name });
    expect(d.spec.template.metadata.labels).toMatchObject({ 'app.kubernetes.io/name': name, 'app.kubernetes.io/part-of': 'jetmart' });

    const s = find('Service', name)!;
    expect(s).toBeDefined();
    expect(s.spec.type ?? 'ClusterIP').toBe('ClusterIP');
    expect(s.spec.selector).toEqual({ 'app.kubernetes.io/name': name });
    expect(s.spec.ports).toEqual([{ name: 'http', port: 3000, targetPort: 'http' }]);
  });

  test.each(APPS)('%s: at least 2 replicas (HPA on CPU owns the count), a PodDisruptionBudget, spread over nodes and zones', (name) => {
    const d = find('Deployment', name)!;
    const hpa = find('HorizontalPodAutoscaler', name)!;
    expect(hpa).toBeDefined();
    expect(hpa.apiVersion).toBe('autoscaling/v2');
    expect(hpa.spec.scaleTargetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name });
    expect(hpa.spec.minReplicas).toBeGreaterThanOrEqual(2);
    expect(hpa.spec.maxReplicas).toBeGreaterThan(hpa.spec.minReplicas);
    expect(hpa.spec.metrics).toEqual([
      { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: expect.any(Number) } } },
    ]);
    // a fixed count in the Deployment would fight the autoscaler on every upgrade
    expect(d.spec.replicas).toBeUndefined();
    expect(container(d).resources.requests.cpu).toBeDefined(); // utilization is measured against it

    const pdb = find('PodDisruptionBudget', name)!;
    expect(pdb.apiVersion).toBe('policy/v1');
    expect(pdb.spec).toEqual({ maxUnavailable: 1, selector: { matchLabels: { 'app.kubernetes.io/name': name } } });

    const spread = d.spec.template.spec.topologySpreadConstraints;
    expect(spread.map((t: any) => [t.topologyKey, t.maxSkew])).toEqual([
      ['kubernetes.io/hostname', 1],
      ['topology.kubernetes.io/zone', 1],
    ]);
    for (const t of spread) expect(t.labelSelector.matchLabels).toEqual({ 'app.kubernetes.io/name': name });
  });

  test('with autoscaling off, each Deployment carries the replicas itself (at least 2 by default)', () => {
    const ms = renderChart({ 'serviceDefaults.autoscaling.enabled': 'false', 'services.orders.replicas': '4' });
    expect(byKind('HorizontalPodAutoscaler', ms)).toEqual([]);
    for (const name of APPS) expect(find('Deployment', name, ms)!.spec.replicas).toBe(name === 'orders' ? 4 : 2);
    expect(byKind('PodDisruptionBudget', ms).map((p) => p.metadata.name)).toEqual(expect.arrayContaining([...APPS]));
  });

  test.each(SERVICES)('%s: environment (PORT, NATS cluster, R3, JWT secret, its own database from a Secret, production)', (name) => {
    const d = find('Deployment', name)!;
    const env = envOf(d);
    expect(container(d).envFrom[0]).toEqual({ configMapRef: { name: 'jetmart-config' } });
    expect(config()).toMatchObject({
      NODE_ENV: 'production',
      NATS_URL: 'nats://nats-0.nats-headless:4222,nats://nats-1.nats-headless:4222,nats://nats-2.nats-headless:4222',
      JETSTREAM_REPLICAS: '3',
    });
    expect(config().LOG_LEVEL).toBeDefined();
    expect(env.PORT).toBe('3000');
    expect(env.JWT_KEY).toEqual({ secretKeyRef: { name: 'jwt-secret', key: 'JWT_KEY' } });
    if ((WITH_DB as readonly string[]).includes(name)) {
      // written by the MongoDB operator: this service's user, on this service's database
      expect(env.MONGO_URL).toEqual({ secretKeyRef: { name: `${name}-mongo-connection`, key: 'connectionString.standard' } });
    } else {
      expect(env.MONGO_URL).toBeUndefined();
    }
  });

  test('orders gets ORDER_EXPIRATION_SECONDS, shipping SHIPPING_AUTO_DELIVER_DAYS and RETURN_WINDOW_DAYS; payments gets the optional Stripe secret; client its URLs; ops NATS monitoring and the services', () => {
    expect(config().ORDER_EXPIRATION_SECONDS).toMatch(/^\d+$/);
    expect(config().SHIPPING_AUTO_DELIVER_DAYS).toMatch(/^\d+$/);
    expect(config().RETURN_WINDOW_DAYS).toMatch(/^\d+$/);
    expect(envOf(find('Deployment', 'payments')!).STRIPE_SECRET_KEY).toEqual({
      secretKeyRef: { name: 'stripe-secret', key: 'STRIPE_SECRET_KEY', optional: true },
    });
    const client = envOf(find('Deployment', 'client')!);
    expect(client.API_BASE_URL).toBe('http://ingress-nginx-controller.ingress-nginx.svc.cluster.local');
    // The storefront talks to the API only, never to NATS, and holds no secret.
    expect(Object.keys(client).filter((k) => k.startsWith('NATS') || k.startsWith('OPS_') || k === 'JWT_KEY')).toEqual([]);
    const ops = envOf(find('Deployment', 'ops')!);
    expect(ops.NATS_MONITOR_URL).toBe('http://nats:8222');
    const readiness = Object.fromEntries((ops.OPS_SERVICE_URLS as string).split(',').map((p) => p.split('=')));
    expect(readiness).toEqual(Object.fromEntries(SERVICES.filter((s) => s !== 'ops').map((s) => [s, `http://${s}:3000`])));
    expect(config()).toHaveProperty('ADMIN_EMAILS');
  });

  test("auth gets every service's data-export part inside the cluster (EXPORT_SOURCES)", () => {
    const sources = (envOf(find('Deployment', 'auth')!).EXPORT_SOURCES as string).split(',');
    expect(sources).toEqual([
      'http://products:3000/api/products/me/export',
      'http://orders:3000/api/orders/me/export',
      'http://payments:3000/api/payments/me/export',
      'http://shipping:3000/api/shipments/me/export',
      'http://notifications:3000/api/notifications/me/export',
    ]);
    for (const url of sources) expect(SERVICES).toContain(new URL(url).hostname);
  });

  test('products stores images in S3-compatible storage: IMAGE_STORE=s3, S3_* settings, credentials from the Secret products-s3', () => {
    const d = find('Deployment', 'products')!;
    const env = envOf(d);
    expect(env.IMAGE_STORE).toBe('s3');
    for (const k of ['S3_ENDPOINT', 'S3_BUCKET', 'S3_REGION']) expect(typeof env[k]).toBe('string');
    expect(env.S3_ENDPOINT).toMatch(/^https?:\/\//);
    expect(container(d).envFrom).toContainEqual({ secretRef: { name: 'products-s3' } });
    // no other service gets the bucket's credentials
    for (const name of APPS.filter((a) => a !== 'products')) {
      expect(container(find('Deployment', name)!).envFrom).toEqual([{ configMapRef: { name: 'jetmart-config' } }]);
    }
    // values choose the bucket
    const custom = renderChart({
      'services.products.imageStore.bucket': 'shop-images',
      'services.products.imageStore.endpoint': 'http://minio:9000',
    });
    expect(envOf(find('Deployment', 'products', custom)!)).toMatchObject({ S3_BUCKET: 'shop-images', S3_ENDPOINT: 'http://minio:9000' });
  });

  test('search: its own Deployment, Service and database, routed at /api/search', () => {
    expect(find('Deployment', 'search')).toBeDefined();
    expect(find('MongoDBCommunity', 'search-mongo')).toBeDefined();
    const paths = find('Ingress', 'jetmart')!.spec.rules[0].http.paths.map((p: any) => [p.path, p.backend.service.name]);
    expect(paths).toContainEqual(['/api/search', 'search']);
    expect(paths).toContainEqual(['/api/reviews', 'products']);
  });

  test('notifications gets the mail server from smtp-secret; Mailpit (and its smtp-secret) only with the dev values', () => {
    const env = envOf(find('Deployment', 'notifications')!);
    expect(env.SMTP_URL).toEqual({ secretKeyRef: { name: 'smtp-secret', key: 'SMTP_URL' } });
    expect(config().PUBLIC_URL).toMatch(/^https:\/\//);
    expect(config().SHOP_NAME).toBeTruthy();
    expect(config().MAIL_FROM).toMatch(/<[^@>]+@[^>]+>/);
    expect(find('Deployment', 'mailpit')).toBeUndefined();
    const dev = renderChart(DEV_VALUES);
    expect(find('Deployment', 'mailpit', dev)).toBeDefined();
    expect(find('Secret', 'smtp-secret', dev)!.stringData).toEqual({ SMTP_URL: 'smtp://mailpit:1025' });
    const mailpitImage = container(find('Deployment', 'mailpit', dev)!).image;
    const versions = fs.readFileSync(path.join(repo, 'scripts', 'versions.env'), 'utf8');
    expect(mailpitImage).toBe(`axllent/mailpit:v${/MAILPIT_VERSION=v?([\d.]+)/.exec(versions)![1]}`);
  });

  test('the dev values: writable root filesystems, one of everything, R1 streams on one NATS node', () => {
    const dev = renderChart(DEV_VALUES);
    for (const name of APPS) {
      const d = find('Deployment', name, dev)!;
      expect(container(d).securityContext.readOnlyRootFilesystem).toBe(false);
      expect(d.spec.replicas).toBe(1);
    }
    expect(find('StatefulSet', 'nats', dev)!.spec.replicas).toBe(1);
    expect(find('ConfigMap', 'jetmart-config', dev)!.data).toMatchObject({
      NATS_URL: 'nats://nats-0.nats-headless:4222',
      JETSTREAM_REPLICAS: '1',
    });
    expect(find('ConfigMap', 'nats-config', dev)!.data!['nats.conf']).not.toMatch(/cluster\s*\{/);
  });

  test('values set the images: a registry and tag for all, or one exact image (what skaffold sets)', () => {
    const ms = renderChart({
      'image.registry': 'ghcr.io/acme/',
      'image.tag': '1a2b3c',
      'services.orders.image': 'reg.example/orders@sha256:abc',
    });
    for (const name of APPS) {
      expect(container(find('Deployment', name, ms)!).image).toBe(
        name === 'orders' ? 'reg.example/orders@sha256:abc' : `ghcr.io/acme/jetmart/${name}:1a2b3c`,
      );
    }
  });
});

describe('NATS: a 3-node JetStream cluster', () => {
  const versions = fs.readFileSync(path.join(repo, 'scripts', 'versions.env'), 'utf8');
  const pinned = /NATS_SERVER_VERSION=v?([\d.]+)/.exec(versions)![1];
  const ss = find('StatefulSet', 'nats')!;
  const conf = find('ConfigMap', 'nats-config')!.data!['nats.conf'];

  test('StatefulSet of 3 pinned nats-server nodes, JetStream file storage on a PVC per node', () => {
    expect(ss.spec.replicas).toBe(3);
    expect(ss.spec.serviceName).toBe('nats-headless');
    expect(ss.spec.podManagementPolicy).toBe('Parallel');
    expect(container(ss).image).toBe(`nats:${pinned}-alpine`);
    expect(ss.spec.volumeClaimTemplates[0].metadata.name).toBe('data');
    expect(ss.spec.volumeClaimTemplates[0].spec.resources.requests.storage).toMatch(/^\d+Gi$/);
    expect(conf).toMatch(/jetstream\s*\{[^}]*store_dir:\s*\/data/);
    expect(container(ss).volumeMounts).toContainEqual({ name: 'data', mountPath: '/data' });
    expect(
      find('Service', 'nats')!
        .spec.ports.map((p: any) => p.port)
        .sort(),
    ).toEqual([4222, 8222]);
    const headless = find('Service', 'nats-headless')!;
    expect(headless.spec.clusterIP).toBe('None');
    expect(headless.spec.publishNotReadyAddresses).toBe(true);
    expect(headless.spec.ports.map((p: any) => p.port).sort()).toEqual([4222, 6222, 8222]);
  });

  test('cluster routes to every node by its stable name, cluster name jetmart, unique server names', () => {
    const cluster = /cluster\s*\{([\s\S]*?)\n\s*\}/.exec(conf)![1];
    expect(cluster).toMatch(/name:\s*jetmart/);
    expect(cluster).toMatch(/port:\s*6222/);
    const routes = [...cluster.matchAll(/nats:\/\/([a-z0-9.-]+):6222/g)].map((m) => m[1]);
    expect(routes).toEqual(['nats-0.nats-headless', 'nats-1.nats-headless', 'nats-2.nats-headless']);
    expect(conf).toMatch(/server_name:\s*\$POD_NAME/);
    expect(envOf(ss).POD_NAME).toEqual({ fieldRef: { fieldPath: 'metadata.name' } });
    // with 5 nodes the routes follow
    const five = renderChart({ 'nats.replicas': '5' });
    expect([...find('ConfigMap', 'nats-config', five)!.data!['nats.conf'].matchAll(/nats-\d\.nats-headless:6222/g)]).toHaveLength(5);
  });

  test('PodDisruptionBudget: at most one node down; nodes spread one per host', () => {
    expect(find('PodDisruptionBudget', 'nats')!.spec).toEqual({
      maxUnavailable: 1,
      selector: { matchLabels: { 'app.kubernetes.io/name': 'nats' } },
    });
    const host = ss.spec.template.spec.topologySpreadConstraints.find((t: any) => t.topologyKey === 'kubernetes.io/hostname');
    expect(host).toMatchObject({
      maxSkew: 1,
      whenUnsatisfiable: 'DoNotSchedule',
      labelSelector: { matchLabels: { 'app.kubernetes.io/name': 'nats' } },
    });
  });

  test('GOMEMLIMIT below the memory limit; lame-duck shutdown within the grace period', () => {
    const toBytes = (q: string) => {
      const m = /^(\d+)(Ki|Mi|Gi|KiB|MiB|GiB)?$/.exec(q)!;
      return (
        Number(m[1]) *
        { undefined: 1, Ki: 1024, KiB: 1024, Mi: 1024 ** 2, MiB: 1024 ** 2, Gi: 1024 ** 3, GiB: 1024 ** 3 }[String(m[2]) as 'Ki']
      );
    };
    const limit = toBytes(container(ss).resources.limits.memory);
    const gomem = toBytes(envOf(ss).GOMEMLIMIT);
    expect(gomem).toBeLessThan(limit);
    expect(gomem).toBeGreaterThan(limit * 0.7);
    expect(container(ss).lifecycle.preStop.exec.command).toEqual(['nats-server', '-sl=ldm=/var/run/nats/nats.pid']);
    const seconds = (re: RegExp) => Number(re.exec(conf)![1]);
    const lameDuck = seconds(/lame_duck_duration:\s*(\d+)s/) + seconds(/lame_duck_grace_period:\s*(\d+)s/);
    expect(ss.spec.template.spec.terminationGracePeriodSeconds).toBeGreaterThan(lameDuck);
  });

  test('every service creates R3 streams and consumers (JETSTREAM_REPLICAS), never more than the nodes', () => {
    expect(Number(config().JETSTREAM_REPLICAS)).toBe(3);
    expect(Number(config().JETSTREAM_REPLICAS)).toBeLessThanOrEqual(ss.spec.replicas);
  });

  test('external NATS: no NATS here, the services get the given URLs', () => {
    const ms = renderChart(EXTERNAL_VALUES);
    expect(find('StatefulSet', 'nats', ms)).toBeUndefined();
    expect(find('ConfigMap', 'jetmart-config', ms)!.data!.NATS_URL).toBe('nats://nats-a.example:4222,nats://nats-b.example:4222');
    expect(envOf(find('Deployment', 'ops', ms)!).NATS_MONITOR_URL).toBe('http://nats-a.example:8222');
  });
});

describe('MongoDB: a replica set per service, one user per service limited to its database', () => {
  test.each(WITH_DB)(
    '%s-mongo: MongoDBCommunity replica set of 3 (mongo 8), SCRAM, the one user readWrite on its own database only',
    (name) => {
      const m = find('MongoDBCommunity', `${name}-mongo`)!;
      expect(m.apiVersion).toBe('mongodbcommunity.mongodb.com/v1');
      expect(m.spec).toMatchObject({ type: 'ReplicaSet', members: 3, security: { authentication: { modes: ['SCRAM'] } } });
      expect(m.spec.version).toMatch(/^8\.\d+\.\d+$/);
      expect(m.spec.users).toEqual([
        {
          name,
          db: name,
          passwordSecretRef: { name: `${name}-mongo-password`, key: 'password' },
          roles: [{ name: 'readWrite', db: name }],
          scramCredentialsSecretName: `${name}-mongo-${name}`,
          connectionStringSecretName: `${name}-mongo-connection`,
        },
      ]);
      // the Secret the operator writes is the one the service reads
      expect(envOf(find('Deployment', name)!).MONGO_URL.secretKeyRef.name).toBe(m.spec.users[0].connectionStringSecretName);
      const sts = m.spec.statefulSet.spec;
      expect(sts.volumeClaimTemplates[0]).toMatchObject({
        metadata: { name: 'data-volume' },
        spec: { resources: { requests: { storage: expect.any(String) } } },
      });
      expect(sts.template.spec.topologySpreadConstraints[0]).toMatchObject({
        topologyKey: 'kubernetes.io/hostname',
        labelSelector: { matchLabels: { app: `${name}-mongo-svc` } },
      });
      expect(find('PodDisruptionBudget', `${name}-mongo`)!.spec).toEqual({
        maxUnavailable: 1,
        selector: { matchLabels: { app: `${name}-mongo-svc` } },
      });
    },
  );

  test('services without a database get none; no database is shared', () => {
    const dbs = byKind('MongoDBCommunity').map((m) => m.metadata.name);
    expect(dbs.sort()).toEqual(WITH_DB.map((n) => `${n}-mongo`).sort());
    const users = byKind('MongoDBCommunity').flatMap((m) => m.spec.users.flatMap((u: any) => u.roles.map((r: any) => r.db)));
    expect(new Set(users).size).toBe(users.length);
  });

  test("the operator's database pods get their account (mongodb-database) in this namespace", () => {
    expect(find('ServiceAccount', 'mongodb-database')).toBeDefined();
    expect(find('RoleBinding', 'mongodb-database')!.subjects).toEqual([{ kind: 'ServiceAccount', name: 'mongodb-database' }]);
    expect(
      find('Role', 'mongodb-database')!
        .rules.flatMap((r: any) => r.resources)
        .sort(),
    ).toEqual(['pods', 'secrets']);
  });

  test('external MongoDB: no replica sets here, each service reads MONGO_URL from its own Secret', () => {
    const ms = renderChart(EXTERNAL_VALUES);
    expect(byKind('MongoDBCommunity', ms)).toEqual([]);
    for (const name of WITH_DB) {
      expect(envOf(find('Deployment', name, ms)!).MONGO_URL).toEqual({ secretKeyRef: { name: `${name}-mongo-url`, key: 'MONGO_URL' } });
    }
  });
});

describe('secrets and references', () => {
  test('secrets are referenced, never rendered; every referenced ConfigMap exists', () => {
    expect(byKind('Secret')).toEqual([]);
    const text = [fs.readFileSync(manifestFiles()[0], 'utf8'), fs.readFileSync(path.join(chartDir, 'values.yaml'), 'utf8')].join('\n');
    expect(text).not.toMatch(/sk_(live|test)_[A-Za-z0-9]{8,}/);
    expect(text).not.toMatch(/password:\s*\S/i);
    const configMaps = new Set(byKind('ConfigMap').map((m) => m.metadata.name));
    for (const m of [...byKind('Deployment'), ...byKind('StatefulSet')]) {
      const refs = [
        ...(m.spec.template.spec.containers.flatMap((c: any) => c.envFrom ?? []).map((e: any) => e.configMapRef?.name) ?? []),
        ...(m.spec.template.spec.volumes ?? []).map((v: any) => v.configMap?.name),
      ].filter(Boolean);
      for (const r of refs) expect({ manifest: m.metadata.name, configMap: r, exists: configMaps.has(r) }).toMatchObject({ exists: true });
    }
  });

  test('infra/k8s keeps only what the chart does not render (the optional observability overlay)', () => {
    const left = fs.readdirSync(path.join(repo, 'infra', 'k8s'), { recursive: true, withFileTypes: false }) as string[];
    expect(left.filter((f) => /\.ya?ml$/.test(f)).every((f) => f.startsWith('observability'))).toBe(true);
  });
});
