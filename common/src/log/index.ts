import pino, { type Logger } from 'pino';

export type { Logger };

/**
 * JSON lines in production (for log shippers); readable, coloured lines in development.
 * Tests are silent unless LOG_LEVEL is set.
 */
export function createLogger(service: string, opts: { level?: string; pretty?: boolean } = {}): Logger {
  const level = opts.level ?? process.env.LOG_LEVEL ?? (process.env.NODE_ENV === 'test' ? 'silent' : 'info');
  const pretty = opts.pretty ?? (process.env.NODE_ENV !== 'production' && process.env.LOG_FORMAT !== 'json');
  const base = { service };
  if (!pretty) return pino({ level, base, timestamp: pino.stdTimeFunctions.isoTime });
  // pino-pretty as a synchronous stream, so no worker thread is left behind at shutdown. The
  // service name is left out: locally every line is already prefixed with it (npm start).
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const pinoPretty = require('pino-pretty') as typeof import('pino-pretty');
  return pino(
    { level, base },
    pinoPretty({ sync: true, colorize: process.stdout.isTTY, ignore: 'pid,hostname,service', translateTime: 'HH:MM:ss.l' }),
  );
}
