/**
 * POST /api/search/rebuild replays the PRODUCTS stream from its first message into a fresh read
 * model and compares it with the live one. After a burst of shuffled, duplicated product, stock
 * and rating events on a real nats-server (so many arrive before the version they follow), the
 * live listeners and the rebuild reach the same read model: rebuild = live. The comparison can
 * fail: a live document changed behind the listeners' back is reported.
 */
import request from 'supertest';
import { eventually, signinCookie, startNats, useTestDatabase, type NatsTestServer } from '@jetmart/common/testing';
import type { Event } from '@jetmart/common';
import { searchModels } from '../models';
import { ADMIN, created, oid, product, rating, startInstance, stock, updated, type Instance } from './support/instance';

const { connection } = useTestDatabase({ clearEachTest: false, prefix: 'search_rebuild' });
const models = searchModels(connection);
let nats: NatsTestServer;
let search: Instance;

beforeAll(async () => {
  nats = await startNats();
  search = await startInstance({ natsUrl: nats.url, models, name: 'search-rebuild' });
  await eventually(async () => search.follower.ready, 20_000);
}, 60_000);
afterAll(async () => {
  await search?.stop();
  await nats?.destroy();
});

/** A seeded shuffle, so a failure reproduces. */
function shuffle<T>(items: T[], seed: number): T[] {
  const out = [...items];
  let s = seed;
  for (let i = out.length - 1; i > 0; i--) {
    s = (s * 1_103_515_245 + 12_345) % 2 ** 31;
    const j = s % (i + 1);
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

async function drained(): Promise<boolean> {
  const names = ['search-product-created', 'search-product-updated', 'search-product-stock-changed', 'search-product-rating-changed'];
  const infos = await Promise.all(names.map((n) => search.bus.jsm.consumers.info('PRODUCTS', n)));
  return infos.every((c) => c.num_pending + c.num_ack_pending === 0);
}

const rebuild = () => request(search.app).post('/api/search/rebuild').set('Cookie', signinCookie(ADMIN));

it('only admins may rebuild', async () => {
  expect((await request(search.app).post('/api/search/rebuild')).status).toBe(401);
  expect(
    (
      await request(search.app)
        .post('/api/search/rebuild')
        .set('Cookie', signinCookie({ email: 'someone@test.dev' }))
    ).status,
  ).toBe(403);
});

it('rebuild = live after a burst of shuffled, duplicated product, stock and rating events', async () => {
  const events: Event[] = [];
  const products = Array.from({ length: 12 }, () => oid());
  products.forEach((id, i) => {
    events.push(created(product(id, 0, { title: `Lamp ${i}`, quantity: i % 3, category: 'lighting' })));
    for (let v = 1; v <= 3; v++)
      events.push(updated(product(id, v, { title: `Lamp ${i} v${v}`, priceMinor: 1_000 * v + i, listed: v !== 2 || i % 2 === 0 })));
    for (let v = 1; v <= 3; v++) events.push(stock(id, v, v % 2 === 1));
    for (let v = 1; v <= 2; v++) events.push(rating(id, v, v, v * (1 + (i % 5))));
  });
  // Every fifth event twice (a redelivery or a producer's retry), under a new event id.
  const withDuplicates = events.flatMap((e, i) => (i % 5 === 0 ? [e, { ...e, id: oid() }] : [e]));
  for (const e of shuffle(withDuplicates, 19)) await search.bus.publish(e as Event);
  await eventually(
    async () => (await models.SearchDocument.countDocuments({ version: 3, stockVersion: 3, ratingVersion: 2 })) === 12,
    60_000,
  );
  await eventually(drained, 30_000);

  const res = await rebuild();
  expect(res.status).toBe(200);
  expect(res.body).toMatchObject({ documents: 12, equalToLive: true, differences: 0, skipped: 0, unapplied: 0 });
  expect(res.body.tookMs).toBeGreaterThanOrEqual(0);
  // The fresh collection is dropped afterwards.
  const collections = (await connection.db!.listCollections().toArray()).map((c) => c.name);
  expect(collections.filter((n) => n.startsWith('searchrebuild'))).toEqual([]);
}, 180_000);

it('reports a difference when the live read model is not what the stream says', async () => {
  const [victim] = await models.SearchDocument.find({}).limit(1).lean();
  await models.SearchDocument.updateOne({ _id: victim._id }, { $set: { title: 'Tampered' } });
  const res = await rebuild();
  expect(res.status).toBe(200);
  expect(res.body).toMatchObject({ documents: 12, equalToLive: false, differences: 1 });
  await models.SearchDocument.updateOne({ _id: victim._id }, { $set: { title: victim.title } });
  expect((await rebuild()).body.equalToLive).toBe(true);
}, 180_000);
