import fc from 'fast-check';
import { allowedTypos, osaDistance, tokenize, Vocabulary } from '../typo';
import { runSearch } from '../query';
import { SearchIndex, type ProductFacts } from '../search-index';

const facts = (title: string, over: Partial<ProductFacts> = {}): ProductFacts => ({
  title,
  description: '',
  priceMinor: 1000,
  quantity: 1,
  sellerId: 'seller',
  listed: true,
  category: 'other',
  images: [],
  ...over,
});

function indexOf(titles: string[]): SearchIndex {
  const index = new SearchIndex();
  titles.forEach((t, i) => index.applyProduct(`p${String(i).padStart(3, '0')}`, 0, facts(t), new Date(Date.UTC(2026, 0, 1 + i)), true));
  return index;
}
const titlesFound = (index: SearchIndex, q: string) =>
  runSearch(index, { q, sort: 'relevance', limit: 100 }).slots.map((s) => index.docs[s]!.product!.title);

describe('the typo rule', () => {
  it('counts an adjacent transposition as one typo (OSA), and the other edits as one each', () => {
    expect(osaDistance('brsas', 'brass', 2)).toBe(1);
    expect(osaDistance('lamps', 'lamp', 2)).toBe(1);
    expect(osaDistance('lamp', 'lump', 2)).toBe(1);
    expect(osaDistance('lamp', 'clamp', 2)).toBe(1);
    expect(osaDistance('ab', 'ba', 2)).toBe(1);
    expect(osaDistance('kitten', 'sitting', 5)).toBe(3);
    // Bounded: anything beyond max answers max + 1.
    expect(osaDistance('kitten', 'sitting', 1)).toBe(2);
    expect(osaDistance('a', 'abcdef', 2)).toBe(3);
  });

  it('allows 0 typos under 5 letters, 1 for 5–8, 2 for 9+', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 14].map((n) => allowedTypos('x'.repeat(n)))).toEqual([0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2]);
  });

  it('tokenizes to lower-case words of letters and digits', () => {
    expect(tokenize('Brass LAMP, 60W — Café-table')).toEqual(['brass', 'lamp', '60w', 'café', 'table']);
  });

  it('"lamps" finds "lamp", "brsas" finds "brass"', () => {
    const index = indexOf(['Desk lamp', 'Brass bowl', 'Garden chair']);
    expect(titlesFound(index, 'lamps')).toEqual(['Desk lamp']);
    expect(titlesFound(index, 'brsas')).toEqual(['Brass bowl']);
    expect(runSearch(index, { q: 'brsas', sort: 'relevance', limit: 10 }).didYouMean).toBe('brass');
  });

  it('4-letter words match exactly (except the last word as a prefix)', () => {
    const index = indexOf(['Lamp shade', 'Lump of coal', 'Clamp tool']);
    // "lamp" is not "lump" or "clamp" (one typo each, but 4 letters allow none).
    expect(titlesFound(index, 'lamp')).toEqual(['Lamp shade']);
    expect(titlesFound(index, 'lamp shade')).toEqual(['Lamp shade']);
    // Not the last word: no prefix either.
    expect(titlesFound(index, 'lam shade')).toEqual([]);
    // The last word as a prefix (2+ letters), not a 1-letter one.
    expect(titlesFound(index, 'cla')).toEqual(['Clamp tool']);
    expect(titlesFound(index, 'l').length).toBe(0);
  });

  it('5–8 letters allow one typo, not two', () => {
    const index = indexOf(['Wooden table', 'Garden chair']);
    expect(titlesFound(index, 'wodoen table')).toEqual(['Wooden table']); // transposition
    expect(titlesFound(index, 'woden table')).toEqual(['Wooden table']); // deletion
    expect(titlesFound(index, 'wxdxen table')).toEqual([]); // two substitutions
    expect(titlesFound(index, 'gardne')).toEqual(['Garden chair']);
    expect(titlesFound(index, 'gxrdxn')).toEqual([]);
  });

  it('9+ letters allow two typos, not three', () => {
    const index = indexOf(['Mahogany bookshelf', 'Chocolate truffles']);
    expect(titlesFound(index, 'bokshelff')).toEqual(['Mahogany bookshelf']); // two
    expect(titlesFound(index, 'chcoolate')).toEqual(['Chocolate truffles']); // transposition = one
    expect(titlesFound(index, 'chxcxlatx')).toEqual([]); // three
  });

  it('ANDs the words, ORs each word’s matches, and prefers exact matches', () => {
    const index = indexOf(['Brass lamp', 'Brass bowl', 'Glass lamp', 'Grass seed']);
    expect(titlesFound(index, 'brass lamp')).toEqual(['Brass lamp']);
    // "grass" is one typo from "brass" and "glass": all three match, the exact one first.
    expect(titlesFound(index, 'grass')[0]).toBe('Grass seed');
    expect(new Set(titlesFound(index, 'grass'))).toEqual(new Set(['Grass seed', 'Brass lamp', 'Brass bowl', 'Glass lamp']));
    expect(runSearch(index, { q: 'grass', sort: 'relevance', limit: 10 }).didYouMean).toBeNull();
  });

  it('didYouMean replaces each word that matched only through a typo by its best match', () => {
    const index = indexOf(['Brass lamp', 'Brass lamp stand', 'Bras shop']);
    expect(runSearch(index, { q: 'brsas lamp', sort: 'relevance', limit: 10 }).didYouMean).toBe('brass lamp');
    expect(runSearch(index, { q: 'brass lamp', sort: 'relevance', limit: 10 }).didYouMean).toBeNull();
    // Nothing close: no suggestion, no hits.
    const none = runSearch(index, { q: 'zzzzzzz', sort: 'relevance', limit: 10 });
    expect(none.total).toBe(0);
    expect(none.didYouMean).toBeNull();
  });

  it('keeps a vocabulary with per-document counts', () => {
    const v = new Vocabulary();
    v.add(['lamp', 'lamp', 'brass']);
    v.add(['lamp']);
    expect(v.count('lamp')).toBe(2);
    v.remove(['lamp']);
    expect(v.count('lamp')).toBe(1);
    v.remove(['brass']);
    expect(v.count('brass')).toBe(0);
    expect(v.near('brsas', 1)).toEqual([]);
    expect(v.near('lamps', 1).map((t) => t.term)).toEqual(['lamp']);
  });

  it('a changed or unlisted product leaves the vocabulary and the results', () => {
    const index = indexOf(['Brass lamp']);
    index.applyProduct('p000', 1, facts('Copper lamp'), new Date(Date.UTC(2026, 0, 1)), false);
    expect(titlesFound(index, 'brass')).toEqual([]);
    expect(index.vocabulary.count('brass')).toBe(0);
    expect(titlesFound(index, 'copper')).toEqual(['Copper lamp']);
    index.applyProduct('p000', 2, facts('Copper lamp', { listed: false }), new Date(Date.UTC(2026, 0, 1)), false);
    expect(titlesFound(index, 'copper')).toEqual([]);
    expect(index.count).toBe(0);
    // An older version arriving late changes nothing.
    index.applyProduct('p000', 1, facts('Copper lamp'), new Date(Date.UTC(2026, 0, 1)), false);
    expect(titlesFound(index, 'copper')).toEqual([]);
  });

  it('finds every word within reach and every completion, through adds, removes and rebuilds (property, against every word measured)', () => {
    // Short words of few letters: many near each other. Hundreds of them, so the sorted array is
    // rebuilt several times (words added since, words that left) during a run.
    const letters = fc.constantFrom('a', 'b', 'c', 'd', 'é');
    const word = fc.array(letters, { minLength: 1, maxLength: 7 }).map((l) => l.join(''));
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.boolean(), fc.array(word, { minLength: 1, maxLength: 4 })), { minLength: 350, maxLength: 500 }),
        fc.array(word, { minLength: 1, maxLength: 8 }),
        (changes, queries) => {
          const v = new Vocabulary();
          const counts = new Map<string, number>();
          const nearAsMeasured = (q: string, max: number) =>
            [...counts]
              .filter(([, n]) => n > 0)
              .map(([term, count]) => ({ term, distance: osaDistance(q, term, max), count }))
              .filter((t) => t.distance <= max)
              .sort((a, b) => a.distance - b.distance || b.count - a.count || (a.term < b.term ? -1 : 1));
          for (const [step, [adding, words]] of changes.entries()) {
            // Queries between the changes too: what `near` remembered must follow the words that arrive and leave.
            if (step % 10 === 0) {
              const q = queries[(step / 10) % queries.length];
              for (const max of [1, 2]) expect(v.near(q, max, 10_000)).toEqual(nearAsMeasured(q, max));
            }
            const distinct = [...new Set(words)];
            if (adding) {
              v.add(words);
              for (const w of distinct) counts.set(w, (counts.get(w) ?? 0) + 1);
            } else {
              // Only what is there leaves (as the index removes a document's own words).
              const present = distinct.filter((w) => counts.get(w));
              v.remove(present);
              for (const w of present) counts.set(w, counts.get(w)! - 1);
            }
          }
          const indexed = [...counts].filter(([, n]) => n > 0);
          expect(v.size).toBe(indexed.length);
          for (const q of queries) {
            for (const max of [1, 2]) expect(v.near(q, max, 10_000)).toEqual(nearAsMeasured(q, max));
            const completions = indexed
              .filter(([term]) => term.startsWith(q))
              .map(([term, count]) => ({ term, count }))
              .sort((a, b) => a.term.length - b.term.length || b.count - a.count || (a.term < b.term ? -1 : 1));
            expect(v.completions(q, 10_000)).toEqual(completions);
            expect(v.count(q)).toBe(counts.get(q) ?? 0);
          }
        },
      ),
      { numRuns: 60 },
    );
  });
});
