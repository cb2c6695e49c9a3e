/**
 * The alert rules of charts/jetmart (templates/alerts.yaml, rendered by `helm template`, never copied)
 * evaluated with Prometheus' own PromQL engine (infra/tools/promql-eval, built by scripts/ensure-tools.sh)
 * over metrics scraped from real processes: a 3-node nats-server cluster with the platform's R3 streams,
 * a real listener that dead-letters, and ops' JetStream replica gauges. Every expression must parse and
 * evaluate; the conditions made here (a dead letter, a killed NATS node) must make their alert's
 * expression return a series, and nothing fires before them.
 */
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import YAML from 'yaml';
import { createLogger, EventBus, natsServers, registry, Subjects } from '@jetmart/common';
import { eventually, startNatsCluster, type NatsTestCluster } from '@jetmart/common/testing';
import { registerJetStreamMetrics } from '../metrics';
import { FlakyProductListener } from './fixtures';

const repo = path.resolve(__dirname, '..', '..', '..');
const logger = createLogger('ops-alerts-test', { level: 'silent' });
let cluster: NatsTestCluster;
let bus: EventBus;
let listener: FlakyProductListener;
let unregister: () => void;
let tools: Record<string, string>;

beforeAll(async () => {
  // Builds nothing when cached (skaffold is not needed here).
  const out = execFileSync('bash', [path.join(repo, 'scripts', 'ensure-tools.sh'), '--print-env'], {
    encoding: 'utf8',
    env: { ...process.env, JETMART_SKIP_SKAFFOLD: '1' },
  });
  tools = Object.fromEntries(
    out
      .trim()
      .split('\n')
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
  );
  cluster = await startNatsCluster();
  bus = await EventBus.connect({ servers: natsServers(cluster.url), name: 'ops-alerts-test', logger, replicas: 3 });
  await bus.ensureStreams();
  unregister = registerJetStreamMetrics(bus.jsm);
  listener = new FlakyProductListener(bus);
  await listener.start();
}, 600_000);
afterAll(async () => {
  unregister?.();
  await listener?.stop().catch(() => undefined);
  await bus?.drain().catch(() => undefined);
  await cluster?.destroy();
});

interface Rule {
  alert: string;
  expr: string;
}
/** The rules as the chart renders them (with --set overrides). */
function renderRules(set: Record<string, string> = {}): Rule[] {
  const home = path.join(os.tmpdir(), 'jetmart-ops-alerts-helm');
  const out = execFileSync(
    tools.HELM!,
    [
      'template',
      path.join(repo, 'charts', 'jetmart'),
      '--show-only',
      'templates/alerts.yaml',
      ...Object.entries(set).flatMap(([k, v]) => ['--set', `${k}=${v}`]),
    ],
    {
      encoding: 'utf8',
      env: {
        ...process.env,
        HELM_CACHE_HOME: path.join(home, 'c'),
        HELM_CONFIG_HOME: path.join(home, 'f'),
        HELM_DATA_HOME: path.join(home, 'd'),
      },
    },
  );
  const doc = YAML.parse(out) as { kind: string; spec: { groups: { rules: Rule[] }[] } };
  expect(doc.kind).toBe('PrometheusRule');
  return doc.spec.groups.flatMap((g) => g.rules);
}

type Series = { labels: Record<string, string>; samples: [number, number][] };
/** One scrape of the process registry in the text format, as Prometheus stores it (job/instance added by the scraper). */
async function scrape(at: number, into: Map<string, Series>): Promise<void> {
  for (const line of (await registry.metrics()).split('\n')) {
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})?\s+(\S+)$/.exec(line);
    if (!m) continue;
    const value = Number(m[3]);
    if (!Number.isFinite(value)) continue; // +Inf/NaN do not travel as JSON; no rule uses them
    const labels: Record<string, string> = { __name__: m[1]!, job: 'ops', instance: 'ops-test:3000' };
    for (const l of (m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g))
      labels[l[1]!] = l[2]!.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
    const key = JSON.stringify(labels);
    if (!into.has(key)) into.set(key, { labels, samples: [] });
    into.get(key)!.samples.push([at, value]);
  }
}

type Result = { name: string; expr: string; error?: string; result: { metric: Record<string, string>; value: number }[] };
function evaluate(rules: Rule[], series: Map<string, Series>, at: number): Record<string, Result> {
  const out = execFileSync(tools.PROMQL_EVAL!, [], {
    input: JSON.stringify({ series: [...series.values()], exprs: rules.map((r) => ({ name: r.alert, expr: r.expr })), at }),
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  const results = JSON.parse(out) as Result[];
  for (const r of results) expect({ alert: r.name, error: r.error }).toEqual({ alert: r.name, error: undefined });
  return Object.fromEntries(results.map((r) => [r.name, r]));
}

it('every rule evaluates on real metrics; a dead letter and a killed NATS node fire theirs, nothing fires before', async () => {
  const rules = renderRules();
  expect(rules.map((r) => r.alert).sort()).toEqual(
    [
      'JetStreamPeerDown',
      'JetStreamStreamLeaderless',
      'JetmartConsumerLag',
      'JetmartEventsDeadLettered',
      'JetmartHttp5xxRate',
      'JetmartOutboxStale',
    ].sort(),
  );
  const series = new Map<string, Series>();
  const t0 = Date.now() - 60_000;
  await scrape(t0, series);
  const before = evaluate(rules, series, t0);
  for (const r of Object.values(before)) expect({ alert: r.name, result: r.result }).toEqual({ alert: r.name, result: [] });

  // A malformed product.created: the real listener dead-letters it (jetmart_events_deadlettered_total appears).
  await bus.js.publish(Subjects.ProductCreated, new TextEncoder().encode('{"not":"an event"'));
  await eventually(
    async () => ((await registry.metrics()).includes('jetmart_events_deadlettered_total{subject="product.created"}') ? true : undefined),
    30_000,
    200,
  );
  // A follower of every stream killed: JetStream reports it not current (lagging, then offline).
  const info = await bus.jsm.streams.info('ORDERS');
  await cluster.node(info.cluster!.replicas![0]!.name).stop('SIGKILL');
  await eventually(
    async () =>
      (await registry.metrics()).includes('jetmart_jetstream_stream_replicas{stream="ORDERS",state="current"} 2') ? true : undefined,
    60_000,
    500,
  );

  const t1 = Date.now();
  await scrape(t1, series);
  const after = evaluate(rules, series, t1);
  console.log(JSON.stringify(Object.fromEntries(Object.values(after).map((r) => [r.name, r.result]))));
  expect(after.JetmartEventsDeadLettered!.result).toEqual([{ metric: { subject: 'product.created' }, value: 1 }]);
  const down = Object.fromEntries(after.JetStreamPeerDown!.result.map((r) => [r.metric.stream, r.value]));
  expect(down.ORDERS).toBe(1);
  expect(after.JetStreamStreamLeaderless!.result).toEqual([]);
  // No HTTP traffic in this process: the 5xx ratio has no denominator and stays empty (it evaluated above).
  expect(after.JetmartHttp5xxRate!.result).toEqual([]);

  // Thresholds lowered through values: the lag and outbox rules select the series they are about.
  const low = evaluate(renderRules({ 'alerts.consumerLag.threshold': '-1', 'alerts.outboxAge.thresholdSeconds': '-1' }), series, t1);
  expect(low.JetmartConsumerLag!.result.map((r) => r.metric)).toContainEqual({ consumer: listener.durableName });
  expect(low.JetmartOutboxStale!.result).toEqual([{ metric: { job: 'ops' }, value: 0 }]);
  expect(low.JetmartConsumerLag!.result.every((r) => Object.keys(r.metric).join() === 'consumer')).toBe(true);
}, 180_000);
