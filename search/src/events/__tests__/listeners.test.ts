/**
 * The read model's listeners through a real nats-server and FerretDB: each source (product,
 * stock, rating) is applied strictly N onto N−1 with its own version; a gap waits (RetryLater)
 * and fills when the missing event arrives; duplicates and old versions change nothing; and the
 * in-memory index of the replica follows the same events to the same state.
 */
import { eventually, startNats, useTestDatabase, type NatsTestServer } from '@jetmart/common/testing';
import { searchModels } from '../../models';
import { runSearch } from '../../engine/query';
import { created, oid, product, rating, startInstance, stock, updated, type Instance } from '../../__tests__/support/instance';

const { connection } = useTestDatabase({ prefix: 'search_listeners' });
const models = searchModels(connection);
let nats: NatsTestServer;
let search: Instance;

beforeAll(async () => {
  nats = await startNats();
  search = await startInstance({ natsUrl: nats.url, models, name: 'search-listeners' });
  await eventually(async () => search.follower.ready, 20_000);
}, 60_000);
afterAll(async () => {
  await search?.stop();
  await nats?.destroy();
});

const doc = (id: string) => models.SearchDocument.findById(id).lean();
const hits = (q: string) => runSearch(search.index, { q, sort: 'relevance', limit: 100 }).slots.map((s) => search.index.ids[s]);

it('product.created then updates in order: the document follows every version, the index too', async () => {
  const id = oid();
  await search.bus.publish(created(product(id, 0, { title: 'Brass lamp', category: 'lighting' })));
  await eventually(async () => (await doc(id))?.version === 0);
  await search.bus.publish(updated(product(id, 1, { title: 'Copper lamp', priceMinor: 2_500, category: 'lighting' })));
  await eventually(async () => (await doc(id))?.version === 1);
  expect(await doc(id)).toMatchObject({ title: 'Copper lamp', priceMinor: 2_500, category: 'lighting', stockVersion: 0, ratingVersion: 0 });
  await eventually(async () => hits('copper').includes(id));
  expect(hits('brass')).not.toContain(id);
});

it('a gap waits: version 2 before 1 is applied only after 1 arrives, and ends at 2', async () => {
  const id = oid();
  await search.bus.publish(created(product(id, 0, { title: 'Oak table' })));
  await eventually(async () => (await doc(id))?.version === 0);
  await search.bus.publish(updated(product(id, 2, { title: 'Oak table v2' })));
  // Waiting: the document stays at 0 for a while (the event is redelivered, not applied).
  await new Promise((r) => setTimeout(r, 500));
  expect((await doc(id))?.version).toBe(0);
  await search.bus.publish(updated(product(id, 1, { title: 'Oak table v1' })));
  await eventually(async () => (await doc(id))?.version === 2, 20_000);
  expect((await doc(id))?.title).toBe('Oak table v2');
});

it('stock and rating before product.created wait for it; each source has its own version', async () => {
  const id = oid();
  await search.bus.publish(stock(id, 1, false));
  await search.bus.publish(rating(id, 1, 2, 9));
  await new Promise((r) => setTimeout(r, 300));
  expect(await doc(id)).toBeNull();
  await search.bus.publish(created(product(id, 0, { title: 'Walnut chair', quantity: 5 })));
  await eventually(async () => {
    const d = await doc(id);
    return d?.stockVersion === 1 && d.ratingVersion === 1;
  }, 20_000);
  expect(await doc(id)).toMatchObject({ version: 0, stockVersion: 1, inStock: false, ratingVersion: 1, ratingCount: 2, ratingSum: 9 });
  // The index agrees: out of stock (the stock event wins over quantity 5), rated 4.5.
  await eventually(async () => {
    const s = search.index.state(id);
    return s?.stockVersion === 1 && s.ratingVersion === 1;
  });
  const r = runSearch(search.index, { q: 'walnut', inStock: false, minRating: 4.5, sort: 'relevance', limit: 5 });
  expect(r.slots.map((s) => search.index.ids[s])).toEqual([id]);
});

it('duplicates and old versions are acked and change nothing', async () => {
  const id = oid();
  await search.bus.publish(created(product(id, 0, { title: 'Linen shirt' })));
  await search.bus.publish(updated(product(id, 1, { title: 'Linen shirt blue' })));
  await search.bus.publish(stock(id, 1, false));
  await search.bus.publish(stock(id, 2, true));
  await eventually(async () => {
    const d = await doc(id);
    return d?.version === 1 && d.stockVersion === 2;
  }, 20_000);
  const before = await doc(id);
  // The same events again (new event ids, so JetStream does not drop them) and older versions.
  await search.bus.publish(created(product(id, 0, { title: 'Linen shirt (old)' })));
  await search.bus.publish(updated(product(id, 1, { title: 'Linen shirt (dup)' })));
  await search.bus.publish(stock(id, 1, false));
  await search.bus.publish(stock(id, 2, false));
  await eventually(async () => {
    const consumers = await Promise.all(
      ['search-product-created', 'search-product-updated', 'search-product-stock-changed'].map((d) =>
        search.bus.jsm.consumers.info('PRODUCTS', d),
      ),
    );
    return consumers.every((c) => c.num_pending + c.num_ack_pending === 0);
  }, 20_000);
  expect(await doc(id)).toEqual(before);
  expect(search.index.state(id)).toMatchObject({ version: 1, stockVersion: 2, stockInStock: true, product: { title: 'Linen shirt blue' } });
});

it('an unlisted product leaves the results and comes back when listed again', async () => {
  const id = oid();
  await search.bus.publish(created(product(id, 0, { title: 'Velvet cushion' })));
  await eventually(async () => hits('velvet').includes(id));
  await search.bus.publish(updated(product(id, 1, { title: 'Velvet cushion', listed: false })));
  await eventually(async () => !hits('velvet').includes(id));
  // The index follows the stream itself, so it may be ahead of the read model by a few ms.
  await eventually(async () => (await doc(id))?.listed === false);
  await search.bus.publish(updated(product(id, 2, { title: 'Velvet cushion', listed: true })));
  await eventually(async () => hits('velvet').includes(id));
});
