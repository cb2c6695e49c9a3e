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

/**
 * Server error codes that mean "shutting down / restarting / not reachable", not "your request is
 * wrong": a server restarting under a request (FerretDB or mongod killed and started again) answers
 * the operation in flight with one of them instead of a network error.
 */
const RESTARTING_CODES = new Set([
  6, // HostUnreachable
  7, // HostNotFound
  89, // NetworkTimeout
  91, // ShutdownInProgress
  189, // PrimarySteppedDown
  9001, // SocketException
  10107, // NotWritablePrimary
  11600, // InterruptedAtShutdown
  11602, // InterruptedDueToReplStateChange
  13435, // NotPrimaryNoSecondaryOk
]);
/** The driver labels errors that are worth retrying as such; a retry is what 503 asks for. */
const RETRYABLE_LABELS = ['RetryableWriteError', 'ResetPool', 'TransientTransactionError'];

function isDatabaseUnavailable(err: unknown, depth = 0): boolean {
  if (!err || typeof err !== 'object' || depth > 3) return false;
  const e = err as { name?: unknown; code?: unknown; errorLabels?: unknown; cause?: unknown; message?: unknown };
  if (typeof e.name === 'string' && DATABASE_UNAVAILABLE.has(e.name)) return true;
  if (typeof e.name === 'string' && e.name.startsWith('Mongo')) {
    if (typeof e.code === 'number' && RESTARTING_CODES.has(e.code)) return true;
    const labels = Array.isArray(e.errorLabels) ? e.errorLabels : [];
    if (RETRYABLE_LABELS.some((l) => labels.includes(l))) return true;
  }
  // mongoose's buffering timeout while it has no connection is a plain MongooseError.
  if (err instanceof mongoose.Error && /buffering timed out/.test(err.message)) return true;
  // A wrapper (e.g. a failed lock release around the original error) keeps the cause.
  return isDatabaseUnavailable(e.cause, depth + 1);
}

/**
 * FerretDB on SQLite answers a write it could not lock in time with InternalError (code 1) and
 * SQLite's "database is locked (5) (SQLITE_BUSY)" in the message (seen under the growth benchmark,
 * docs/BENCHMARKS.md): the write was not applied and may succeed in a moment, so it is a 503 too.
 * Matched on SQLite's own error name, which no request can put into a server's message.
 */
function isDatabaseBusy(err: unknown, depth = 0): boolean {
  if (!err || typeof err !== 'object' || depth > 3) return false;
  const e = err as { name?: unknown; message?: unknown; cause?: unknown };
  if (typeof e.name === 'string' && e.name.startsWith('Mongo') && typeof e.message === 'string' && e.message.endsWith('(SQLITE_BUSY)')) {
    return true;
  }
  return isDatabaseBusy(e.cause, depth + 1);
}

function statusOf(err: unknown): { status: number; errors: ErrorItem[] } | null {
  if (err instanceof CustomError) return { status: err.statusCode, errors: err.serializeErrors() };
  if (isDatabaseUnavailable(err)) return { status: 503, errors: [{ message: 'The database is not reachable right now, try again' }] };
  if (isDatabaseBusy(err)) return { status: 503, errors: [{ message: 'The database is busy right now, try again' }] };
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
