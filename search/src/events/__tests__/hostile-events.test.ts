/**
 * Malformed events on every subject search consumes (SPEC invariant 6), through a real nats-server,
 * the service's real listeners and FerretDB: non-JSON bytes, random JSON, missing fields, wrong
 * types, NoSQL operators, huge ids, bad numbers and dates, another subject in the envelope. Every
 * one ends in DEADLETTER (`deadletter.<durable>`) after bounded deliveries, the consumer is
 * drained, the read model is unchanged; the replica's index follower (which reads the same
 * stream) skips them, and the service keeps serving: a valid event afterwards is searchable.
 * Seeded (HOSTILE_EVENTS_SEED, HOSTILE_EVENTS_RUNS).
 */
import request from 'supertest';
import { createLogger, Subjects, type Event, type Subject } from '@jetmart/common';
import { TEST_JWT_KEY, eventually, snapshotModels, useHostileEvents, useTestDatabase } from '@jetmart/common/testing';
import { buildApp } from '../../app';
import { IndexFollower } from '../../background/index-follower';
import { SearchIndex } from '../../engine/search-index';
import { searchModels } from '../../models';
import { searchListeners } from '../listeners';
import { created, oid, product, rating, stock, updated } from '../../__tests__/support/instance';

const { connection } = useTestDatabase({ clearEachTest: false, prefix: 'search_hostile_events' });
const models = searchModels(connection);
const existing = oid();

beforeAll(async () => {
  // Existing state a wrongly applied event would change.
  await models.SearchDocument.create({
    _id: existing,
    title: 'Brass lamp',
    description: '',
    priceMinor: 1000,
    quantity: 2,
    sellerId: oid(),
    listed: true,
    category: 'lighting',
    images: [],
    createdAt: new Date(),
    version: 0,
    stockVersion: 0,
    inStock: null,
    ratingVersion: 0,
    ratingCount: 0,
    ratingSum: 0,
    touchedAt: new Date(),
  });
});

const hostile = useHostileEvents({
  name: 'search-hostile',
  listeners: (bus, opts) => searchListeners(bus, { models }, { ...opts, maxWaits: 3 }),
  snapshot: () => snapshotModels(models),
});

const index = new SearchIndex();
let follower: IndexFollower;
beforeAll(async () => {
  const logger = createLogger('search-hostile', { level: 'silent' });
  // The same product on the stream, which the index replays at start (the read model has it already).
  await hostile.bus.publish(created(product(existing, 0, { title: 'Brass lamp', description: '', category: 'lighting' })));
  follower = new IndexFollower({ bus: hostile.bus, index, logger }).start();
  await eventually(async () => follower.ready, 20_000);
}, 30_000);
afterAll(async () => follower?.stop());

// Valid events about the existing product (at versions that would change it if applied).
const good: Record<string, Event> = {
  [Subjects.ProductCreated]: created(product(existing, 0, { title: 'Copper lamp' })),
  [Subjects.ProductUpdated]: updated(product(existing, 1, { title: 'Copper lamp' })),
  [Subjects.ProductStockChanged]: stock(existing, 1, false),
  [Subjects.ProductRatingChanged]: rating(existing, 1, 3, 12),
};
const others = (subject: string) => Object.values(good).filter((e) => e.subject !== subject);
const ids: Record<string, string[][]> = {
  [Subjects.ProductCreated]: [['data', 'userId']],
  [Subjects.ProductUpdated]: [['data', 'userId']],
  [Subjects.ProductStockChanged]: [],
  [Subjects.ProductRatingChanged]: [],
};

describe('search: hostile events are dead-lettered and change nothing', () => {
  it.each(Object.keys(good))(
    '%s',
    async (subject) => {
      await hostile.attack(subject as Subject, good[subject], others(subject), [['id'], ['data', 'id'], ...ids[subject]]);
      // The index never took anything from them either.
      expect(index.state(existing)).toMatchObject({ version: 0, stockVersion: 0, ratingVersion: 0, product: { title: 'Brass lamp' } });
    },
    120_000,
  );

  it('still serving and consuming: a valid change afterwards is searchable', async () => {
    const app = buildApp(
      { logger: createLogger('search-hostile', { level: 'silent' }), isReady: () => true, models, bus: hostile.bus },
      { jwtKey: TEST_JWT_KEY, jwtTtlSeconds: 3600, admins: new Set(), index, indexReady: () => follower.ready },
    );
    await hostile.bus.publish(updated(product(existing, 1, { title: 'Copper lamp', category: 'lighting' })));
    await eventually(async () => (await models.SearchDocument.findById(existing).lean())?.version === 1, 20_000);
    await eventually(async () => {
      const res = await request(app).get('/api/search?q=copper');
      return res.status === 200 && res.body.hits.some((h: { id: string }) => h.id === existing);
    });
    expect((await request(app).get('/readyz')).status).toBe(200);
  }, 60_000);
});
