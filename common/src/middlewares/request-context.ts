import { randomUUID } from 'node:crypto';
import type { RequestHandler } from 'express';
import type { Logger } from 'pino';
import { currentTraceId } from '../tracing';

export interface UserPayload {
  id: string;
  email: string;
  /**
   * The person confirmed their address (a link mailed by auth). A session JWT from before email
   * verification has no such claim: absent means false.
   */
  emailVerified?: boolean;
}

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace -- Express's Request is augmented through its global namespace
  namespace Express {
    interface Request {
      /** Request id: the caller's `X-Request-Id` when it looks sane, else a new UUID. */
      id: string;
      /** Logger whose every line carries the request id. */
      log: Logger;
      currentUser?: UserPayload;
    }
  }
}

const SANE_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** Gives each request an id (echoed in `X-Request-Id`), a child logger, and one access-log line. */
export function requestContext(logger: Logger): RequestHandler {
  return (req, res, next) => {
    const given = req.get('x-request-id');
    req.id = given && SANE_ID.test(given) ? given : randomUUID();
    // The trace id (when a span is active: createApp mounts httpTracing first) joins this
    // request's log lines to its spans and to the other services' lines of the same trace.
    const traceId = currentTraceId();
    req.log = logger.child(traceId ? { reqId: req.id, traceId } : { reqId: req.id });
    res.setHeader('X-Request-Id', req.id);
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      const line = { method: req.method, url: req.originalUrl, status: res.statusCode, ms: Math.round(ms * 10) / 10 };
      if (res.statusCode >= 500) req.log.error(line, 'request');
      else req.log.info(line, 'request');
    });
    next();
  };
}
