import type { JetStreamManager } from '@nats-io/jetstream';
import { promClient, registry } from '@jetmart/common';

/** How long a scrape waits for the JetStream API before it leaves the gauges without samples. */
const SAMPLE_TIMEOUT_MS = 3_000;

const REPLICAS = 'jetmart_jetstream_stream_replicas';
const LEADER = 'jetmart_jetstream_stream_leader';

export type ReplicaState = 'current' | 'lagging' | 'offline';

/**
 * The replicas of every stream by state, from JetStream's own view (stream info `cluster`): the
 * leader and each follower that is `current` count as current, an `offline` follower as offline,
 * any other follower as lagging. A stream on one node (JETSTREAM_REPLICAS=1) has one current
 * replica. Alerting on these (JetStreamPeerDown) needs no exporter beside NATS: ops already
 * holds a JetStream connection, and sampling at scrape time keeps the numbers fresh.
 */
export async function streamReplicaStates(
  jsm: JetStreamManager,
): Promise<Map<string, { states: Record<ReplicaState, number>; leader: boolean }>> {
  const out = new Map<string, { states: Record<ReplicaState, number>; leader: boolean }>();
  for await (const s of jsm.streams.list()) {
    const states: Record<ReplicaState, number> = { current: 0, lagging: 0, offline: 0 };
    const cluster = s.cluster;
    const leader = Boolean(cluster?.leader) || !cluster;
    if (leader) states.current++;
    for (const r of cluster?.replicas ?? []) states[r.offline ? 'offline' : r.current ? 'current' : 'lagging']++;
    out.set(s.config.name, { states, leader });
  }
  return out;
}

async function withTimeout<T>(p: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      p,
      new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error('timeout')), SAMPLE_TIMEOUT_MS))),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Registers `jetmart_jetstream_stream_replicas{stream,state}` and `jetmart_jetstream_stream_leader{stream}`
 * on the process registry, sampled from `jsm` at each scrape; returns a function that removes them.
 */
export function registerJetStreamMetrics(jsm: JetStreamManager): () => void {
  // One set per process: a second app in the same process (tests) replaces the first's.
  for (const name of [REPLICAS, LEADER]) registry.removeSingleMetric(name);
  let sample: ReturnType<typeof streamReplicaStates> | undefined;
  // One JetStream listing per scrape for both gauges.
  const once = () => (sample ??= withTimeout(streamReplicaStates(jsm)).finally(() => setTimeout(() => (sample = undefined), 0)));
  const replicas = new promClient.Gauge({
    name: REPLICAS,
    help: 'Replicas of each JetStream stream by state (current, lagging, offline), as JetStream reports them',
    labelNames: ['stream', 'state'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      const states = await once().catch(() => undefined); // NATS unreachable or slow: no sample
      for (const [stream, s] of states ?? []) for (const [state, n] of Object.entries(s.states)) this.set({ stream, state }, n);
    },
  });
  const leader = new promClient.Gauge({
    name: LEADER,
    help: 'Whether each JetStream stream has a leader (1) or not (0: it takes no writes)',
    labelNames: ['stream'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      const states = await once().catch(() => undefined);
      for (const [stream, s] of states ?? []) this.set({ stream }, s.leader ? 1 : 0);
    },
  });
  return () => {
    if (registry.getSingleMetric(REPLICAS) === replicas) registry.removeSingleMetric(REPLICAS);
    if (registry.getSingleMetric(LEADER) === leader) registry.removeSingleMetric(LEADER);
  };
}
