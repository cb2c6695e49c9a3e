import type { ErrorRequestHandler, RequestHandler } from 'express';
import mongoose from 'mongoose';
import { CustomError, NotFoundError, type ErrorItem } from '../errors';

/** Unknown routes: 404 in the documented error shape. */
export const notFound: RequestHandler = () => {
  throw new NotFoundError('Route not found');
};

/**
 * Errors of a database that cannot be reached right now (restarting, failing over, network):
 * the request may well succeed in a moment, so they answer 503 with Retry-After, not 500.
 * Matched by name because the driver's classes may come from more than one copy of `mongodb`.
 */
const DATABASE_UNAVAILABLE = new Set([
  'MongoNetworkError',
  'MongoNetworkTimeoutError',
  'MongoServerSelectionError',
  'MongooseServerSelectionError',
  'MongoNotConnectedError',
  'MongoTopologyClosedError',
  'MongoPoolClearedError',
]);

/** Seconds a client is asked to wait before retrying a 503. */
export const RETRY_AFTER_SECONDS = 1;

function isDatabaseUnavailable(err: unknown): boolean {
  const name = (err as { name?: unknown } | null)?.name;
  if (typeof name === 'string' && DATABASE_UNAVAILABLE.has(name)) return true;
  // mongoose's buffering timeout while it has no connection is a plain MongooseError.
  return err instanceof mongoose.Error && /buffering timed out/.test(err.message);
}

function statusOf(err: unknown): { status: number; errors: ErrorItem[] } | null {
  if (err instanceof CustomError) return { status: err.statusCode, errors: err.serializeErrors() };
  if (isDatabaseUnavailable(err)) return { status: 503, errors: [{ message: 'The database is not reachable right now, try again' }] };
  const e = err as { type?: string; status?: number; statusCode?: number; message?: string };
  // body-parser errors carry a `type`; their messages are safe but terse, so say it plainly.
  if (e?.type === 'entity.parse.failed') return { status: 400, errors: [{ message: 'Malformed JSON body' }] };
  if (e?.type === 'entity.too.large') return { status: 413, errors: [{ message: 'Request body is too large' }] };
  if (e?.type === 'encoding.unsupported' || e?.type === 'charset.unsupported') {
    return { status: 415, errors: [{ message: 'Unsupported body encoding' }] };
  }
  if (err instanceof mongoose.Error.VersionError) {
    return { status: 409, errors: [{ message: 'The record was changed by someone else; reload and try again' }] };
  }
  if (err instanceof mongoose.Error.CastError) {
    return { status: 400, errors: [{ message: `Invalid ${err.path}`, field: err.path }] };
  }
  if (err instanceof mongoose.Error.ValidationError) {
    return {
      status: 400,
      errors: Object.values(err.errors).map((v) => ({ message: v.message, field: v.path })),
    };
  }
  const status = e?.status ?? e?.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return { status, errors: [{ message: e.message || 'Bad request' }] };
  }
  return null;
}

/** Turns any error into `{errors:[...]}`; unexpected ones are logged and answered 500 without details. */
export const errorHandler: ErrorRequestHandler = (err, req, res, _next) => {
  const known = statusOf(err);
  if (known) {
    if (known.status === 503) {
      res.set('Retry-After', String(RETRY_AFTER_SECONDS));
      req.log?.warn({ err: (err as Error).message }, 'answered 503');
    }
    res.status(known.status).json({ errors: known.errors });
    return;
  }
  const log = req.log;
  if (log) log.error({ err }, 'unhandled error');
  else console.error(err);
  res.status(500).json({ errors: [{ message: 'Something went wrong' }] });
};
