import fs from 'node:fs';
import path from 'node:path';
import { diffRoutes, ingressRoutes, type Route } from './lib/routes';
import { loadManifests, repo } from './lib/tools';

const routesJson: Route[] = JSON.parse(fs.readFileSync(path.join(repo, 'infra', 'routes.json'), 'utf8'));
const manifests = loadManifests();
const ingresses = manifests.filter((m) => m.kind === 'Ingress');

describe('ingress routes = infra/routes.json (the local platform proxies by the same file)', () => {
  test('one networking.k8s.io/v1 Ingress, class nginx, host jetmart.dev, pathType Prefix everywhere', () => {
    expect(ingresses).toHaveLength(1);
    expect(ingresses[0].apiVersion).toBe('networking.k8s.io/v1');
    expect(ingressRoutes(ingresses[0]).problems).toEqual([]);
  });

  test('the ingress rules equal infra/routes.json exactly (same order, prefixes, services, ports)', () => {
    expect(diffRoutes(routesJson, ingressRoutes(ingresses[0]).routes)).toEqual([]);
  });

  test('routes.json: the API prefixes of the spec, "/" to the client last, every backend a Service', () => {
    expect(routesJson.map((r) => [r.prefix, r.service])).toEqual([
      ['/api/users', 'auth'],
      ['/api/products', 'products'],
      ['/api/reviews', 'products'],
      ['/api/search', 'search'],
      ['/api/orders', 'orders'],
      ['/api/payments', 'payments'],
      ['/api/sellers', 'payments'],
      ['/api/payouts', 'payments'],
      ['/api/returns', 'orders'],
      ['/api/sales', 'orders'],
      ['/api/shipments', 'shipping'],
      ['/api/notifications', 'notifications'],
      ['/api/ops', 'ops'],
      ['/', 'client'],
    ]);
    const services = new Map(manifests.filter((m) => m.kind === 'Service').map((s) => [s.metadata.name, s]));
    for (const r of routesJson) {
      expect(services.get(r.service)?.spec.ports.map((p: any) => p.port)).toContain(r.port);
    }
  });

  test('the comparison catches drift: a changed prefix, backend, port, order or a missing route', () => {
    const actual = ingressRoutes(ingresses[0]).routes;
    const mutate = (f: (rs: Route[]) => void) => {
      const copy = structuredClone(actual);
      f(copy);
      return diffRoutes(routesJson, copy);
    };
    expect(mutate((rs) => (rs[0].prefix = '/api/user'))).toHaveLength(1);
    expect(mutate((rs) => (rs[1].service = 'orders'))).toHaveLength(1);
    expect(mutate((rs) => (rs[2].port = 8080))).toHaveLength(1);
    expect(mutate((rs) => rs.reverse()).length).toBeGreaterThan(0);
    expect(mutate((rs) => rs.pop())).toHaveLength(1);
    const broken = structuredClone(ingresses[0]);
    broken.spec.rules[0].http.paths[0].pathType = 'Exact';
    broken.spec.rules[0].host = 'example.com';
    expect(ingressRoutes(broken).problems).toHaveLength(2);
  });
});
