/**
 * The local gateway of `npm start` (scripts/lib/gateway.js): ingress routing semantics and
 * X-Forwarded-* handling, against real HTTP upstreams.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { freePort } from '@jetmart/common/testing';

// eslint-disable-next-line @typescript-eslint/no-require-imports -- scripts/ is CommonJS JavaScript without type declarations
const { createGateway } = require('../../scripts/lib/gateway');
// eslint-disable-next-line @typescript-eslint/no-require-imports -- scripts/ is CommonJS JavaScript without type declarations
const { findRoute } = require('../../scripts/lib/routing');
// eslint-disable-next-line @typescript-eslint/no-require-imports -- scripts/ is CommonJS JavaScript without type declarations
const { readRoutes, SERVICES } = require('../../scripts/lib/services');

const routes = [
  { prefix: '/api/users', service: 'auth', port: 3000 },
  { prefix: '/api/products', service: 'products', port: 3000 },
  { prefix: '/', service: 'client', port: 3000 },
];

describe('routing by path prefix (Kubernetes Ingress pathType: Prefix)', () => {
  it.each([
    ['/api/users', 'auth'],
    ['/api/users/', 'auth'],
    ['/api/users/signin', 'auth'],
    ['/api/users/currentuser?x=1', 'auth'],
    ['/api/usersx', 'client'],
    ['/api/products?q=lamp', 'products'],
    ['/api', 'client'],
    ['/', 'client'],
    ['/products/123', 'client'],
  ])('%s → %s', (url, service) => {
    expect(findRoute(routes, url).service).toBe(service);
  });

  it('routes every API of the SPEC from infra/routes.json to a service the platform runs', () => {
    const known = new Set([...SERVICES.map((s: { name: string }) => s.name), 'client']);
    const table = readRoutes();
    expect(findRoute(table, '/api/users/signup').service).toBe('auth');
    expect(findRoute(table, '/api/products/1').service).toBe('products');
    expect(findRoute(table, '/api/orders').service).toBe('orders');
    expect(findRoute(table, '/api/payments').service).toBe('payments');
    expect(findRoute(table, '/api/shipments?orderId=1').service).toBe('shipping');
    expect(findRoute(table, '/cart').service).toBe('client');
    for (const r of table) expect(known.has(r.service)).toBe(true);
  });
});

/** node's http, not fetch: fetch may not set Host, and the test is about what reaches the service. */
function rawRequest(url: string, opts: { method?: string; headers?: Record<string, string>; body?: string } = {}) {
  return new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }>((resolve, reject) => {
    const req = http.request(url, { method: opts.method ?? 'GET', headers: opts.headers }, (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end(opts.body);
  });
}

describe('gateway', () => {
  let upstream: http.Server;
  let gateway: http.Server;
  let base = '';
  let seen: Array<{ method: string; url: string; headers: http.IncomingHttpHeaders; body: string }> = [];

  beforeAll(async () => {
    upstream = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        seen.push({ method: req.method!, url: req.url!, headers: req.headers, body });
        res.setHeader('Set-Cookie', 'session=abc; path=/; httponly');
        res.setHeader('Content-Type', 'application/json');
        res.end(JSON.stringify({ ok: true }));
      });
    });
    await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
    const closedPort = await freePort();
    gateway = createGateway({
      routes,
      upstreams: {
        auth: { port: (upstream.address() as AddressInfo).port },
        products: { port: closedPort },
        client: { unavailable: 'the storefront is not built' },
      },
      log: { warn: () => undefined },
    });
    await new Promise<void>((r) => gateway.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(gateway.address() as AddressInfo).port}`;
  });
  beforeEach(() => {
    seen = [];
  });
  afterAll(async () => {
    await new Promise((r) => gateway.close(r));
    await new Promise((r) => upstream.close(r));
  });

  it('forwards method, path, query, body and Host unchanged, and passes Set-Cookie back', async () => {
    const res = await rawRequest(`${base}/api/users/signin?next=%2Fcart`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Host: 'shop.local:8080' },
      body: JSON.stringify({ email: 'a@b.co' }),
    });
    expect(res.status).toBe(200);
    expect(res.headers['set-cookie']).toEqual(['session=abc; path=/; httponly']);
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ method: 'POST', url: '/api/users/signin?next=%2Fcart', body: '{"email":"a@b.co"}' });
    expect(seen[0].headers.host).toBe('shop.local:8080');
  });

  it('sets X-Forwarded-* like the ingress: appends the client to X-Forwarded-For, does not pass on a claimed https', async () => {
    await rawRequest(`${base}/api/users/currentuser`, {
      headers: { 'X-Forwarded-For': '203.0.113.9', 'X-Forwarded-Proto': 'https', Host: 'shop.local' },
    });
    const h = seen[0].headers;
    expect(h['x-forwarded-for']).toBe('203.0.113.9, 127.0.0.1');
    expect(h['x-real-ip']).toBe('127.0.0.1');
    expect(h['x-forwarded-proto']).toBe('http');
    expect(h['x-forwarded-host']).toBe('shop.local');
    expect(h['x-forwarded-port']).toBe(new URL(base).port);
  });

  it('answers 503 in the API error shape for a service that is not running, saying why', async () => {
    const res = await fetch(`${base}/`);
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({ errors: [{ message: 'client is not running: the storefront is not built' }] });
  });

  it('answers 502 in the API error shape when a service does not answer', async () => {
    const res = await fetch(`${base}/api/products`);
    expect(res.status).toBe(502);
    expect(await res.json()).toEqual({ errors: [{ message: 'products is not reachable right now' }] });
  });
});
