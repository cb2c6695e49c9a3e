import fs from 'node:fs';
import path from 'node:path';
import { APPS, SERVICES, WITH_DB, kubeconform, loadManifests, manifestFiles, repo, tmpDir, tools, type Manifest } from './lib/tools';

const manifests = loadManifests();
const byKind = (kind: string) => manifests.filter((m) => m.kind === kind);
const find = (kind: string, name: string) => manifests.find((m) => m.kind === kind && m.metadata.name === name);

describe('Kubernetes manifests: schema (kubeconform, offline, strict)', () => {
  test(`every manifest in infra/k8s is valid against the Kubernetes ${tools().K8S_VERSION} schemas`, () => {
    const r = kubeconform(manifestFiles());
    expect(r.output).toMatch(/Invalid: 0, Errors: 0, Skipped: 0/);
    expect(r.status).toBe(0);
  });

  test('the validator rejects a misspelt field, a wrong type and an unknown kind', () => {
    const dir = tmpDir();
    const deployment = fs.readFileSync(path.join(repo, 'infra', 'k8s', 'auth.yaml'), 'utf8');
    fs.writeFileSync(path.join(dir, 'typo.yaml'), deployment.replace('containerPort: 3000', 'contanerPort: 3000'));
    fs.writeFileSync(
      path.join(dir, 'type.yaml'),
      deployment.replace('terminationGracePeriodSeconds: 30', 'terminationGracePeriodSeconds: thirty'),
    );
    fs.writeFileSync(path.join(dir, 'kind.yaml'), 'apiVersion: v1\nkind: Servise\nmetadata:\n  name: x\n');
    for (const f of ['typo.yaml', 'type.yaml', 'kind.yaml']) {
      const r = kubeconform([path.join(dir, f)]);
      expect({ f, status: r.status }).toEqual({ f, status: 1 });
    }
    expect(kubeconform([path.join(dir, 'typo.yaml')]).output).toMatch(/contanerPort/);
  });
});

function container(m: Manifest) {
  return m.spec.template.spec.containers[0];
}
function envOf(m: Manifest): Record<string, any> {
  return Object.fromEntries((container(m).env ?? []).map((e: any) => [e.name, e.value ?? e.valueFrom]));
}

describe('Kubernetes manifests: what the services need', () => {
  test.each(APPS)('%s: Deployment + ClusterIP Service on port 3000, probes, limits, graceful shutdown, hardened', (name) => {
    const d = find('Deployment', name)!;
    expect(d).toBeDefined();
    const c = container(d);
    const pod = d.spec.template.spec;
    expect(c.image).toBe(`jetmart/${name}`); // skaffold and the deploy workflows replace it
    expect(c.ports).toEqual([{ name: 'http', containerPort: 3000 }]);
    expect(c.livenessProbe.httpGet).toEqual({ path: '/healthz', port: 'http' });
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
    expect(d.spec.selector.matchLabels).toEqual(d.spec.template.metadata.labels && { 'app.kubernetes.io/name': name });

    const s = find('Service', name)!;
    expect(s).toBeDefined();
    expect(s.spec.type ?? 'ClusterIP').toBe('ClusterIP');
    expect(s.spec.selector).toEqual({ 'app.kubernetes.io/name': name });
    expect(s.spec.ports).toEqual([{ name: 'http', port: 3000, targetPort: 'http' }]);
  });

  test.each(SERVICES)('%s: environment (PORT, NATS, JWT secret, database, production)', (name) => {
    const d = find('Deployment', name)!;
    const env = envOf(d);
    const config = find('ConfigMap', 'jetmart-config')!;
    expect(container(d).envFrom).toEqual([{ configMapRef: { name: 'jetmart-config' } }]);
    expect(config.data).toMatchObject({ NODE_ENV: 'production', NATS_URL: 'nats://nats:4222' });
    expect(config.data!.LOG_LEVEL).toBeDefined();
    expect(env.PORT).toBe('3000');
    expect(env.JWT_KEY).toEqual({ secretKeyRef: { name: 'jwt-secret', key: 'JWT_KEY' } });
    if ((WITH_DB as readonly string[]).includes(name)) {
      expect(env.MONGO_URL).toBe(`mongodb://${name}-mongo:27017/${name}`);
    } else {
      expect(env.MONGO_URL).toBeUndefined();
    }
  });

  test('orders gets ORDER_EXPIRATION_SECONDS, shipping SHIPPING_AUTO_DELIVER_DAYS and RETURN_WINDOW_DAYS; payments gets the optional Stripe secret; client its URLs; ops NATS monitoring and the services', () => {
    expect(find('ConfigMap', 'jetmart-config')!.data!.ORDER_EXPIRATION_SECONDS).toMatch(/^\d+$/);
    expect(find('ConfigMap', 'jetmart-config')!.data!.SHIPPING_AUTO_DELIVER_DAYS).toMatch(/^\d+$/);
    expect(find('ConfigMap', 'jetmart-config')!.data!.RETURN_WINDOW_DAYS).toMatch(/^\d+$/);
    expect(envOf(find('Deployment', 'payments')!).STRIPE_SECRET_KEY).toEqual({
      secretKeyRef: { name: 'stripe-secret', key: 'STRIPE_SECRET_KEY', optional: true },
    });
    const client = envOf(find('Deployment', 'client')!);
    expect(client.API_BASE_URL).toBe('http://ingress-nginx-controller.ingress-nginx.svc.cluster.local');
    // The storefront talks to the API only, never to NATS.
    expect(Object.keys(client).filter((k) => k.startsWith('NATS') || k.startsWith('OPS_'))).toEqual([]);
    const ops = envOf(find('Deployment', 'ops')!);
    expect(ops.NATS_MONITOR_URL).toBe('http://nats:8222');
    const readiness = Object.fromEntries((ops.OPS_SERVICE_URLS as string).split(',').map((p) => p.split('=')));
    expect(readiness).toEqual(Object.fromEntries(SERVICES.filter((s) => s !== 'ops').map((s) => [s, `http://${s}:3000`])));
    expect(find('ConfigMap', 'jetmart-config')!.data).toHaveProperty('ADMIN_EMAILS');
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

  test('notifications gets the mail server from smtp-secret and its links and name from the config; Mailpit only in the dev profile', () => {
    const env = envOf(find('Deployment', 'notifications')!);
    expect(env.SMTP_URL).toEqual({ secretKeyRef: { name: 'smtp-secret', key: 'SMTP_URL' } });
    const config = find('ConfigMap', 'jetmart-config')!.data!;
    expect(config.PUBLIC_URL).toMatch(/^https:\/\//);
    expect(config.SHOP_NAME).toBeTruthy();
    expect(config.MAIL_FROM).toMatch(/<[^@>]+@[^>]+>/);
    expect(find('Deployment', 'mailpit')).toBeUndefined();
    const dev = fs.readFileSync(path.join(repo, 'infra', 'k8s', 'dev', 'mailpit.yaml'), 'utf8');
    expect(dev).toMatch(/kind: Deployment[\s\S]*name: mailpit/);
    expect(dev).toContain('SMTP_URL: smtp://mailpit:1025');
    expect(kubeconform([path.join(repo, 'infra', 'k8s', 'dev', 'mailpit.yaml')]).output).toMatch(/Invalid: 0, Errors: 0, Skipped: 0/);
  });

  test.each(WITH_DB)('%s-mongo: StatefulSet (mongo 8) with a PersistentVolumeClaim and a Service', (name) => {
    const ss = find('StatefulSet', `${name}-mongo`)!;
    expect(ss).toBeDefined();
    expect(container(ss).image).toMatch(/^mongo:8(\.\d+)*$/);
    expect(ss.spec.serviceName).toBe(`${name}-mongo`);
    expect(ss.spec.volumeClaimTemplates[0].spec.resources.requests.storage).toBeDefined();
    expect(container(ss).volumeMounts).toContainEqual({ name: 'data', mountPath: '/data/db' });
    expect(find('Service', `${name}-mongo`)!.spec.ports[0].port).toBe(27017);
  });

  test('NATS: StatefulSet of the pinned nats-server with JetStream on a PVC, ports 4222 and 8222', () => {
    const versions = fs.readFileSync(path.join(repo, 'scripts', 'versions.env'), 'utf8');
    const pinned = /NATS_SERVER_VERSION=v?([\d.]+)/.exec(versions)![1];
    const ss = find('StatefulSet', 'nats')!;
    expect(container(ss).image).toBe(`nats:${pinned}-alpine`);
    expect(ss.spec.volumeClaimTemplates[0].metadata.name).toBe('data');
    const conf = find('ConfigMap', 'nats-config')!.data!['nats.conf'];
    expect(conf).toMatch(/jetstream\s*\{[^}]*store_dir:\s*\/data/);
    expect(container(ss).volumeMounts).toContainEqual({ name: 'data', mountPath: '/data' });
    const svc = find('Service', 'nats')!;
    expect(svc.spec.ports.map((p: any) => p.port).sort()).toEqual([4222, 8222]);
  });

  test('secrets are referenced, never committed; every referenced ConfigMap exists', () => {
    expect(byKind('Secret')).toEqual([]);
    const text = manifestFiles()
      .map((f) => fs.readFileSync(f, 'utf8'))
      .join('\n');
    expect(text).not.toMatch(/sk_(live|test)_[A-Za-z0-9]{8,}/);
    const configMaps = new Set(byKind('ConfigMap').map((m) => m.metadata.name));
    for (const m of [...byKind('Deployment'), ...byKind('StatefulSet')]) {
      const refs = [
        ...(m.spec.template.spec.containers.flatMap((c: any) => c.envFrom ?? []).map((e: any) => e.configMapRef?.name) ?? []),
        ...(m.spec.template.spec.volumes ?? []).map((v: any) => v.configMap?.name),
      ].filter(Boolean);
      for (const r of refs) expect({ manifest: m.metadata.name, configMap: r, exists: configMaps.has(r) }).toMatchObject({ exists: true });
    }
  });
});
