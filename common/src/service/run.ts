import type { Server } from 'node:http';
import { randomBytes } from 'node:crypto';
import type { Express } from 'express';
import mongoose, { type Connection } from 'mongoose';
import type { Logger } from 'pino';
import { EventBus, natsServers } from '../bus/event-bus';
import type { Listener } from '../bus/listener';
import { createLogger } from '../log';
import { OutboxRelay } from '../outbox';
import type { Subject } from '../events';
import { baseEnv, ConfigError, readEnv } from './config';
import { setupTracing } from '../tracing';
import { installDatabasePlugins } from '../database';
import { countDatabaseCommands } from '../metrics';
import { documentLocksCapability } from '../lock';
import type { AnyModel } from '../database/any-model';
import { SessionRevocations } from '../sessions/revocations';
import { installSessionRevocations } from '../middlewares/session';

export interface ServiceContext<M = undefined> {
  logger: Logger;
  bus: EventBus;
  /** Present when the service has outbox models. */
  relay?: OutboxRelay;
  isReady: () => boolean;
  /** The service's models, built on the service's connection by `spec.models`. */
  models: M;
  /** Revoked sessions, watched from NATS; `currentUser` of the service's app refuses them. */
  sessions: SessionRevocations;
}

/** Something that runs beside the HTTP server and listeners (a sweeper, a scheduler). */
export interface BackgroundTask {
  stop(): Promise<void>;
}

export interface ServiceSpec<M = undefined> {
  name: string;
  port: number;
  /** NATS_URL: one server, or every node of a cluster, comma-separated. */
  natsUrl: string;
  /**
   * Replicas of the streams and key-value buckets the service creates. Default: JETSTREAM_REPLICAS
   * from the environment (every service's config validates it through baseEnv), so no service's
   * index.ts has to pass it along.
   */
  jetstreamReplicas?: number;
  /** Omit for a service without a database. */
  mongoUrl?: string;
  /** Builds the service's models on its connection (after the plugins are installed on it). */
  models?: (conn: Connection) => M;
  /** The models whose documents carry an outbox (the relay publishes them). */
  outboxModels?: (models: M) => AnyModel[];
  listeners?: (ctx: ServiceContext<M>) => Listener<Subject>[];
  app: (ctx: ServiceContext<M>) => Express;
  background?: (ctx: ServiceContext<M>) => BackgroundTask[];
  logger?: Logger;
  /** Max time to wait for in-flight requests at shutdown. */
  shutdownTimeoutMs?: number;
}

export interface RunningService<M = undefined> {
  ctx: ServiceContext<M>;
  server: Server;
  port: number;
  stop(): Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * How long an idle client connection stays open: longer than any proxy in front keeps one
 * (ingress-nginx keeps idle upstream connections 60 s, the local gateway 4 s). Node's 5 s default
 * is shorter than the ingress's, so the ingress would sometimes send a request on a connection
 * the service was closing, and the shopper would get a 502.
 */
const IDLE_CONNECTION_MS = 65_000;

async function retry<T>(what: string, log: Logger, fn: () => Promise<T>, attempts = 60): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await fn();
    } catch (err) {
      if (i >= attempts) throw err;
      log.warn({ err: (err as Error).message, attempt: i }, `${what} not reachable yet, retrying`);
      await sleep(Math.min(250 * i, 2000));
    }
  }
}

/**
 * Start-up: database, NATS and streams, outbox relay, listeners, then HTTP. Shutdown, in
 * reverse: stop accepting and finish in-flight requests, finish in-flight messages, stop the
 * relay, drain NATS, close the database.
 */
export async function startService<M = undefined>(spec: ServiceSpec<M>): Promise<RunningService<M>> {
  const logger = spec.logger ?? createLogger(spec.name);
  const tracing = setupTracing({ serviceName: spec.name });
  let stopping = false;

  const conn = mongoose.connection;
  installDatabasePlugins(conn);
  const models = spec.models ? spec.models(conn) : (undefined as M);
  if (spec.mongoUrl) {
    // monitorCommands: every command counted in jetmart_db_commands_total (the bench's cost model).
    await retry('MongoDB', logger, () => mongoose.connect(spec.mongoUrl!, { serverSelectionTimeoutMS: 3000, monitorCommands: true }));
    countDatabaseCommands(conn.getClient());
    const locks = await documentLocksCapability(conn);
    logger.info({ documentLocks: locks.enabled }, `document locks ${locks.enabled ? 'on' : 'off'}: ${locks.reason}`);
  }
  const replicas =
    spec.jetstreamReplicas ?? readEnv({ JETSTREAM_REPLICAS: baseEnv(spec.name, spec.port).JETSTREAM_REPLICAS }).JETSTREAM_REPLICAS;
  const bus = await retry('NATS', logger, () =>
    EventBus.connect({ servers: natsServers(spec.natsUrl), name: `${spec.name}-${randomBytes(3).toString('hex')}`, logger, replicas }),
  );
  // Retried: on a cluster that is electing a leader (a node just died) the JetStream API times out
  // for a few seconds; a replica restarted then must wait, not exit.
  await retry('JetStream (streams)', logger, () => bus.ensureStreams());
  // Before serving anything: a service that cannot load the revocations must not accept sessions
  // (it would accept signed-out ones). Unreachable for ~2 minutes means it fails to start.
  const sessions = await retry('the session revocations bucket', logger, () => SessionRevocations.open(bus.nc, logger, Date.now, replicas));

  // Ready only once every durable consumer is bound: before that the service would take requests
  // whose follow-up events it cannot yet receive, and Kubernetes would count it as serving.
  let listenersBound = false;
  const isReady = () =>
    !stopping &&
    listenersBound &&
    bus.connected &&
    (!spec.mongoUrl || mongoose.connection.readyState === mongoose.ConnectionStates.connected);
  const outboxModels = spec.outboxModels?.(models) ?? [];
  const relay = outboxModels.length ? new OutboxRelay(bus, outboxModels, { logger }) : undefined;
  const ctx: ServiceContext<M> = { logger, bus, relay, isReady, models, sessions };

  relay?.start();
  const listeners = spec.listeners?.(ctx) ?? [];

  // HTTP first, answering /healthz (alive) and /readyz (503 until the listeners are bound), so a
  // slow bind (a JetStream election) shows as "not ready" rather than as a process that is not there.
  const app = spec.app(ctx);
  installSessionRevocations(app, sessions);
  const server = await new Promise<Server>((resolve, reject) => {
    const s = app.listen(spec.port, () => resolve(s));
    s.once('error', reject);
  });
  server.keepAliveTimeout = IDLE_CONNECTION_MS;
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : spec.port;
  logger.info({ port }, `${spec.name} listening`);

  try {
    for (const l of listeners) await retry(`JetStream (durable ${l.durableName})`, logger, () => l.start());
  } catch (err) {
    server.close();
    throw err;
  }
  listenersBound = true;
  const background = spec.background?.(ctx) ?? [];
  logger.info({ listeners: listeners.length }, `${spec.name} ready`);

  let stopped: Promise<void> | undefined;
  const stop = () =>
    (stopped ??= (async () => {
      stopping = true;
      logger.info(`${spec.name} shutting down`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          server.closeAllConnections();
          resolve();
        }, spec.shutdownTimeoutMs ?? 10_000);
        server.close(() => {
          clearTimeout(timer);
          resolve();
        });
        server.closeIdleConnections();
      });
      await Promise.allSettled(background.map((b) => b.stop()));
      await Promise.allSettled(listeners.map((l) => l.stop()));
      await sessions.stop();
      // Publish what the last requests wrote; whatever fails stays in the outbox, and the relay's
      // lease is kept so that a peer (or the next start) publishes it.
      if (relay) await relay.close();
      await bus.drain().catch((err) => logger.warn({ err }, 'NATS drain failed'));
      if (spec.mongoUrl) await mongoose.disconnect();
      await tracing.flush().catch((err) => logger.warn({ err }, 'exporting the last spans failed'));
      logger.info(`${spec.name} stopped`);
    })());

  return { ctx, server, port, stop };
}

/** `src/index.ts` of a service: start, exit 1 with a clear message on bad config, exit 0 after SIGTERM. */
export function runService<M = undefined>(build: () => ServiceSpec<M>): void {
  let spec: ServiceSpec<M>;
  try {
    spec = build();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(1);
    }
    throw err;
  }
  startService(spec).then(
    (running) => {
      const onSignal = (signal: string) => {
        running.ctx.logger.info({ signal }, 'signal received');
        running.stop().then(
          () => process.exit(0),
          (err) => {
            running.ctx.logger.error({ err }, 'shutdown failed');
            process.exit(1);
          },
        );
      };
      process.once('SIGTERM', onSignal);
      process.once('SIGINT', onSignal);
    },
    (err) => {
      (spec.logger ?? console).error({ err }, `${spec.name} failed to start`);
      console.error(err);
      process.exit(1);
    },
  );
}
