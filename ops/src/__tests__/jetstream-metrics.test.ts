/**
 * The JetStream replica gauges behind the JetStreamPeerDown alert, on a real 3-node cluster with the
 * platform's R3 streams: all replicas current; one node killed (kill -9) → every stream reports one
 * replica offline (and keeps a leader); the node back → all current again.
 */
import { createLogger, EventBus, natsServers, registry } from '@jetmart/common';
import { eventually, startNatsCluster, type NatsTestCluster } from '@jetmart/common/testing';
import { registerJetStreamMetrics } from '../metrics';

const logger = createLogger('ops-metrics-test', { level: 'silent' });
let cluster: NatsTestCluster;
let bus: EventBus;
let unregister: () => void;

beforeAll(async () => {
  cluster = await startNatsCluster();
  bus = await EventBus.connect({ servers: natsServers(cluster.url), name: 'ops-metrics-test', logger, replicas: 3 });
  await bus.ensureStreams();
  unregister = registerJetStreamMetrics(bus.jsm);
}, 90_000);
afterAll(async () => {
  unregister?.();
  await bus?.drain().catch(() => undefined);
  await cluster?.destroy();
});

/** `{stream: {state: n}}` and `{stream: leader}` as a scrape of /metrics would show them. */
async function scrape() {
  const replicas: Record<string, Record<string, number>> = {};
  const leaders: Record<string, number> = {};
  for (const line of (await registry.metrics()).split('\n')) {
    let m = /^jetmart_jetstream_stream_replicas\{stream="([^"]+)",state="([^"]+)"\} (\d+)$/.exec(line);
    if (m) (replicas[m[1]!] ??= {})[m[2]!] = Number(m[3]);
    m = /^jetmart_jetstream_stream_leader\{stream="([^"]+)"\} (\d+)$/.exec(line);
    if (m) leaders[m[1]!] = Number(m[2]);
  }
  return { replicas, leaders };
}

it('reports every replica of the R3 streams current, each stream with a leader', async () => {
  const { replicas, leaders } = await scrape();
  expect(Object.keys(replicas)).toEqual(expect.arrayContaining(['ORDERS', 'PRODUCTS', 'PAYMENTS']));
  expect(replicas.ORDERS).toEqual({ current: 3, lagging: 0, offline: 0 });
  expect(leaders.ORDERS).toBe(1);
});

it('a node killed with SIGKILL shows as one replica of every stream no longer current; back, all are current again', async () => {
  const info = await bus.jsm.streams.info('ORDERS');
  const follower = info.cluster!.replicas![0]!.name;
  await cluster.node(follower).stop('SIGKILL');
  // Each stream's group notices the lost peer on its own: wait until every one of them reports it.
  const notCurrent = (states: Record<string, number>) => (states.offline ?? 0) + (states.lagging ?? 0);
  const down = await eventually(
    async () => {
      const s = await scrape();
      const streams = Object.values(s.replicas);
      return streams.length > 0 && streams.every((states) => notCurrent(states) === 1) ? s : undefined;
    },
    60_000,
    500,
  );
  // JetStream reports the lost peer as offline, or first as not current (lagging): either way not current.
  expect(down.replicas.ORDERS!.current).toBe(2);
  expect(down.leaders.ORDERS).toBe(1);
  for (const [stream, states] of Object.entries(down.replicas))
    expect({ stream, notCurrent: notCurrent(states) }).toEqual({ stream, notCurrent: 1 });

  await cluster.node(follower).restart();
  const up = await eventually(
    async () => {
      const s = await scrape();
      return s.replicas.ORDERS?.current === 3 ? s : undefined;
    },
    60_000,
    500,
  );
  expect(up.replicas.ORDERS).toEqual({ current: 3, lagging: 0, offline: 0 });
}, 150_000);
