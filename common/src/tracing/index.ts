import {
  context,
  propagation,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Context,
  type Span,
  type Tracer,
} from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BatchSpanProcessor,
  SimpleSpanProcessor,
  TracerProvider,
  type ReadableSpan,
  type Span as SdkSpan,
  type SpanExporter,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace';
import type { RequestHandler } from 'express';
import mongoose, { type Schema } from 'mongoose';

export type { ReadableSpan, SpanExporter };

/**
 * Tracing for every jetmart service, by hand-placed spans in the shared mechanisms rather than
 * auto-instrumentation: services start with `runService` from `src/index.ts`, after express and
 * mongoose are already loaded, so require-hook instrumentations would need `node --require` in
 * every image. Spans made here:
 *   - SERVER per HTTP request (createApp), child of the caller's `traceparent`;
 *   - CLIENT per mongoose operation (mongooseTracingPlugin, installed by installDatabasePlugins);
 *   - PRODUCER per JetStream publish (EventBus.publish), child of the `traceparent` captured when
 *     the event was written to the outbox, so a request's trace continues through the relay;
 *   - CONSUMER per delivery (Listener), child of the message's `traceparent` header; the handler
 *     runs inside it, so what it writes and publishes carries the same trace on.
 * Spans are always made (trace ids correlate logs across services even without a collector) and
 * exported over OTLP/HTTP only when OTEL_EXPORTER_OTLP_ENDPOINT (or ..._TRACES_ENDPOINT) is set.
 * OTEL_SDK_DISABLED=true turns all of it off (no provider: spans are no-ops, ids still propagate).
 */
export const TRACER_NAME = '@jetmart/common';

export const tracer = (): Tracer => trace.getTracer(TRACER_NAME);

/**
 * A span processor whose exporters can be added after the global provider is registered: the
 * global provider can be set once per process, while tests (and several services sharing one
 * test process) add their exporters later.
 */
class FanOutSpanProcessor implements SpanProcessor {
  readonly processors: SpanProcessor[] = [];
  onStart(span: SdkSpan, parent: Context): void {
    for (const p of this.processors) p.onStart(span, parent);
  }
  onEnd(span: ReadableSpan): void {
    for (const p of this.processors) p.onEnd(span);
  }
  async forceFlush(): Promise<void> {
    await Promise.all(this.processors.map((p) => p.forceFlush()));
  }
  async shutdown(): Promise<void> {
    await Promise.all(this.processors.map((p) => p.shutdown()));
  }
}

interface TracingState {
  provider: TracerProvider;
  fanOut: FanOutSpanProcessor;
  otlp: boolean;
}

let state: TracingState | undefined;

export interface TracingOptions {
  /** `service.name` of the process's spans (OTEL_SERVICE_NAME wins when set). */
  serviceName: string;
  /** An extra exporter, e.g. an InMemorySpanExporter in tests; spans go to it as they end. */
  exporter?: SpanExporter;
  env?: NodeJS.ProcessEnv;
}

export interface Tracing {
  /** Exports what has ended and not been sent yet (call before exit). */
  flush(): Promise<void>;
}

const otlpConfigured = (env: NodeJS.ProcessEnv) => Boolean(env.OTEL_EXPORTER_OTLP_ENDPOINT || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT);

/**
 * Registers the process's tracer provider, W3C propagator and async context manager (once per
 * process; later calls only add exporters). Called by `startService`.
 */
export function setupTracing(opts: TracingOptions): Tracing {
  const env = opts.env ?? process.env;
  if (env.OTEL_SDK_DISABLED === 'true') return { flush: async () => undefined };
  if (!state) {
    const fanOut = new FanOutSpanProcessor();
    const provider = new TracerProvider({
      resource: resourceFromAttributes({ 'service.name': env.OTEL_SERVICE_NAME || opts.serviceName }),
      spanProcessors: [fanOut],
    });
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    propagation.setGlobalPropagator(new W3CTraceContextPropagator());
    trace.setGlobalTracerProvider(provider);
    state = { provider, fanOut, otlp: false };
  }
  if (!state.otlp && otlpConfigured(env)) {
    // The exporter reads OTEL_EXPORTER_OTLP_(TRACES_)ENDPOINT / _HEADERS itself.
    state.fanOut.processors.push(new BatchSpanProcessor({ exporter: new OTLPTraceExporter() }));
    state.otlp = true;
  }
  if (opts.exporter) state.fanOut.processors.push(new SimpleSpanProcessor({ exporter: opts.exporter }));
  const provider = state.provider;
  return { flush: () => provider.forceFlush() };
}

/** The W3C `traceparent` of the active span, if there is one (to store beside an outbox event). */
export function currentTraceparent(ctx: Context = context.active()): string | undefined {
  if (!trace.getSpanContext(ctx)) return undefined;
  const carrier: Record<string, string> = {};
  propagation.inject(ctx, carrier);
  return carrier.traceparent;
}

/** The context a `traceparent` (and `tracestate`) header describes; the root context without one. */
export function contextFromTraceparent(traceparent: string | undefined, tracestate?: string): Context {
  if (!traceparent) return ROOT_CONTEXT;
  return propagation.extract(ROOT_CONTEXT, tracestate ? { traceparent, tracestate } : { traceparent });
}

/** Trace id of the active span, for log lines. */
export function currentTraceId(ctx: Context = context.active()): string | undefined {
  return trace.getSpanContext(ctx)?.traceId;
}

/** Ends `span` with an error status (and the exception recorded) when `err` is set. */
export function endSpan(span: Span, err?: unknown): void {
  if (err !== undefined) {
    span.recordException(err instanceof Error ? err : String(err));
    span.setStatus({ code: SpanStatusCode.ERROR, message: err instanceof Error ? err.message : String(err) });
  }
  span.end();
}

/**
 * SERVER span per request, child of the caller's `traceparent`. Mounted before the request
 * context so that the request's logger carries the trace id. The span is named by the matched
 * route (`POST /api/orders`), known only when the response finishes.
 */
export function httpTracing(): RequestHandler {
  return (req, res, next) => {
    const parent = propagation.extract(ROOT_CONTEXT, req.headers);
    const span = tracer().startSpan(
      `${req.method}`,
      {
        kind: SpanKind.SERVER,
        attributes: { 'http.request.method': req.method, 'url.path': req.path, 'user_agent.original': req.get('user-agent') ?? '' },
      },
      parent,
    );
    let ended = false;
    const end = () => {
      if (ended) return;
      ended = true;
      const route = req.route?.path !== undefined ? `${req.baseUrl}${String(req.route.path)}` : undefined;
      if (route) {
        span.setAttribute('http.route', route);
        span.updateName(`${req.method} ${route}`);
      }
      span.setAttribute('http.response.status_code', res.statusCode);
      if (req.id) span.setAttribute('jetmart.request_id', req.id);
      if (res.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      if (!res.writableFinished) span.setAttribute('http.aborted', true);
      span.end();
    };
    res.once('finish', end);
    res.once('close', end);
    context.with(trace.setSpan(parent, span), next);
  };
}

const TRACED_QUERIES = [
  'find',
  'findOne',
  'countDocuments',
  'estimatedDocumentCount',
  'distinct',
  'updateOne',
  'updateMany',
  'replaceOne',
  'deleteOne',
  'deleteMany',
  'findOneAndUpdate',
  'findOneAndDelete',
  'findOneAndReplace',
] as const;

type WithSpan = { $locals?: Record<string, unknown>; _jetmartSpan?: Span };

function startDbSpan(operation: string, collection: string, dbName: string | undefined): Span {
  return tracer().startSpan(`${operation} ${collection}`, {
    kind: SpanKind.CLIENT,
    attributes: {
      'db.system.name': 'mongodb',
      'db.operation.name': operation,
      'db.collection.name': collection,
      ...(dbName ? { 'db.namespace': dbName } : {}),
    },
  });
}

/**
 * Mongoose plugin (registered globally by @jetmart/common): a CLIENT span per query and save,
 * child of whatever span is active when the operation is run. Writes
 * through the raw driver (`Model.collection`) are not traced.
 */
export function mongooseTracingPlugin(schema: Schema): void {
  for (const op of TRACED_QUERIES) {
    schema.pre(op, function (this: mongoose.Query<unknown, unknown> & WithSpan) {
      this._jetmartSpan = startDbSpan(op, this.model.collection.collectionName, this.model.db.name);
    });
    const done = function (this: WithSpan) {
      this._jetmartSpan?.end();
      this._jetmartSpan = undefined;
    };
    schema.post(op, done);
    schema.post(
      op,
      { errorHandler: true } as never,
      function (this: WithSpan, err: unknown) {
        // Error handlers cannot swallow the error: mongoose rethrows the original after this.
        if (this._jetmartSpan) endSpan(this._jetmartSpan, err);
        this._jetmartSpan = undefined;
      } as never,
    );
  }

  schema.pre('save', function () {
    if (this.$isSubdocument) return;
    const model = this.constructor as mongoose.Model<unknown>;
    this.$locals.traceSpan = startDbSpan(this.isNew ? 'insert' : 'update', model.collection.collectionName, model.db.name);
  });
  const endSave = function (this: mongoose.Document, err?: unknown) {
    const span = this.$locals.traceSpan as Span | undefined;
    this.$locals.traceSpan = undefined;
    if (span) endSpan(span, err);
  };
  schema.post('save', function (this: mongoose.Document) {
    endSave.call(this);
  });
  schema.post(
    'save',
    { errorHandler: true } as never,
    function (this: mongoose.Document, err: unknown) {
      endSave.call(this, err);
    } as never,
  );
}

export { context as traceContext, SpanKind, SpanStatusCode, trace };
