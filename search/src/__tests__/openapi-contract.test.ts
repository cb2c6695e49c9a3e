/**
 * Every documented response of the search API, produced by real requests (events through a real
 * nats-server into the read model on FerretDB and the replica's index) and checked against
 * src/openapi.ts; then nothing documented is left unproduced.
 */
import request from 'supertest';
import { eventually, OpenApiContract, signinCookie, startNats, useTestDatabase, type NatsTestServer } from '@jetmart/common/testing';
import { searchModels } from '../models';
import { searchApiDocument } from '../openapi';
import { ADMIN, created, oid, product, rating, startInstance, stock, type Instance } from './support/instance';

const { connection } = useTestDatabase({ clearEachTest: false, prefix: 'search_contract' });
const models = searchModels(connection);
const contract = new OpenApiContract(searchApiDocument);
let nats: NatsTestServer;
let search: Instance;

beforeAll(async () => {
  nats = await startNats();
  search = await startInstance({ natsUrl: nats.url, models, name: 'search-contract' });
  await eventually(async () => search.follower.ready, 20_000);
  const ids = Array.from({ length: 5 }, () => oid());
  for (const [i, id] of ids.entries()) {
    await search.bus.publish(
      created(
        product(id, 0, {
          title: `Brass lamp ${i}`,
          priceMinor: 999 + i * 2_500,
          category: 'lighting',
          images: i % 2 ? [oid(), oid()] : [],
        }),
      ),
    );
  }
  await search.bus.publish(rating(ids[0], 1, 2, 9));
  await search.bus.publish(stock(ids[1], 1, false));
  await eventually(async () => (await models.SearchDocument.countDocuments({ ratingVersion: 1 })) === 1, 20_000);
  await eventually(async () => search.index.count === 5 && search.index.state(ids[1])?.stockVersion === 1);
}, 60_000);
afterAll(async () => {
  await search?.stop();
  await nats?.destroy();
});

it('GET /api/search: 200 (hits with and without images and ratings, two pages, didYouMean), 400', async () => {
  const first = await contract.expect(request(search.app).get('/api/search?q=brsas&limit=3&sort=price_asc'), 200);
  expect(first.body).toMatchObject({ total: 5, didYouMean: 'brass' });
  expect(first.body.hits[0]).toMatchObject({ price: 9.99, rating: { average: 4.5, count: 2 }, image: null, category: 'lighting' });
  expect(first.body.hits[1].image.urls.thumb).toMatch(/^\/api\/products\/[a-f0-9]{24}\/images\/[a-f0-9]{24}\/thumb$/);
  const second = await contract.expect(
    request(search.app).get(`/api/search?q=brsas&limit=3&sort=price_asc&cursor=${first.body.nextCursor}`),
    200,
  );
  expect(second.body.hits).toHaveLength(2);
  expect(second.body.nextCursor).toBeNull();
  const filtered = await contract.expect(request(search.app).get('/api/search?category=home&inStock=false&minRating=1'), 200);
  expect(filtered.body.total).toBe(0);
  await contract.expect(request(search.app).get('/api/search?sort=cheapest'), 400);
  await contract.expect(request(search.app).get('/api/search?minPrice=20&maxPrice=10'), 400);
});

it('POST /api/search/rebuild: 200, 401, 403, 409', async () => {
  await contract.expect(request(search.app).post('/api/search/rebuild'), 401);
  await contract.expect(
    request(search.app)
      .post('/api/search/rebuild')
      .set('Cookie', signinCookie({ email: 'nobody@test.dev' })),
    403,
  );
  const [a, b] = await Promise.all([
    request(search.app).post('/api/search/rebuild').set('Cookie', signinCookie(ADMIN)),
    new Promise((r) => setTimeout(r, 50)).then(() => request(search.app).post('/api/search/rebuild').set('Cookie', signinCookie(ADMIN))),
  ]);
  contract.check(a);
  contract.check(b);
  expect([a.status, b.status].sort()).toEqual([200, 409]);
  const done = a.status === 200 ? a : b;
  expect(done.body).toMatchObject({ documents: 5, equalToLive: true });
}, 60_000);

it('every documented response was produced', () => {
  expect(contract.unexercised()).toEqual([]);
});
