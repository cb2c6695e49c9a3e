/**
 * Two replicas of search (two app instances, each with its own bus, index and follower) on one
 * database and one nats-server: the durables are shared (each event writes the read model once),
 * every replica's index sees every change. A change consumed through one replica is searchable in
 * both; the time from publish to searchable is measured and printed (no timed assertion). A
 * replica started later replays the stream and agrees with the others.
 */
import request from 'supertest';
import { eventually, startNats, useTestDatabase, type NatsTestServer } from '@jetmart/common/testing';
import { searchModels } from '../models';
import { created, oid, product, rating, startInstance, stock, updated, type Instance } from './support/instance';

const { connection } = useTestDatabase({ clearEachTest: false, prefix: 'search_replicas' });
const models = searchModels(connection);
let nats: NatsTestServer;
let a: Instance;
let b: Instance;

beforeAll(async () => {
  nats = await startNats();
  a = await startInstance({ natsUrl: nats.url, models, name: 'search-a' });
  b = await startInstance({ natsUrl: nats.url, models, name: 'search-b' });
  await eventually(async () => a.follower.ready && b.follower.ready, 20_000);
}, 60_000);
afterAll(async () => {
  await a?.stop();
  await b?.stop();
  await nats?.destroy();
});

const ids = async (inst: Instance, query: string): Promise<string[]> => {
  const res = await request(inst.app).get(`/api/search?${query}`);
  expect(res.status).toBe(200);
  return res.body.hits.map((h: { id: string }) => h.id);
};

/** What a replica answers for a set of queries: they agree when these are equal. */
const view = async (inst: Instance) =>
  Promise.all(
    ['q=', 'q=lamp', 'sort=price_asc&limit=100', 'inStock=false&limit=100', 'minRating=4&limit=100', 'category=home&limit=100'].map((q) =>
      ids(inst, q),
    ),
  );

it('a change is searchable in both replicas; the latency is printed', async () => {
  const latencies: number[] = [];
  for (let i = 0; i < 10; i++) {
    const id = oid();
    const word = `zeppelin${String.fromCharCode(97 + i)}x`;
    const started = performance.now();
    await a.bus.publish(created(product(id, 0, { title: `Model ${word}` })));
    await eventually(async () => (await ids(a, `q=${word}`)).includes(id) && (await ids(b, `q=${word}`)).includes(id), 10_000, 5);
    latencies.push(performance.now() - started);
    // The read model has it once (the durable is shared).
    await eventually(async () => (await models.SearchDocument.countDocuments({ _id: id })) === 1);
  }
  latencies.sort((x, y) => x - y);
  console.log(`search replicas: change → searchable in both, ms: p50 ${latencies[5].toFixed(1)}, max ${latencies[9].toFixed(1)} (n=10)`);
}, 120_000);

it('a burst of interleaved changes converges: both replicas and the read model agree', async () => {
  const products = Array.from({ length: 20 }, () => oid());
  for (const [i, id] of products.entries()) {
    await a.bus.publish(
      created(product(id, 0, { title: `Lamp ${i}`, priceMinor: 1_000 + i * 137, category: i % 2 ? 'lighting' : 'decor' })),
    );
  }
  for (const [i, id] of products.entries()) {
    await b.bus.publish(
      updated(product(id, 1, { title: `Lamp ${i} v1`, priceMinor: 5_000 - i * 91, category: i % 3 ? 'lighting' : 'decor' })),
    );
    await a.bus.publish(stock(id, 1, i % 4 !== 0));
    await b.bus.publish(rating(id, 1, 1 + (i % 3), (1 + (i % 3)) * (1 + (i % 5))));
  }
  await eventually(
    async () =>
      (await models.SearchDocument.countDocuments({ _id: { $in: products }, version: 1, stockVersion: 1, ratingVersion: 1 })) === 20,
    30_000,
  );
  await eventually(async () => JSON.stringify(await view(a)) === JSON.stringify(await view(b)), 10_000);
  // A third replica started now replays the stream and answers the same.
  const c = await startInstance({ natsUrl: nats.url, models, name: 'search-c' });
  try {
    await eventually(async () => c.follower.ready, 20_000);
    await eventually(async () => JSON.stringify(await view(c)) === JSON.stringify(await view(a)), 10_000);
    expect(c.follower.loadedDocuments).toBeGreaterThanOrEqual(30);
  } finally {
    await c.stop();
  }
  // Not trivially equal: the filters split the burst.
  const [, , byPrice, outOfStock] = await view(a);
  expect(byPrice.length).toBeGreaterThanOrEqual(30);
  expect(outOfStock.length).toBe(5);
}, 120_000);
