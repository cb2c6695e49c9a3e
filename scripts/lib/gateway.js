'use strict';
// The one HTTP entry of the local platform: routes by path prefix exactly like the Kubernetes
// ingress (infra/routes.json), through http-proxy-middleware, forwarding X-Forwarded-* as
// ingress-nginx does, so services see the client's IP and scheme (they trust one proxy hop).
const http = require('node:http');
const { createProxyMiddleware, debugProxyErrorsPlugin, proxyEventsPlugin } = require('http-proxy-middleware');
const { findRoute } = require('./routing');

function sendError(res, status, message) {
  if (res.headersSent) return res.destroy();
  res.writeHead(status, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify({ errors: [{ message }] }));
}

/**
 * `upstreams`: service name → { port } when it runs (or { port, ports } for several processes of it:
 * `npm start -- --ha`), or { unavailable: reason } when it does not.
 * Returns the http.Server (not yet listening); `server.stopHealthChecks()` ends the readiness polls.
 */
function createGateway({ routes, upstreams, log = console, healthIntervalMs = 1000 }) {
  const proxies = new Map();
  const pools = [];
  for (const [name, up] of Object.entries(upstreams)) {
    if (!up.port) continue;
    if (up.ports && up.ports.length > 1) {
      const pool = upstreamPool(name, up.ports, log, healthIntervalMs);
      pools.push(pool);
      proxies.set(name, pool.proxy);
    } else proxies.set(name, proxyTo(name, up.port, log));
  }

  const server = http.createServer((req, res) => {
    const route = findRoute(routes, req.url);
    if (!route) return sendError(res, 404, 'Route not found');
    const proxy = proxies.get(route.service);
    if (!proxy) {
      const why = (upstreams[route.service] && upstreams[route.service].unavailable) || 'it is not part of this run';
      return sendError(res, 503, `${route.service} is not running: ${why}`);
    }
    proxy(req, res, (err) => sendError(res, 502, err ? String(err.message || err) : 'Not proxied'));
  });
  server.on('upgrade', (req, socket, head) => {
    const route = findRoute(routes, req.url);
    const proxy = route && proxies.get(route.service);
    if (proxy) proxy.upgrade(req, socket, head);
    else socket.destroy();
  });
  server.stopHealthChecks = () => pools.forEach((p) => p.stop());
  server.on('close', () => server.stopHealthChecks());
  return server;
}

/**
 * Several processes of one service behind one route, round-robin, like a Kubernetes Service over
 * its ready pods: a process is used while its /readyz answers 200 (polled every `intervalMs`), and
 * one that refuses a connection is skipped at once until its /readyz answers again (killed, or
 * restarted and not ready yet). A request already sent to a process that dies fails (502): it may
 * have been acted on, so it is not sent again. With none ready, every process is tried in turn.
 */
function upstreamPool(name, ports, log, intervalMs) {
  const targets = ports.map((port) => ({ port, ready: true, proxy: proxyTo(name, port, log, (err) => onError(port, err)) }));
  let next = 0;
  const onError = (port, err) => {
    if (['ECONNREFUSED', 'ECONNRESET', 'EPIPE'].includes(err.code)) {
      const t = targets.find((x) => x.port === port);
      if (t.ready) log.warn?.(`gateway: ${name} on port ${port} is down (${err.code}); skipping it until it is ready again`);
      t.ready = false;
    }
  };
  const pick = () => {
    const ready = targets.filter((t) => t.ready);
    const from = ready.length ? ready : targets;
    return from[next++ % from.length];
  };
  let stopped = false;
  const poll = async () => {
    while (!stopped) {
      await Promise.all(
        targets.map(async (t) => {
          const ok = await fetch(`http://127.0.0.1:${t.port}/readyz`, { signal: AbortSignal.timeout(Math.max(500, intervalMs)) }).then(
            (r) => r.arrayBuffer().then(() => r.status === 200),
            () => false,
          );
          if (ok && !t.ready) log.warn?.(`gateway: ${name} on port ${t.port} is ready again`);
          t.ready = ok;
        }),
      );
      await new Promise((r) => setTimeout(r, intervalMs).unref());
    }
  };
  void poll();
  const proxy = (req, res, next) => pick().proxy(req, res, next);
  proxy.upgrade = (req, socket, head) => pick().proxy.upgrade(req, socket, head);
  return { proxy, stop: () => (stopped = true) };
}

/** A proxy to one process of `name` on `port`; `onError` also hears its connection errors. */
function proxyTo(name, port, log, onError = () => undefined) {
  return createProxyMiddleware({
    target: `http://127.0.0.1:${port}`,
    // Connections to the process are kept and reused, as ingress-nginx keeps its upstream
    // connections. Without an agent http-proxy opens a connection per request and asks the
    // service to close it after answering ("Connection: close"): a TCP set-up and tear-down on
    // both sides of every request.
    agent: keptAliveAgent(),
    // Keep the browser's Host (cookies, absolute URLs); X-Forwarded-* set below.
    changeOrigin: false,
    xfwd: false,
    ws: true,
    proxyTimeout: 30_000,
    // The default error-response plugin answers in plain text; ours answers in the API's error
    // shape, so keep the other defaults and leave that one out.
    ejectPlugins: true,
    plugins: [debugProxyErrorsPlugin, proxyEventsPlugin],
    on: {
      proxyReq: (proxyReq, req) => setForwardedHeaders(proxyReq, req),
      proxyReqWs: (proxyReq, req) => setForwardedHeaders(proxyReq, req),
      error: (err, req, res) => {
        onError(err);
        log.warn?.(`gateway: ${name} did not answer ${req.method} ${req.url}: ${err.code || err.message}`);
        if (res && typeof res.writeHead === 'function') sendError(res, 502, `${name} is not reachable right now`);
        else if (res && typeof res.destroy === 'function') res.destroy();
      },
    },
  });
}

/**
 * How long the gateway keeps an idle connection to a service: less than any of them keeps one
 * (Next.js 5 s under `npm start`, the services 65 s). A connection being closed must not be reused:
 * a request written to it just before the gateway reads its end (late, on a busy machine) is reset,
 * and the browser gets a 502; a storefront page whose script gets one never comes to life.
 */
const IDLE_CONNECTION_MS = 4_000;

/**
 * A keep-alive agent whose idle connections end before the service ends them. Node lowers the
 * idle time to a second less than a service's announced `Keep-Alive: timeout=N`, but only for an
 * agent with a timeout of its own: without one, idle connections are kept for ever.
 */
function keptAliveAgent() {
  return new http.Agent({ keepAlive: true, timeout: IDLE_CONNECTION_MS });
}

/** X-Forwarded-For/-Proto/-Host/-Port and X-Real-IP, the way ingress-nginx sets them. */
function setForwardedHeaders(proxyReq, req) {
  const clientIp = req.socket.remoteAddress || '';
  const prior = req.headers['x-forwarded-for'];
  // Append, never trust: services take the last hop (trust proxy 1), which is this gateway's view.
  proxyReq.setHeader('X-Forwarded-For', prior ? `${prior}, ${clientIp}` : clientIp);
  proxyReq.setHeader('X-Real-IP', clientIp);
  // The gateway itself speaks plain HTTP; a client's claim of https is not passed on.
  proxyReq.setHeader('X-Forwarded-Proto', req.socket.encrypted ? 'https' : 'http');
  if (req.headers.host) proxyReq.setHeader('X-Forwarded-Host', req.headers.host);
  proxyReq.setHeader('X-Forwarded-Port', String(req.socket.localPort));
}

module.exports = { createGateway, setForwardedHeaders };
