/**
 * Test helpers of jetmart services (`@jetmart/common/testing`): test servers (NATS, MongoDB-wire,
 * Mailpit), databases, sessions,
 * polling, stream reading, OpenAPI contract checks, and hostile-input/hostile-events helpers.
 * Runs under jest; the hostile helpers import `fast-check` (an optional peer dependency of
 * @jetmart/common): install it (`npm i -D fast-check`) to use this entry point.
 */
import { randomBytes } from 'node:crypto';
import mongoose from 'mongoose';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace';
import pino, { type Logger } from 'pino';
import { setupTracing } from '../tracing';
import { installDatabasePlugins } from '../database';
import { signSessionToken, SESSION_COOKIE } from '../middlewares/session';
import { mongoDatabaseUrl, startMongo } from './servers';

export * from './servers';
export * from './mailpit';
export * from './eventually';
export * from './streams';
// fast-check arbitraries and assertions for hostile input and events (need `fast-check` installed).
export * from './hostile';
export * from './hostile-events';
export { InMemorySpanExporter };

/** The dev JWT key tests sign with; services under test must use the same (`JWT_KEY`). */
export const TEST_JWT_KEY = 'test-only-jwt-key';

/**
 * A cookie-session cookie carrying a JWT for a (new, random by default) user: `Cookie` header value.
 * `emailVerified` is false unless given, as for a real session of an account that has not
 * confirmed its address (and for every JWT from before verification existed): a test of something
 * only verified accounts may do says `emailVerified: true`.
 */
export function signinCookie(
  user: { id?: string; email?: string; emailVerified?: boolean } = {},
  opts: { key?: string; ttlSeconds?: number } = {},
): string {
  const id = user.id ?? new mongoose.Types.ObjectId().toHexString();
  const email = user.email ?? `user-${id.slice(-6)}@test.dev`;
  const payload = { id, email, emailVerified: user.emailVerified === true };
  const jwt = signSessionToken(payload, opts.key ?? process.env.JWT_KEY ?? TEST_JWT_KEY, opts.ttlSeconds ?? 3600);
  return `${SESSION_COOKIE}=${Buffer.from(JSON.stringify({ jwt })).toString('base64')}`;
}

/** A unique database name, so test files never see each other's data. */
export function uniqueDbName(prefix = 'test'): string {
  return `${prefix}_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
}

/** URL of a fresh database on the run's MongoDB-wire server (MONGO_URL, set by the global setup). */
export function testDatabaseUrl(prefix?: string): string {
  const server = process.env.MONGO_URL;
  if (!server) throw new Error('MONGO_URL is not set: use the jest global setup from @jetmart/common/testing');
  return mongoDatabaseUrl(server, uniqueDbName(prefix));
}

/**
 * Connects mongoose's connection to a fresh database for this test file, empties it before each
 * test (unless `clearEachTest: false`) and drops it at the end. Installs jetmart's plugins on the
 * connection at once (call it at the top of the file, before building models on `connection`),
 * as `runService` does in production.
 */
export function useTestDatabase(opts: { clearEachTest?: boolean; prefix?: string } = {}): {
  url: () => string;
  connection: mongoose.Connection;
} {
  let url = '';
  const connection = mongoose.connection;
  installDatabasePlugins(connection);
  beforeAll(async () => {
    url = testDatabaseUrl(opts.prefix);
    await mongoose.connect(url, { serverSelectionTimeoutMS: 10_000 });
    // Build declared indexes (unique ones are part of the behaviour under test).
    const models = new Set([...Object.values(mongoose.models), ...Object.values(connection.models)]);
    await Promise.all([...models].map((m) => m.syncIndexes()));
  });
  if (opts.clearEachTest !== false) {
    beforeEach(async () => {
      const collections = await mongoose.connection.db!.collections();
      await Promise.all(collections.map((c) => c.deleteMany({})));
    });
  }
  afterAll(async () => {
    await mongoose.connection.db?.dropDatabase().catch(() => undefined);
    await mongoose.disconnect();
  });
  return { url: () => url, connection };
}

/** Jest global setup: one MongoDB-wire server per run, shared by test files through MONGO_URL. */
export async function globalSetup(): Promise<void> {
  process.env.NODE_ENV = 'test';
  process.env.JWT_KEY ??= TEST_JWT_KEY;
  const mongo = await startMongo();
  process.env.MONGO_URL = mongo.url;
  // Which storage FerretDB runs on, for tests whose expectations differ by it (what is pushed down).
  if (mongo.backend) process.env.JETMART_TEST_FERRETDB_BACKEND = mongo.backend;
  (globalThis as { __jetmartMongo?: { stop(): Promise<void> } }).__jetmartMongo = mongo;
}

export async function globalTeardown(): Promise<void> {
  await (globalThis as { __jetmartMongo?: { stop(): Promise<void> } }).__jetmartMongo?.stop();
}

/**
 * Records every span this process ends from now on (the tracer provider is global per process,
 * so spans of every service running in the test are in it). Filter by trace id per test.
 */
export function recordSpans(serviceName = 'test'): InMemorySpanExporter {
  const exporter = new InMemorySpanExporter();
  setupTracing({ serviceName, exporter });
  return exporter;
}

/** A logger whose lines (parsed JSON) are kept in `lines`, to assert what a service logs. */
export function capturingLogger(service: string, level = 'info'): { logger: Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const logger = pino({ level, base: { service } }, { write: (line: string) => void lines.push(JSON.parse(line)) });
  return { logger, lines };
}
export * from './openapi';
