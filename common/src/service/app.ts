import express, { type Express, type RequestHandler, type Router } from 'express';
import helmet from 'helmet';
import type { Logger } from 'pino';
import { errorHandler, notFound } from '../middlewares/error-handler';
import { requestContext } from '../middlewares/request-context';
import { currentUser, session } from '../middlewares/session';
import { httpRequestDuration, registry } from '../metrics';
import { httpTracing } from '../tracing';
import { apiDocsRouter, type OpenApiDocument } from '../openapi';

export interface AppOptions {
  logger: Logger;
  jwtKey: string;
  jwtTtlSeconds: number;
  /** Mounted after the common middlewares, before the 404 and error handlers. */
  routers: Array<Router | RequestHandler>;
  /** Whether the service can do its work now (database and NATS connected). */
  isReady: () => boolean;
  /** JSON body limit. */
  bodyLimit?: string;
  /**
   * Routers that read their own request body (file uploads), mounted just before the JSON body
   * parser, which then leaves a body they read alone whatever its Content-Type. They run before
   * the session is read: they should only parse, and leave authentication to the route.
   */
  uploads?: Array<Router | RequestHandler>;
  /** The service's OpenAPI document, served with Swagger UI at `path` (e.g. `/api/orders/docs`). */
  apiDocs?: { path: string; document: OpenApiDocument };
}

const metricsMiddleware: RequestHandler = (req, res, next) => {
  const end = httpRequestDuration.startTimer();
  res.on('finish', () => {
    // The route pattern, not the URL, so ids do not explode the label set.
    const route = req.route?.path !== undefined ? `${req.baseUrl}${String(req.route.path)}` : 'unmatched';
    end({ method: req.method, route, status: String(res.statusCode) });
  });
  next();
};

/** The Express wiring every jetmart service shares. */
export function createApp(opts: AppOptions): Express {
  const app = express();
  // One proxy hop (ingress or the local entry) in front: req.secure and req.ip follow X-Forwarded-*.
  app.set('trust proxy', 1);
  app.disable('x-powered-by');
  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/readyz', (_req, res) => {
    const ready = opts.isReady();
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'not ready' });
  });
  app.get('/metrics', async (_req, res) => {
    res.set('Content-Type', registry.contentType);
    res.send(await registry.metrics());
  });
  app.use(helmet());
  // Health, readiness and metrics above are polled constantly and are not traced.
  app.use(httpTracing());
  app.use(requestContext(opts.logger));
  app.use(metricsMiddleware);
  for (const r of opts.uploads ?? []) app.use(r);
  app.use(express.json({ limit: opts.bodyLimit ?? '100kb' }));
  app.use(session(opts.jwtTtlSeconds));
  app.use(currentUser(opts.jwtKey));
  if (opts.apiDocs) app.use(apiDocsRouter(opts.apiDocs.path, opts.apiDocs.document));
  for (const r of opts.routers) app.use(r);
  app.use(notFound);
  app.use(errorHandler);
  return app;
}
