/**
 * The local gateway of `npm start` (scripts/lib/gateway.js): ingress routing semantics and
 * X-Forwarded-* handling, against real HTTP upstreams.
 */
import { spawn } from 'node:child_process';
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
    // The catalog (issue 19): search is its own service; reviews' own routes live in products.
    expect(findRoute(table, '/api/search?q=lamp&category=home').service).toBe('search');
    expect(findRoute(table, '/api/search/rebuild').service).toBe('search');
    expect(findRoute(table, '/api/reviews/1/report').service).toBe('products');
    expect(findRoute(table, '/api/products/1/reviews').service).toBe('products');
    expect(findRoute(table, '/api/searching').service).toBe('client');
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

/** Rounds of the idle-close test, its service's keep-alive, when Node's server ends such a connection, and how long the gateway is kept busy around it. */
const IDLE_CLOSE_ROUNDS = 3;
const SERVICE_KEEP_ALIVE_MS = 2_000;
// Node 20's server ends an idle connection about a second after its keepAliveTimeout (measured).
const CLOSE_AFTER_MS = SERVICE_KEEP_ALIVE_MS + 990;
const BUSY_MS = 60;
/**
 * The child's side: a service announcing `Keep-Alive: timeout=2` and a keep-alive client that asks
 * through the gateway, tells the parent when the connection went idle, and asks again as the
 * service closes it. Reports the late requests' statuses and the connections the service accepted.
 */
const IDLE_CLOSE_SIDE = `
const http = require('node:http');
let connections = 0;
const server = http.createServer((req, res) => res.end('ok'));
server.keepAliveTimeout = ${SERVICE_KEEP_ALIVE_MS};
server.on('connection', () => connections++);
server.listen(0, '127.0.0.1', () => process.send({ port: server.address().port }));
process.on('message', async ({ base }) => {
  const agent = new http.Agent({ keepAlive: true });
  const get = () => new Promise((done) => http.get(base + '/api/users/x', { agent }, (r) => { r.resume(); r.on('end', () => done(r.statusCode)); }).on('error', () => done(-1)));
  const statuses = [];
  await get();
  // Idle past the gateway's limit (a second under the announced 2 s) but not the service's.
  await new Promise((r) => setTimeout(r, 1500));
  await get();
  const afterShortIdle = connections;
  for (let i = 0; i < ${IDLE_CLOSE_ROUNDS}; i++) {
    process.send({ idleSince: true });
    await new Promise((r) => setTimeout(r, ${CLOSE_AFTER_MS}));
    statuses.push(await get());
  }
  process.send({ statuses, connections, afterShortIdle });
});
`;

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

  it('keeps its connection to a service: requests one after another reuse one, and none asks the service to close it', async () => {
    let connections = 0;
    const count = () => connections++;
    upstream.on('connection', count);
    try {
      for (let i = 0; i < 5; i++) expect((await fetch(`${base}/api/users/currentuser`)).status).toBe(200);
    } finally {
      upstream.off('connection', count);
    }
    // One new connection at most (none when an earlier test's is still open), not one per request.
    expect(connections).toBeLessThanOrEqual(1);
    expect(seen.map((r) => r.headers.connection)).not.toContain('close');
  });

  it('drops an idle connection before the service does, so a request in the moment the service closes it is answered', async () => {
    // The service and a client in one child process, the gateway here: the gateway is made busy
    // across the moment the service ends its idle connection, as a loaded machine makes it, and
    // the client's next request arrives in that moment. A gateway that still held the connection
    // would write the request to it and answer 502 (about 7 times in 10 before the fix).
    const child = spawn(process.execPath, ['-e', IDLE_CLOSE_SIDE], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    const port = await new Promise<number>((resolve) => child.once('message', (m: { port: number }) => resolve(m.port)));
    const gw = createGateway({ routes, upstreams: { auth: { port } }, log: { warn: () => undefined } });
    await new Promise<void>((r) => gw.listen(0, '127.0.0.1', r));
    try {
      type Report = { statuses: number[]; connections: number; afterShortIdle: number };
      const result = await new Promise<Report>((resolve) => {
        child.on('message', (m: { idleSince?: true } & Partial<Report>) => {
          if (m.idleSince)
            setTimeout(
              () => {
                const from = Date.now();
                while (Date.now() - from < BUSY_MS);
              },
              CLOSE_AFTER_MS - BUSY_MS / 2,
            );
          else if (m.statuses) resolve(m as Report);
        });
        child.send({ base: `http://127.0.0.1:${(gw.address() as AddressInfo).port}` });
      });
      expect(result.statuses).toEqual(Array(IDLE_CLOSE_ROUNDS).fill(200));
      // 1.5 s idle was enough for the gateway to drop the connection, though the service kept it.
      expect(result.afterShortIdle).toBe(2);
      // And each late request came on a new connection too.
      expect(result.connections).toBe(IDLE_CLOSE_ROUNDS + 2);
    } finally {
      child.kill();
      await new Promise((r) => gw.close(r));
    }
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

describe('gateway over several processes of a service (npm start -- --ha)', () => {
  /** A stand-in service process on `port`: answers its name, and /readyz by `ready`. */
  function replica(tag: string, port: number) {
    const r = { ready: true, hits: 0, server: undefined as http.Server | undefined };
    const start = () =>
      new Promise<void>((done) => {
        r.server = http.createServer((req, res) => {
          if (req.url === '/readyz') {
            res.statusCode = r.ready ? 200 : 503;
            return res.end();
          }
          r.hits++;
          res.setHeader('Content-Type', 'application/json');
          res.end(JSON.stringify({ tag }));
        });
        r.server.listen(port, '127.0.0.1', () => done());
      });
    const stop = () =>
      new Promise<void>((done) => {
        r.server!.closeAllConnections();
        r.server!.close(() => done());
      });
    return Object.assign(r, { start, stop });
  }
  const ask = async (base: string) => {
    const res = await fetch(`${base}/api/users/x`);
    return res.status === 200 ? ((await res.json()) as { tag: string }).tag : res.status;
  };

  it('round-robins between ready processes, skips one that refuses connections or is not ready, and takes it back once ready', async () => {
    const [pa, pb] = [await freePort(), await freePort()];
    const a = replica('a', pa);
    const b = replica('b', pb);
    await a.start();
    await b.start();
    const gw = createGateway({
      routes,
      upstreams: { auth: { port: pa, ports: [pa, pb] } },
      log: { warn: () => undefined },
      healthIntervalMs: 100,
    });
    await new Promise<void>((r) => gw.listen(0, '127.0.0.1', r));
    const base = `http://127.0.0.1:${(gw.address() as AddressInfo).port}`;
    try {
      const first = await Promise.all(Array.from({ length: 6 }, () => ask(base)));
      expect(first.filter((t) => t === 'a')).toHaveLength(3);
      expect(first.filter((t) => t === 'b')).toHaveLength(3);

      // b dies: at most the first request to it fails (refused, then skipped); the rest go to a.
      await b.stop();
      const during = [];
      for (let i = 0; i < 10; i++) during.push(await ask(base));
      expect(during.filter((t) => t !== 'a').length).toBeLessThanOrEqual(1);
      expect(during.slice(-8).every((t) => t === 'a')).toBe(true);

      // b is back but not ready (binding its consumers): still only a.
      b.ready = false;
      await b.start();
      await new Promise((r) => setTimeout(r, 400));
      b.hits = 0;
      for (let i = 0; i < 6; i++) expect(await ask(base)).toBe('a');
      expect(b.hits).toBe(0);

      // Ready again: both take requests.
      b.ready = true;
      await new Promise((r) => setTimeout(r, 400));
      const after = await Promise.all(Array.from({ length: 6 }, () => ask(base)));
      expect(new Set(after)).toEqual(new Set(['a', 'b']));
    } finally {
      await new Promise((r) => gw.close(r));
      await a.stop();
      await b.stop().catch(() => undefined);
    }
  });
});
