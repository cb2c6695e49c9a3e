import client from 'prom-client';

/**
 * One registry per process: what `/metrics` serves. Test processes that run several app
 * instances share it, which only adds their counts together.
 */
export const registry = new client.Registry();
client.collectDefaultMetrics({ register: registry });

export const httpRequestDuration = new client.Histogram({
  name: 'http_request_duration_seconds',
  help: 'HTTP request duration by method, route and status',
  labelNames: ['method', 'route', 'status'] as const,
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
  registers: [registry],
});

export const eventsPublished = new client.Counter({
  name: 'jetmart_events_published_total',
  help: 'Events published to JetStream by subject (duplicates dropped by the server included)',
  labelNames: ['subject'] as const,
  registers: [registry],
});

export const eventsConsumed = new client.Counter({
  name: 'jetmart_events_consumed_total',
  help: 'Events handled by a listener, by subject and outcome (ack, retry, deadletter)',
  labelNames: ['subject', 'outcome'] as const,
  registers: [registry],
});

export const eventsRedelivered = new client.Counter({
  name: 'jetmart_events_redelivered_total',
  help: 'Deliveries that were not the first for their message',
  labelNames: ['subject'] as const,
  registers: [registry],
});

export const eventsDeadLettered = new client.Counter({
  name: 'jetmart_events_deadlettered_total',
  help: 'Events moved to the dead-letter stream',
  labelNames: ['subject'] as const,
  registers: [registry],
});

export const outboxBacklog = new client.Gauge({
  name: 'jetmart_outbox_backlog',
  help: 'Events written to the outbox and not yet published, at the last relay pass',
  registers: [registry],
});

export const outboxOldestAgeSeconds = new client.Gauge({
  name: 'jetmart_outbox_oldest_age_seconds',
  help: 'Age of the oldest unpublished outbox event at the last relay pass',
  registers: [registry],
});

export { client as promClient };
