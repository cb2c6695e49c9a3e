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
 * `upstreams`: service name → { port } when it runs, or { unavailable: reason } when it does not.
 * Returns the http.Server (not yet listening).
 */
function createGateway({ routes, upstreams, log = console }) {
  const proxies = new Map();
  for (const [name, up] of Object.entries(upstreams)) {
    if (!up.port) continue;
    proxies.set(
      name,
      createProxyMiddleware({
        target: `http://127.0.0.1:${up.port}`,
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
            log.warn?.(`gateway: ${name} did not answer ${req.method} ${req.url}: ${err.code || err.message}`);
            if (res && typeof res.writeHead === 'function') sendError(res, 502, `${name} is not reachable right now`);
            else if (res && typeof res.destroy === 'function') res.destroy();
          },
        },
      }),
    );
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
  return server;
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
