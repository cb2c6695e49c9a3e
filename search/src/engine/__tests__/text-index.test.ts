import fc from 'fast-check';
import MiniSearch from 'minisearch';
import { TextIndex, type TextFields } from '../text-index';
import { tokenize } from '../typo';

/**
 * The text index replaced MiniSearch to save memory; its ranking must stay MiniSearch's. MiniSearch
 * (still a dependency: the vocabulary's radix tree is its SearchableMap) configured as the index
 * was before is the reference here: same documents, same changes, same weighted OR queries, same
 * scores.
 */
interface Doc {
  id: string;
  title: string;
  description: string;
  categories: string;
}

const reference = () =>
  new MiniSearch<Doc>({
    fields: ['title', 'description', 'categories'],
    storeFields: [],
    tokenize,
    processTerm: (t) => t,
    searchOptions: { tokenize, processTerm: (t) => t, boost: { title: 3, categories: 2 } },
  });

function referenceScores(ms: MiniSearch<Doc>, weights: Map<string, number>): Map<number, number> {
  const out = new Map<number, number>();
  if (weights.size === 0) return out;
  const results = ms.search(
    { combineWith: 'OR', queries: [...weights.keys()] },
    { boostTerm: (term: string) => weights.get(term)!, fuzzy: false, prefix: false },
  );
  for (const r of results) out.set(Number(r.id), r.score);
  return out;
}

function expectSameScores(actual: Map<number, number>, expected: Map<number, number>): void {
  expect([...actual.keys()].sort((a, b) => a - b)).toEqual([...expected.keys()].sort((a, b) => a - b));
  for (const [slot, score] of expected) expect(Math.abs(actual.get(slot)! - score)).toBeLessThan(1e-9 * Math.max(1, score));
}

const WORDS = ['lamp', 'brass', 'oak', 'table', 'made', 'care', 'home', 'living', 'vintage', 'glass'];
const text = fc.array(fc.constantFrom(...WORDS), { maxLength: 8 }).map((w) => w.join(' '));
const fields = fc.tuple(text, text, text);

describe('text index', () => {
  it('scores like MiniSearch: BM25+, field boosts, term weights, more matched terms rank higher', () => {
    const index = new TextIndex(8);
    const ms = reference();
    const docs: TextFields[] = [
      ['Brass lamp', 'made with care, a lamp for the home', 'Lighting Home Living'],
      ['Oak table', 'made of oak', 'Furniture Home Living'],
      ['Lamp table', 'oak and brass', 'Furniture Home Living'],
      ['Glass vase', '', 'Decor Home Living'],
    ];
    docs.forEach((d, slot) => {
      index.add(slot, d);
      ms.add({ id: String(slot), title: d[0], description: d[1], categories: d[2] });
    });
    const weights = new Map([
      ['lamp', 1],
      ['oak', 0.5],
      ['home', 0.3],
    ]);
    const scores = index.score(weights);
    expectSameScores(scores, referenceScores(ms, weights));
    // "Lamp table" (lamp and oak and home) above "Oak table" (oak and home).
    expect(scores.get(2)!).toBeGreaterThan(scores.get(1)!);
    expect(index.score(new Map([['nothing', 1]])).size).toBe(0);
  });

  it('a removed or replaced text leaves the postings, the counts and the field lengths', () => {
    const index = new TextIndex(4);
    index.add(0, ['Brass lamp', 'brass', '']);
    index.add(1, ['Oak table', '', '']);
    expect(index.postingCount('brass')).toBe(1);
    expect(index.remove(0, ['Brass lamp', 'brass', ''])).toEqual(['brass', 'lamp']);
    expect(index.postingCount('brass')).toBe(0);
    expect(index.words).toBe(2);
    expect([...index.slotsWith('oak')]).toEqual([1]);
    index.add(0, ['Copper lamp', '', '']);
    expect([...index.slotsWith('lamp')]).toEqual([0]);
    expect(index.score(new Map([['brass', 1]])).size).toBe(0);
  });

  it('gives MiniSearch’s scores through any sequence of adds, removes and replacements (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat(11), fc.option(fields, { freq: 3 })), { minLength: 1, maxLength: 40 }),
        fc.uniqueArray(fc.tuple(fc.constantFrom(...WORDS), fc.constantFrom(1, 0.7, 0.5, 0.3)), {
          selector: ([w]) => w,
          minLength: 1,
          maxLength: 4,
        }),
        (changes, query) => {
          // Starts small so that growing is exercised too.
          const index = new TextIndex(2);
          let capacity = 2;
          const ms = reference();
          const current = new Map<number, TextFields>();
          for (const [slot, next] of changes) {
            if (slot >= capacity) {
              capacity = slot + 1;
              index.growTo(capacity);
            }
            const had = current.get(slot);
            if (had) {
              index.remove(slot, had);
              ms.remove({ id: String(slot), title: had[0], description: had[1], categories: had[2] });
              current.delete(slot);
            }
            if (next) {
              index.add(slot, next);
              ms.add({ id: String(slot), title: next[0], description: next[1], categories: next[2] });
              current.set(slot, next);
            }
          }
          const weights = new Map(query);
          expectSameScores(index.score(weights), referenceScores(ms, weights));
          for (const w of WORDS)
            expect(index.postingCount(w)).toBe([...current.values()].filter((f) => tokenize(f.join(' ')).includes(w)).length);
        },
      ),
      { numRuns: 300 },
    );
  });
});
