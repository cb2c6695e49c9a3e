/**
 * Server-side rendering reaches the API the way it must inside Kubernetes: at API_BASE_URL (the
 * ingress controller's in-cluster address), forwarding the user's Cookie and the Host they asked
 * for (the ingress routes by host, jetmart.dev), and still renders a page when the API fails.
 *
 * A recording stand-in for the ingress answers the API calls, so the test sees exactly what the
 * storefront's server sent.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { startNext, type RunningNext } from '../support/next-server';

interface Seen {
  path: string;
  host?: string;
  cookie?: string;
}

const INGRESS_HOST = 'jetmart.dev';
const SESSION_COOKIE = 'session=eyJqd3QiOiJ0ZXN0In0=';
const user = { id: 'user-ssr-1', email: 'ssr-user@jetmart.dev' };
const product = {
  id: 'p-ssr-1',
  title: 'Forwarded teapot',
  description: 'Rendered on the server.',
  price: 21.5,
  quantity: 3,
  available: 3,
  userId: 'someone-else',
  version: 0,
};

let seen: Seen[] = [];
let productsFail = false;
let ingress: http.Server;
let next: RunningNext;

beforeAll(async () => {
  ingress = http.createServer((req, res) => {
    seen.push({ path: req.url ?? '', host: req.headers.host, cookie: req.headers.cookie });
    const json = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    const url = new URL(req.url ?? '/', 'http://ingress');
    // Like the real ingress + auth: the session only counts for the right virtual host.
    const signedIn = req.headers.host === INGRESS_HOST && req.headers.cookie === SESSION_COOKIE;
    if (url.pathname === '/api/users/currentuser') return json(200, { currentUser: signedIn ? user : null });
    if (url.pathname === '/api/search') {
      if (productsFail) return json(503, { errors: [{ message: 'search is not reachable right now' }] });
      const hit = {
        ...product,
        category: 'other',
        sellerId: product.userId,
        inStock: true,
        rating: { average: null, count: 0 },
        image: null,
      };
      return json(200, {
        hits: [hit],
        total: 1,
        nextCursor: null,
        facets: { category: [{ value: 'other', count: 1 }], price: [], rating: [], inStock: [] },
        didYouMean: null,
      });
    }
    json(404, { errors: [{ message: 'Route not found' }] });
  });
  await new Promise<void>((resolve) => ingress.listen(0, '127.0.0.1', resolve));
  const ingressUrl = `http://127.0.0.1:${(ingress.address() as AddressInfo).port}`;
  next = await startNext({ API_BASE_URL: ingressUrl });
});

afterAll(async () => {
  await next?.stop();
  await new Promise((resolve) => ingress?.close(resolve));
});

beforeEach(() => {
  seen = [];
  productsFail = false;
});

/** GET a storefront page as a browser arriving through the ingress would (Host and Cookie set). */
function getPage(path: string, headers: Record<string, string>): Promise<{ status: number; html: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: next.port, path, headers }, (res) => {
      let html = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (html += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, html }));
    });
    req.on('error', reject);
    req.end();
  });
}

test('the catalog is rendered on the server with the API reached at API_BASE_URL with the user cookie and Host', async () => {
  const page = await getPage('/', { host: INGRESS_HOST, cookie: SESSION_COOKIE });
  expect(page.status).toBe(200);
  expect(page.html).toContain(product.title);
  expect(page.html).toContain(user.email); // the header knows who is signed in

  const currentUserCall = seen.find((s) => s.path === '/api/users/currentuser');
  const productsCall = seen.find((s) => s.path.startsWith('/api/search?'));
  expect(currentUserCall).toEqual({ path: '/api/users/currentuser', host: INGRESS_HOST, cookie: SESSION_COOKIE });
  expect(productsCall).toMatchObject({ host: INGRESS_HOST, cookie: SESSION_COOKIE });
});

test('without a session cookie the page renders signed out and sends no cookie on', async () => {
  const page = await getPage('/', { host: INGRESS_HOST });
  expect(page.status).toBe(200);
  expect(page.html).not.toContain(user.email);
  expect(page.html).toContain('Sign in');
  expect(seen.length).toBeGreaterThan(0);
  expect(seen.every((s) => s.cookie === undefined && s.host === INGRESS_HOST)).toBe(true);
});

test('search and cursor reach the search API from the page URL', async () => {
  await getPage('/?q=teapot&cursor=abc123', { host: INGRESS_HOST });
  const call = seen.find((s) => s.path.startsWith('/api/search?'));
  const query = new URL(call!.path, 'http://x').searchParams;
  expect(query.get('q')).toBe('teapot');
  expect(query.get('cursor')).toBe('abc123');
});

test('an API failure still renders the page, with the API message', async () => {
  productsFail = true;
  const page = await getPage('/', { host: INGRESS_HOST, cookie: SESSION_COOKIE });
  expect(page.status).toBe(200);
  expect(page.html).toContain('Could not load products');
  expect(page.html).toContain('search is not reachable right now');
  expect(page.html).toContain(user.email);
});

test('serves /healthz and /readyz for the Kubernetes probes, even while the API fails', async () => {
  productsFail = true;
  for (const path of ['/healthz', '/readyz']) {
    const res = await getPage(path, { Host: 'jetmart.dev' });
    expect(res.status).toBe(200);
    expect(JSON.parse(res.html).status).toMatch(/ok|ready/);
  }
});
