'use strict';
// What the local platform runs: the services (each its own process, built JS) and the storefront,
// with the local ports of docs/SERVICE_LAYOUT.md, and the ingress routes from infra/routes.json.
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..', '..');

/** Backend services in start order. `port` is the preferred local port (a free one is used if taken). */
const SERVICES = [
  { name: 'auth', port: 3001, env: authEnv },
  // Images on the local disk, in the platform's data directory (kept between runs like the databases).
  { name: 'products', port: 3002, env: productsEnv },
  // After products: its index is a read model of the PRODUCTS stream, which products creates.
  { name: 'search', port: 3009 },
  { name: 'orders', port: 3003 },
  { name: 'payments', port: 3004 },
  { name: 'expiration', port: 3005 },
  { name: 'shipping', port: 3007 },
  // Sends the mail (SMTP_URL: the platform's Mailpit) and keeps the in-shop notifications.
  { name: 'notifications', port: 3008, env: notificationsEnv },
  // Last: its status reports the others' readiness, so it is told their ports once they are placed.
  { name: 'ops', port: 3006, env: opsEnv },
];

/** ops's own environment: each started service's base URL, and NATS monitoring for /varz. */
function opsEnv({ upstreams, natsMonitorUrl }) {
  const env = {
    OPS_SERVICE_URLS: Object.entries(upstreams)
      .filter(([, u]) => u.port)
      .map(([name, u]) => `${name}=http://127.0.0.1:${u.port}`)
      .join(','),
  };
  if (natsMonitorUrl && !process.env.NATS_MONITOR_URL) env.NATS_MONITOR_URL = natsMonitorUrl;
  return env;
}

/**
 * notifications's own environment: the From address of its mail. Outside production the service
 * has a default; a production-mode local run (the benchmarks run `NODE_ENV=production`) needs one
 * too, and gets the chart's (charts/jetmart values: MAIL_FROM). A user's own MAIL_FROM wins.
 */
function notificationsEnv() {
  return process.env.MAIL_FROM ? {} : { MAIL_FROM: 'jetmart <no-reply@jetmart.dev>' };
}

/**
 * products's own environment: its image store. Locally a directory in the platform's data
 * directory (`IMAGE_STORE=fs`), so images outlive a restart as the databases do and --fresh empties
 * them with the rest; in Kubernetes an S3-compatible bucket (charts/jetmart). A user's own
 * IMAGE_STORE / IMAGE_DIR win.
 */
function productsEnv({ dataDir }) {
  if (process.env.IMAGE_STORE || !dataDir) return {};
  return { IMAGE_STORE: 'fs', IMAGE_DIR: process.env.IMAGE_DIR || path.join(dataDir, 'images') };
}

/** The parts of a data export (GET /api/users/me/export), each served by its service behind the gateway. */
const EXPORT_PARTS = [
  '/api/products/me/export',
  '/api/orders/me/export',
  '/api/payments/me/export',
  '/api/shipments/me/export',
  '/api/notifications/me/export',
];

/**
 * auth's own environment: where the parts of a data export are. Auth starts first, before the
 * other services have ports (test runs take any free port), so it asks through the gateway, whose
 * port is known from the start; it only asks when someone exports, long after everything is up.
 */
function authEnv({ gatewayPort }) {
  if (process.env.EXPORT_SOURCES) return {};
  return { EXPORT_SOURCES: EXPORT_PARTS.map((p) => `http://127.0.0.1:${gatewayPort}${p}`).join(',') };
}

const CLIENT = { name: 'client', port: 3000 };

/** The ingress routes, written by infra; created with the documented shape when absent. */
const DEFAULT_ROUTES = [
  { prefix: '/api/users', service: 'auth', port: 3000 },
  { prefix: '/api/products', service: 'products', port: 3000 },
  { prefix: '/api/reviews', service: 'products', port: 3000 },
  { prefix: '/api/search', service: 'search', port: 3000 },
  { prefix: '/api/orders', service: 'orders', port: 3000 },
  { prefix: '/api/payments', service: 'payments', port: 3000 },
  { prefix: '/api/returns', service: 'orders', port: 3000 },
  { prefix: '/api/sales', service: 'orders', port: 3000 },
  { prefix: '/api/shipments', service: 'shipping', port: 3000 },
  { prefix: '/api/ops', service: 'ops', port: 3000 },
  { prefix: '/api/notifications', service: 'notifications', port: 3000 },
  { prefix: '/', service: 'client', port: 3000 },
];

function readRoutes() {
  const file = path.join(root, 'infra', 'routes.json');
  if (!fs.existsSync(file)) {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, JSON.stringify(DEFAULT_ROUTES, null, 2) + '\n');
  }
  const routes = JSON.parse(fs.readFileSync(file, 'utf8'));
  if (
    !Array.isArray(routes) ||
    !routes.every((r) => typeof r.prefix === 'string' && r.prefix.startsWith('/') && typeof r.service === 'string')
  ) {
    throw new Error(`${file}: expected [{"prefix": "/...", "service": "<name>", "port": <number>}, ...]`);
  }
  return routes;
}

/** Whether a service has been built (`npm run build`): only built services are started. */
const isBuilt = (name) => fs.existsSync(path.join(root, name, 'dist', 'index.js'));

/**
 * The storefront runs when it has a start script and a production build (`next build` writes
 * .next/BUILD_ID; `next start` refuses to run without it). Returns a reason when it cannot.
 */
function clientStatus() {
  const pkgFile = path.join(root, 'client', 'package.json');
  const pkg = fs.existsSync(pkgFile) ? JSON.parse(fs.readFileSync(pkgFile, 'utf8')) : {};
  if (!pkg.scripts || !pkg.scripts.start) return { runnable: false, reason: 'client/package.json has no start script yet' };
  if (!fs.existsSync(path.join(root, 'client', '.next', 'BUILD_ID'))) {
    return { runnable: false, reason: 'the storefront is not built (client/.next is missing): run `npm run build -w client`' };
  }
  return { runnable: true };
}

module.exports = { root, SERVICES, CLIENT, DEFAULT_ROUTES, readRoutes, isBuilt, clientStatus };
