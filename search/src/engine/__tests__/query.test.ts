import fc from 'fast-check';
import { categoryWithDescendants, SEARCH_SORTS, type SearchSort } from '@jetmart/common/contracts';
import { runSearch, type Position, type SearchRequest } from '../query';
import { categoryPosition, SearchIndex } from '../search-index';

interface Spec {
  title: string;
  priceMinor: number;
  category: string;
  inStock: boolean;
  rating: [number, number] | null; // count, sum
  day: number;
}

function build(specs: Spec[]): SearchIndex {
  const index = new SearchIndex();
  specs.forEach((p, i) => {
    const id = `p${String(i).padStart(4, '0')}`;
    index.applyProduct(
      id,
      0,
      {
        title: p.title,
        description: '',
        priceMinor: p.priceMinor,
        quantity: p.inStock ? 3 : 0,
        sellerId: 's',
        listed: true,
        category: p.category,
        images: [],
      },
      new Date(Date.UTC(2026, 0, 1) + p.day * 86_400_000),
      true,
    );
    if (p.rating) index.applyRating(id, 1, p.rating[0], p.rating[1]);
  });
  return index;
}

const ids = (index: SearchIndex, req: Partial<SearchRequest>) =>
  runSearch(index, { q: '', sort: 'relevance', limit: 100, ...req }).slots.map((s) => index.ids[s]!);

const catalog: Spec[] = [
  { title: 'Brass desk lamp', priceMinor: 4_500, category: 'lighting', inStock: true, rating: [2, 9], day: 1 },
  { title: 'Floor lamp', priceMinor: 12_000, category: 'lighting', inStock: false, rating: [1, 3], day: 2 },
  { title: 'Oak table', priceMinor: 30_000, category: 'furniture', inStock: true, rating: null, day: 3 },
  { title: 'Lamp oil', priceMinor: 800, category: 'kitchen', inStock: true, rating: [4, 20], day: 4 },
  { title: 'Running shoes', priceMinor: 9_000, category: 'shoes', inStock: true, rating: [3, 12], day: 5 },
  { title: 'Lamp poster', priceMinor: 2_500, category: 'prints', inStock: false, rating: null, day: 6 },
];

describe('filters, facets and sorts', () => {
  const index = build(catalog);

  it('filters by category (a parent includes its children), price (inclusive), rating and stock', () => {
    expect(ids(index, { categories: categoryWithDescendants('home').map(categoryPosition), sort: 'price_asc' })).toEqual([
      'p0003',
      'p0000',
      'p0001',
      'p0002',
    ]);
    expect(ids(index, { categories: [categoryPosition('lighting')], sort: 'price_asc' })).toEqual(['p0000', 'p0001']);
    expect(ids(index, { minPriceMinor: 2_500, maxPriceMinor: 9_000, sort: 'price_asc' })).toEqual(['p0005', 'p0000', 'p0004']);
    expect(ids(index, { minRating: 4, sort: 'rating' })).toEqual(['p0003', 'p0000', 'p0004']);
    expect(ids(index, { inStock: false, sort: 'price_asc' })).toEqual(['p0005', 'p0001']);
  });

  it('sorts: price both ways, newest, rating (unrated last, then by count), relevance', () => {
    expect(ids(index, { sort: 'price_desc' })).toEqual(['p0002', 'p0001', 'p0004', 'p0000', 'p0005', 'p0003']);
    expect(ids(index, { sort: 'newest' })).toEqual(['p0005', 'p0004', 'p0003', 'p0002', 'p0001', 'p0000']);
    // averages: p0003 5, p0000 4.5, p0004 4, p0001 3; unrated p0002, p0005 last (by id).
    expect(ids(index, { sort: 'rating' })).toEqual(['p0003', 'p0000', 'p0004', 'p0001', 'p0002', 'p0005']);
    // Without q, relevance is newest first.
    expect(ids(index, { sort: 'relevance' })).toEqual(ids(index, { sort: 'newest' }));
    // A title match outranks a match elsewhere only by score: every "lamp" product, the title-only ones.
    expect(new Set(ids(index, { q: 'lamp' }))).toEqual(new Set(['p0000', 'p0001', 'p0003', 'p0005']));
  });

  it('facet counts apply every filter except their own', () => {
    const r = runSearch(index, { q: 'lamp', inStock: true, minPriceMinor: 1_000, sort: 'relevance', limit: 10 });
    // Hits: in stock, ≥ 10.00, with "lamp": only the brass desk lamp.
    expect(r.total).toBe(1);
    const count = <T extends { count: number }>(list: T[], pick: (x: T) => boolean) => list.find(pick)?.count ?? 0;
    // Stock facet ignores inStock: lamps ≥ 10.00 → brass (in stock), floor lamp (not), poster (2500: yes, not in stock).
    expect(count(r.facets.inStock, (x) => x.value)).toBe(1);
    expect(count(r.facets.inStock, (x) => !x.value)).toBe(2);
    // Price facet ignores the price filter: lamps in stock → brass 45.00 and lamp oil 8.00.
    expect(count(r.facets.price, (x) => x.min === 0)).toBe(1);
    expect(count(r.facets.price, (x) => x.min === 25)).toBe(1);
    expect(r.facets.price.reduce((n, x) => n + x.count, 0)).toBe(2);
    // Category facet: the one hit counts in lighting and its parent home.
    expect(r.facets.category).toEqual([
      { value: 'home', count: 1 },
      { value: 'lighting', count: 1 },
    ]);
    // Rating facet: "N and up" of the hits (filters all apply): 4.5 → 4,3,2,1.
    expect(r.facets.rating).toEqual([
      { min: 4, count: 1 },
      { min: 3, count: 1 },
      { min: 2, count: 1 },
      { min: 1, count: 1 },
    ]);
  });

  it('a category filter leaves the category facet showing the other categories', () => {
    const r = runSearch(index, { q: '', categories: [categoryPosition('shoes')], sort: 'newest', limit: 10 });
    expect(r.total).toBe(1);
    expect(r.facets.category.find((c) => c.value === 'lighting')?.count).toBe(2);
    expect(r.facets.category.find((c) => c.value === 'home')?.count).toBe(4);
    expect(r.facets.inStock).toEqual([
      { value: true, count: 1 },
      { value: false, count: 0 },
    ]);
  });
});

describe('cursor paging (property)', () => {
  const words = ['lamp', 'brass', 'table', 'oak', 'shoe', 'lamps', 'poster'];
  const spec = fc.record({
    title: fc.array(fc.constantFrom(...words), { minLength: 1, maxLength: 3 }).map((w) => w.join(' ')),
    // Few distinct values, so sort keys tie often (the id must break ties).
    priceMinor: fc.constantFrom(500, 1_000, 2_500, 10_000),
    category: fc.constantFrom('lighting', 'furniture', 'shoes', 'other'),
    inStock: fc.boolean(),
    rating: fc.option(
      fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 5 })).map(([c, avg]) => [c, c * avg] as [number, number]),
    ),
    day: fc.integer({ min: 0, max: 3 }),
  });

  it('pages have no duplicates and no gaps, in every sort, with and without q and filters', () => {
    fc.assert(
      fc.property(
        fc.array(spec, { minLength: 0, maxLength: 60 }),
        fc.constantFrom<SearchSort>(...SEARCH_SORTS),
        fc.integer({ min: 1, max: 7 }),
        fc.constantFrom('', 'lamp', 'brass table', 'lmap'),
        fc.option(fc.boolean(), { nil: undefined }),
        (specs, sort, limit, q, inStock) => {
          const index = build(specs);
          const all = runSearch(index, { q, sort, limit: 100, inStock });
          const seen: string[] = [];
          let after: Position | undefined;
          for (let page = 0; page < 100; page++) {
            const r = runSearch(index, { q, sort, limit, after, inStock });
            expect(r.total).toBe(all.total);
            expect(r.slots.length).toBeLessThanOrEqual(limit);
            seen.push(...r.slots.map((s) => index.ids[s]!));
            if (!r.next) break;
            expect(r.slots.length).toBe(limit);
            after = r.next;
          }
          // Every hit exactly once, in the same order as one big page.
          expect(seen).toEqual(all.slots.map((s) => index.ids[s]!));
          expect(new Set(seen).size).toBe(all.total);
        },
      ),
      { numRuns: 300, seed: 19 },
    );
  });
});
