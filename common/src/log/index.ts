import pino, { type Logger } from 'pino';

export type { Logger };

/**
 * JSON lines in production (for log shippers); readable, coloured lines in development.
 * Tests are silent unless LOG_LEVEL is set.
 */
export function createLogger(
  service: string,
  opts: { level?: string; pretty?: boolean; destination?: NodeJS.WritableStream } = {},
): Logger {
  const level = opts.level ?? process.env.LOG_LEVEL ?? (process.env.NODE_ENV === 'test' ? 'silent' : 'info');
  const pretty = opts.pretty ?? (process.env.NODE_ENV !== 'production' && process.env.LOG_FORMAT !== 'json');
  const base = { service };
  // A silent logger (tests) writes nothing, so it gets no pretty stream: each one would add its
  // listeners to stdout for the life of the process (Node warns from the eleventh on).
  if (!pretty || level === 'silent') return pino({ level, base, timestamp: pino.stdTimeFunctions.isoTime });
  // pino-pretty as a synchronous stream, so no worker thread is left behind at shutdown. The
  // service name is left out: locally every line is already prefixed with it (npm start).
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- pino-pretty is loaded only in development
  const pinoPretty = require('pino-pretty') as typeof import('pino-pretty');
  return pino(
    { level, base },
    pinoPretty({
      sync: true,
      destination: opts.destination ?? process.stdout,
      colorize: !opts.destination && process.stdout.isTTY,
      singleLine: true,
      ignore: `pid,hostname,service,${Object.values(DEV_LINE_FIELDS).join(',')}`,
      translateTime: 'HH:MM:ss.l',
      messageFormat: (log, messageKey) => devLine(log, messageKey),
    }),
  );
}

/** Fields that the development line shows in its text instead of as `key: value` pairs. */
const DEV_LINE_FIELDS = { method: 'method', url: 'url', status: 'status', ms: 'ms', reqId: 'reqId', traceId: 'traceId' } as const;

/**
 * The text of a development log line: an access line reads `GET /api/orders 201 12.3ms`, and
 * every line of a request or message ends with its request id and trace id, so one grep finds
 * the whole story of one request. Errors still print their stack below the line.
 */
export function devLine(log: Record<string, unknown>, messageKey = 'msg'): string {
  const text =
    log[messageKey] === 'request' && typeof log.method === 'string'
      ? `${log.method} ${String(log.url)} ${String(log.status)} ${String(log.ms)}ms`
      : String(log[messageKey] ?? '');
  const ids = [log.reqId && `req=${String(log.reqId)}`, log.traceId && `trace=${String(log.traceId)}`].filter(Boolean);
  return ids.length ? `${text} (${ids.join(' ')})` : text;
}
