/**
 * JETSTREAM_REPLICAS on a real 3-node JetStream cluster: the bus creates every stream, its durables
 * and the key-value buckets with 3 replicas; killing the node that leads a stream (kill -9) loses
 * nothing: publishes and consumption go on through the other two, and the old leader catches up
 * when it is back. And an R1 stream (a platform that ran on one node) is scaled to R3 in place.
 */
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { createLogger, EventBus, keyValueBucket, Listener, makeEvent, natsServers, Subjects, type EventData } from '../..';
import { eventually, startNatsCluster, type NatsTestCluster } from '../../testing';

type S = typeof Subjects.ProductCreated;
const logger = createLogger('cluster-test', { level: 'silent' });

class Collecting extends Listener<S> {
  readonly subject = Subjects.ProductCreated;
  readonly titles = new Set<string>();
  async onMessage(data: EventData<S>) {
    this.titles.add(data.title);
  }
}

const product = (title: string) =>
  makeEvent(Subjects.ProductCreated, { id: `p-${title}`, title, priceMinor: 100, quantity: 1, userId: 'u', version: 0 });

let cluster: NatsTestCluster;
beforeAll(async () => {
  cluster = await startNatsCluster();
}, 60_000);
afterAll(async () => {
  await cluster?.destroy();
});

/** Publishes until one is acknowledged: during an election the first tries may time out. */
async function publishSurely(bus: EventBus, title: string) {
  return eventually(() => bus.publish(product(title)).catch(() => undefined), 30_000, 200);
}

it('NATS_URL with every node: the bus connects to the list', () => {
  expect(natsServers(` ${cluster.url} ,`)).toEqual(cluster.nodes.map((n) => n.url));
});

it('creates R3 streams, durables and buckets; a stream survives kill -9 of its leader, and the leader catches up after restart', async () => {
  const bus = await EventBus.connect({ servers: natsServers(cluster.url), name: 'cluster-test', logger, replicas: 3 });
  const listener = new Collecting(bus, 'cluster');
  try {
    await bus.ensureStreams();
    const info = await bus.jsm.streams.info('PRODUCTS');
    expect(info.config.num_replicas).toBe(3);
    expect(info.cluster?.replicas).toHaveLength(2);
    await listener.start();
    const consumer = await bus.jsm.consumers.info('PRODUCTS', listener.durableName);
    expect(consumer.cluster?.replicas).toHaveLength(2);
    const kv = await keyValueBucket(bus.nc, 'cluster-test-bucket', 60_000, 3);
    expect((await kv.status()).replicas).toBe(3);

    for (let i = 0; i < 5; i++) await bus.publish(product(`before-${i}`));
    const leaderName = info.cluster!.leader!;
    const leader = cluster.node(leaderName);
    await leader.stop('SIGKILL');
    const killedAt = Date.now();
    // The other two elect a new leader; the client moves its connection if it was on the dead node.
    for (let i = 0; i < 5; i++) await publishSurely(bus, `during-${i}`);
    const during = await eventually(async () => {
      const i = await bus.jsm.streams.info('PRODUCTS').catch(() => undefined);
      return i?.cluster?.leader && i.cluster.leader !== leaderName ? i : undefined;
    }, 30_000);
    expect(during.state.messages).toBe(10);
    await eventually(async () => (listener.titles.size === 10 ? true : undefined), 30_000);
    console.log(`consumed all within ${Date.now() - killedAt} ms of the kill`);

    await leader.restart();
    await cluster.waitHealthy(30_000);
    // The restarted node is a current replica again: it holds all ten messages.
    await eventually(async () => {
      const i = await bus.jsm.streams.info('PRODUCTS');
      const back =
        i.cluster?.replicas?.find((r) => r.name === leaderName) ?? (i.cluster?.leader === leaderName ? { current: true } : undefined);
      return back?.current && i.state.messages === 10 ? true : undefined;
    }, 30_000);
  } finally {
    await listener.stop();
    await bus.drain();
  }
}, 120_000);

it('scales an existing R1 stream (and its durable, and a bucket) to R3 when JETSTREAM_REPLICAS says 3', async () => {
  const nc = await connect({ servers: natsServers(cluster.url) });
  const jsm = await jetstreamManager(nc);
  await jsm.streams.delete('USERS').catch(() => undefined);
  await jsm.streams.add({ name: 'USERS', subjects: ['user.>'], num_replicas: 1 });
  await jsm.consumers.add('USERS', { durable_name: 'scale-test', filter_subject: 'user.created', ack_policy: 'explicit' as never });
  const one = await keyValueBucket(nc, 'scale-test-bucket', 60_000, 1);
  expect((await one.status()).replicas).toBe(1);
  await nc.close();

  const bus = await EventBus.connect({ servers: natsServers(cluster.url), name: 'scale-test', logger, replicas: 3 });
  try {
    await bus.ensureStreams();
    const info = await bus.jsm.streams.info('USERS');
    expect(info.config.num_replicas).toBe(3);
    // The durable inherits its stream's replicas.
    await eventually(async () => {
      const c = await bus.jsm.consumers.info('USERS', 'scale-test');
      return c.cluster?.replicas?.length === 2 ? true : undefined;
    }, 30_000);
    const three = await keyValueBucket(bus.nc, 'scale-test-bucket', 60_000, 3);
    expect((await bus.jsm.streams.info('KV_scale-test-bucket')).config.num_replicas).toBe(3);
    expect((await three.status()).replicas).toBe(3);
  } finally {
    await bus.drain();
  }
}, 120_000);
