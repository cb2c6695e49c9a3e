import fc from 'fast-check';
import { runSearch } from '../query';
import { SearchIndex, type ProductFacts, type SearchIndexOptions } from '../search-index';

/**
 * Frequent words (in more than a share of the catalog) are matched through bitsets instead of
 * scored postings, and a query word's scored postings are bounded. The thresholds are lowered
 * here so a few products have frequent words; the default (2,000 products at least) leaves a
 * small catalog without any.
 */
const LOW: SearchIndexOptions = { frequentShare: 0.5, frequentMinimum: 3 };
const NEVER: SearchIndexOptions = { frequentMinimum: Infinity };

const facts = (title: string, description = '', over: Partial<ProductFacts> = {}): ProductFacts => ({
  title,
  description,
  priceMinor: 1000,
  quantity: 1,
  sellerId: 'seller',
  listed: true,
  category: 'other',
  images: [],
  ...over,
});

const id = (i: number) => `p${String(i).padStart(3, '0')}`;
function indexOf(products: [string, string][], options: SearchIndexOptions): SearchIndex {
  const index = new SearchIndex(options);
  products.forEach(([t, d], i) => index.applyProduct(id(i), 0, facts(t, d), new Date(Date.UTC(2026, 0, 1 + i)), true));
  return index;
}
const found = (index: SearchIndex, q: string) => runSearch(index, { q, sort: 'relevance', limit: 100 }).slots.map((s) => index.ids[s]!);

describe('frequent words', () => {
  // "made" is in every description; "oak" in two titles and one description.
  const catalog: [string, string][] = [
    ['Oak table', 'made with care'],
    ['Pine shelf', 'made from oak offcuts'],
    ['Oak chair', 'made by hand'],
    ['Brass lamp', 'made to last'],
    ['Glass vase', 'made in a small workshop'],
    ['Wool rug', 'made by weavers'],
  ];

  it('a frequent word is matched by its bitset: as a filter with another word it does not drown the results', () => {
    const index = indexOf(catalog, LOW);
    expect(index.frequentSlots('made')).toBeDefined();
    expect(index.frequentSlots('oak')).toBeUndefined();
    // Only the oak products, and ranked by "oak" (title matches before the description one) as without bitsets.
    const ranked = found(index, 'made oak');
    expect(new Set(ranked)).toEqual(new Set([id(0), id(1), id(2)]));
    expect(ranked[2]).toBe(id(1));
    // Alone, a frequent word still finds every product that has it (unscored: newest first on ties).
    expect(runSearch(index, { q: 'made', sort: 'relevance', limit: 100 }).total).toBe(6);
  });

  it('follows changes: an edited, unlisted or relisted product leaves and rejoins the bitset', () => {
    const index = indexOf(catalog, LOW);
    const created = new Date(Date.UTC(2026, 0, 1));
    index.applyProduct(id(0), 1, facts('Oak table', 'with care'), created, false);
    expect(found(index, 'made oak').sort()).toEqual([id(1), id(2)]);
    index.applyProduct(id(2), 1, facts('Oak chair', 'made by hand', { listed: false }), created, false);
    expect(found(index, 'made oak')).toEqual([id(1)]);
    index.applyProduct(id(2), 2, facts('Oak chair', 'made by hand'), created, false);
    expect(found(index, 'made oak').sort()).toEqual([id(1), id(2)]);
  });

  it('a word that falls well under the threshold is scored again', () => {
    const index = indexOf(catalog, LOW);
    const created = new Date(Date.UTC(2026, 0, 1));
    // Take "made" out of all but one product: 1 < half of max(3, 0.5 × 6).
    for (let i = 1; i < 6; i++) index.applyProduct(id(i), 1, facts(catalog[i][0], 'plain'), created, false);
    expect(index.frequentSlots('made')).toBeUndefined();
    expect(found(index, 'made')).toEqual([id(0)]);
  });

  it('a 2-letter word is found exactly, and a 2-letter prefix completes', () => {
    const index = indexOf(
      [
        ['TV stand', ''],
        ['Tvorog cheese', ''],
        ['Oak table', 'made for a tv'],
      ],
      LOW,
    );
    expect(found(index, 'tv')).toContain(id(0));
    expect(found(index, 'tv')).toContain(id(2));
    expect(found(index, 'tv')).toContain(id(1));
    expect(found(index, 'oak tv')).toEqual([id(2)]);
  });

  it('finds the same products as without bitsets, whatever the catalog, changes and query (property)', () => {
    // At most 4 words share a 2-letter prefix: a prefix never reaches the cap on frequent completions.
    const words = ['oak', 'table', 'tables', 'made', 'care', 'lamp', 'brass', 'brsas', 'home', 'with', 'model', 'mode', 'tv'];
    const text = fc.array(fc.constantFrom(...words), { minLength: 1, maxLength: 4 }).map((w) => w.join(' '));
    const product = fc.record({ title: text, description: text, listed: fc.boolean() });
    const query = fc.oneof(
      text,
      fc.constantFrom(...words).map((w) => w.slice(0, 2)),
      fc.tuple(text, fc.constantFrom(...words)).map(([t, w]) => `${t} ${w.slice(0, 3)}`),
    );
    fc.assert(
      fc.property(fc.array(product, { minLength: 1, maxLength: 30 }), fc.array(fc.tuple(fc.nat(29), product)), query, (ps, edits, q) => {
        const a = new SearchIndex(LOW);
        const b = new SearchIndex(NEVER);
        const created = new Date(Date.UTC(2026, 0, 1));
        const versions = ps.map(() => 0);
        for (const index of [a, b])
          ps.forEach((p, i) => index.applyProduct(id(i), 0, facts(p.title, p.description, { listed: p.listed }), created, true));
        for (const [at, p] of edits) {
          const i = at % ps.length;
          versions[i]++;
          for (const index of [a, b])
            index.applyProduct(id(i), versions[i], facts(p.title, p.description, { listed: p.listed }), created, false);
        }
        expect(new Set(found(a, q))).toEqual(new Set(found(b, q)));
      }),
      { numRuns: 300, seed: 19 },
    );
  });

  it('finds exactly the listed products whose text has the word, through unlists, relists and reused slots (property)', () => {
    // MiniSearch holds slots, not ids: a freed slot reused by another product must not find the
    // words of the one that left it, nor lose its own.
    const words = ['oak', 'pine', 'lamp', 'brass', 'vase', 'rug'];
    const product = fc.record({ title: fc.constantFrom(...words), description: fc.constantFrom(...words), listed: fc.boolean() });
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(11), product), { minLength: 1, maxLength: 60 }), (changes) => {
        const index = new SearchIndex(NEVER);
        const versions = new Map<number, number>();
        const current = new Map<number, { title: string; description: string; listed: boolean }>();
        for (const [i, p] of changes) {
          const version = (versions.get(i) ?? -1) + 1;
          versions.set(i, version);
          current.set(i, p);
          index.applyProduct(
            id(i),
            version,
            facts(p.title, p.description, { listed: p.listed }),
            new Date(Date.UTC(2026, 0, 1)),
            version === 0,
          );
        }
        for (const w of words) {
          const expected = [...current]
            .filter(([, p]) => p.listed && (p.title === w || p.description === w))
            .map(([i]) => id(i))
            .sort();
          expect([...found(index, w)].sort()).toEqual(expected);
        }
      }),
      { numRuns: 300, seed: 21 },
    );
  });
});
