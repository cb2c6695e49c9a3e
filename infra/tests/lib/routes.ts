/** The ingress's routes in the shape of infra/routes.json, and a comparison that names every difference. */
export interface Route {
  prefix: string;
  service: string;
  port: number;
}

export function ingressRoutes(ingress: any): { routes: Route[]; problems: string[] } {
  const problems: string[] = [];
  const rules = ingress?.spec?.rules ?? [];
  if (rules.length !== 1) problems.push(`expected exactly one rule (host jetmart.dev), found ${rules.length}`);
  if (rules[0]?.host !== 'jetmart.dev') problems.push(`rule host is ${rules[0]?.host}, expected jetmart.dev`);
  if (ingress?.spec?.ingressClassName !== 'nginx') problems.push('ingressClassName must be nginx');
  const routes: Route[] = [];
  for (const p of rules[0]?.http?.paths ?? []) {
    if (p.pathType !== 'Prefix') problems.push(`path ${p.path} has pathType ${p.pathType}, expected Prefix`);
    routes.push({ prefix: p.path, service: p.backend?.service?.name, port: p.backend?.service?.port?.number });
  }
  return { routes, problems };
}

export function diffRoutes(expected: Route[], actual: Route[]): string[] {
  const out: string[] = [];
  const n = Math.max(expected.length, actual.length);
  for (let i = 0; i < n; i++) {
    const e = expected[i];
    const a = actual[i];
    const show = (r?: Route) => (r ? `${r.prefix} -> ${r.service}:${r.port}` : '(none)');
    if (!e || !a || e.prefix !== a.prefix || e.service !== a.service || e.port !== a.port) {
      out.push(`route ${i}: routes.json has ${show(e)}, ingress has ${show(a)}`);
    }
  }
  return out;
}
