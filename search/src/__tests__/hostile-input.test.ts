/**
 * Hostile input at every search route (SPEC invariant 6): random query strings of every parameter
 * (weird strings, operators as `x[$ne]=`, repeated keys, huge values, forged cursors), hostile
 * cookies and bodies on the admin rebuild. Every answer is < 500 and, when it is an error, a 4xx in
 * the documented shape with `field` naming a parameter; a 200 always honours its filters and its
 * limit. Paging through HTTP (the cursor encoded and decoded) has no duplicates and no gaps.
 * Seeded, so a failure reproduces.
 */
import fc from 'fast-check';
import request from 'supertest';
import { categoryWithDescendants, SEARCH_SORTS } from '@jetmart/common/contracts';
import {
  eventually,
  expectErrorShape,
  expectNever5xx,
  hostileCookie,
  percentEncode,
  rawBody,
  signinCookie,
  startNats,
  useTestDatabase,
  weirdString,
  type NatsTestServer,
} from '@jetmart/common/testing';
import { searchModels } from '../models';
import { oid, startInstance, type Instance } from './support/instance';

const { connection } = useTestDatabase({ clearEachTest: false, prefix: 'search_hostile' });
const models = searchModels(connection);
let nats: NatsTestServer;
let search: Instance;

const CATEGORIES = ['lighting', 'furniture', 'shoes', 'prints', 'other', 'coffee-tea'];
const WORDS = ['brass', 'lamp', 'oak', 'table', 'linen', 'shirt', 'poster', 'coffee'];

beforeAll(async () => {
  nats = await startNats();
  search = await startInstance({ natsUrl: nats.url, models, name: 'search-hostile-input' });
  await eventually(async () => search.follower.ready, 20_000);
  // Straight into the index (the listeners and follower are tested elsewhere): 120 varied products.
  for (let i = 0; i < 120; i++) {
    const id = oid();
    search.index.applyProduct(
      id,
      0,
      {
        title: `${WORDS[i % WORDS.length]} ${WORDS[(i * 3) % WORDS.length]} ${i}`,
        description: i % 2 ? 'handmade' : '',
        priceMinor: 100 + ((i * 7919) % 40_000),
        quantity: i % 3,
        sellerId: oid(),
        listed: true,
        category: CATEGORIES[i % CATEGORIES.length],
        images: i % 4 ? [oid()] : [],
      },
      new Date(Date.UTC(2026, 0, 1) + (i % 17) * 3_600_000),
      true,
    );
    if (i % 5) search.index.applyRating(id, 1, 1 + (i % 4), (1 + (i % 4)) * (1 + (i % 5)));
  }
}, 60_000);
afterAll(async () => {
  await search?.stop();
  await nats?.destroy();
});

const RUNS = Number(process.env.HOSTILE_RUNS ?? 200);
const params = (seed: number) => ({ numRuns: RUNS, seed });
const KEYS = ['q', 'category', 'minPrice', 'maxPrice', 'minRating', 'inStock', 'sort', 'cursor', 'limit'] as const;

const goodValue: Record<(typeof KEYS)[number], fc.Arbitrary<string>> = {
  q: fc.oneof(fc.constantFrom(...WORDS, 'lmap', 'brsas', 'tabel', 'coffe', 'la', ''), fc.string({ maxLength: 20 })),
  category: fc.constantFrom(...CATEGORIES, 'home', 'fashion', 'art'),
  minPrice: fc.integer({ min: 0, max: 400 }).map(String),
  maxPrice: fc.integer({ min: 0, max: 400 }).map((n) => `${n}.5`),
  minRating: fc.constantFrom('1', '2', '3.5', '4', '5'),
  inStock: fc.constantFrom('true', 'false'),
  sort: fc.constantFrom(...SEARCH_SORTS),
  cursor: fc.constant(''),
  limit: fc.integer({ min: 1, max: 100 }).map(String),
};
const hostileValue = fc.oneof(
  weirdString,
  fc.constantFrom(
    '-1',
    '1e3',
    'NaN',
    'Infinity',
    '0x10',
    '1.234',
    '99999999',
    'true ',
    'TRUE',
    '[object Object]',
    '%',
    'relevance,price_asc',
  ),
);

function queryString(pairs: [string, string][]): string {
  return pairs.map(([k, v]) => `${percentEncode(k)}=${percentEncode(v)}`).join('&');
}

interface Hit {
  id: string;
  price: number;
  category: string;
  inStock: boolean;
  rating: { average: number | null };
}

describe('search: hostile input never answers 5xx', () => {
  it('GET /api/search: any parameter with a hostile value, operators and repeated keys → 200 or 400 naming the field', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.tuple(
            fc.oneof(
              fc.constantFrom(...KEYS),
              fc.constantFrom(...KEYS).map((k) => `${k}[$ne]`),
              fc.constantFrom(...KEYS).map((k) => `${k}[]`),
              weirdString.filter((s) => s.length < 50),
            ),
            fc.oneof(hostileValue, ...Object.values(goodValue)),
          ),
          { maxLength: 6 },
        ),
        async (pairs) => {
          const res = await request(search.app).get(`/api/search?${queryString(pairs)}`);
          // 431: a URL beyond Node's header limit (16 KiB) is refused by Node before Express, with no body.
          if (res.status === 431) return;
          expectNever5xx(res);
          expect([200, 400]).toContain(res.status);
          if (res.status === 400) {
            expectErrorShape(res);
            for (const e of res.body.errors) if (e.field !== undefined) expect(KEYS).toContain(e.field);
          }
        },
      ),
      params(1901),
    );
  }, 180_000);

  it('GET /api/search: valid parameters → 200 honouring every filter and the limit', async () => {
    const valid = fc.record(
      Object.fromEntries(KEYS.filter((k) => k !== 'cursor').map((k) => [k, goodValue[k]])) as Record<string, fc.Arbitrary<string>>,
      { requiredKeys: [] },
    );
    await fc.assert(
      fc.asyncProperty(valid, async (p) => {
        const res = await request(search.app).get(`/api/search?${queryString(Object.entries(p) as [string, string][])}`);
        const minMax = p.minPrice !== undefined && p.maxPrice !== undefined && Number(p.minPrice) > Number(p.maxPrice);
        if (minMax) {
          expect(res.status).toBe(400);
          expect(res.body.errors[0].field).toBe('maxPrice');
          return;
        }
        expect(res.status).toBe(200);
        const hits: Hit[] = res.body.hits;
        expect(hits.length).toBeLessThanOrEqual(Number(p.limit ?? 24));
        expect(res.body.total).toBeGreaterThanOrEqual(hits.length);
        const allowed = p.category ? new Set(categoryWithDescendants(p.category)) : undefined;
        for (const h of hits) {
          if (allowed) expect(allowed.has(h.category)).toBe(true);
          if (p.minPrice !== undefined) expect(h.price).toBeGreaterThanOrEqual(Number(p.minPrice));
          if (p.maxPrice !== undefined) expect(h.price).toBeLessThanOrEqual(Number(p.maxPrice));
          if (p.inStock !== undefined) expect(h.inStock).toBe(p.inStock === 'true');
          if (p.minRating !== undefined) expect(h.rating.average ?? 0).toBeGreaterThanOrEqual(Number(p.minRating));
        }
      }),
      params(1902),
    );
  }, 180_000);

  it('GET /api/search: forged cursors → 400 field cursor; a cursor of another sort → 400', async () => {
    const first = await request(search.app).get('/api/search?limit=5&sort=price_asc');
    expect(first.body.nextCursor).toEqual(expect.any(String));
    const other = await request(search.app).get(`/api/search?limit=5&sort=newest&cursor=${first.body.nextCursor}`);
    expect(other.status).toBe(400);
    expect(other.body.errors[0].field).toBe('cursor');
    const forged = fc.oneof(
      weirdString,
      fc.jsonValue().map((v) => Buffer.from(JSON.stringify(v) ?? '').toString('base64url')),
      fc
        .record({
          s: fc.constantFrom(...SEARCH_SORTS, 'x'),
          k: fc.array(fc.oneof(fc.double(), fc.string()), { maxLength: 3 }),
          i: fc.oneof(fc.string(), fc.integer()),
        })
        .map((v) => Buffer.from(JSON.stringify(v)).toString('base64url')),
    );
    await fc.assert(
      fc.asyncProperty(forged, fc.constantFrom(...SEARCH_SORTS), async (cursor, sort) => {
        const res = await request(search.app).get(`/api/search?sort=${sort}&cursor=${percentEncode(cursor)}`);
        // 431: a URL beyond Node's header limit (16 KiB) is refused by Node before Express, with no body.
        if (res.status === 431) return;
        expectNever5xx(res);
        if (res.status === 400) expect(res.body.errors[0].field).toBe('cursor');
        else expect(res.status).toBe(200); // by chance a well-formed position of this sort: a page after it
      }),
      params(1903),
    );
  }, 180_000);

  it('paging through HTTP: every hit once, in order, for random filters and sorts', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...SEARCH_SORTS),
        fc.constantFrom('', 'q=lamp', 'q=tabel', 'category=home', 'inStock=true', 'minRating=3', 'q=la&maxPrice=200'),
        fc.integer({ min: 1, max: 13 }),
        async (sort, filter, limit) => {
          const all = await request(search.app).get(`/api/search?${filter}&sort=${sort}&limit=100`);
          expect(all.status).toBe(200);
          const seen: string[] = [];
          let cursor: string | null = null;
          do {
            const url: string = `/api/search?${filter}&sort=${sort}&limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`;
            const res = await request(search.app).get(url);
            expect(res.status).toBe(200);
            expect(res.body.total).toBe(all.body.total);
            seen.push(...res.body.hits.map((h: Hit) => h.id));
            cursor = res.body.nextCursor;
          } while (cursor && seen.length <= 200);
          // The first 100 as one big page says, and every hit exactly once.
          expect(seen.slice(0, 100)).toEqual(all.body.hits.map((h: Hit) => h.id));
          expect(seen.length).toBe(all.body.total);
          expect(new Set(seen).size).toBe(all.body.total);
        },
      ),
      { numRuns: 40, seed: 1904 },
    );
  }, 180_000);

  it('POST /api/search/rebuild: hostile cookies → 401, non-admins → 403, hostile bodies change nothing', async () => {
    await fc.assert(
      fc.asyncProperty(hostileCookie, rawBody, async (cookie, body) => {
        const res = await request(search.app)
          .post('/api/search/rebuild')
          .set('Cookie', cookie)
          .set('Content-Type', 'application/json')
          .send(body);
        expectNever5xx(res);
        expect([400, 401, 413]).toContain(res.status);
        expectErrorShape(res);
      }),
      params(1905),
    );
    const res = await request(search.app)
      .post('/api/search/rebuild')
      .set('Cookie', signinCookie({ email: 'Admin@test.dev ' + 'x' }));
    expect(res.status).toBe(403);
    expect(await models.SearchDocument.countDocuments()).toBe(0);
  }, 180_000);
});
