import SearchableMap from 'minisearch/SearchableMap';

/**
 * The typo rule of search (docs/SPEC.md, search): per query word, <5 letters exact, 5–8 letters one
 * typo, 9+ letters two. A typo is an insertion, a deletion, a substitution or a swap of two
 * adjacent letters, so the distance is Damerau's optimal string alignment (OSA): "brsas" is one
 * typo from "brass" (plain Levenshtein would count two).
 */

/** Typos allowed in a query word of this many letters (code points). */
export function allowedTypos(word: string): number {
  const n = [...word].length;
  if (n >= 9) return 2;
  if (n >= 5) return 1;
  return 0;
}

/**
 * OSA distance between `a` and `b` if it is at most `max`, else `max + 1` (stops as soon as a
 * whole row exceeds `max`, so a far-off word of the vocabulary costs a few cells, not the matrix).
 */
export function osaDistance(a: string, b: string, max: number): number {
  const s = [...a];
  const t = [...b];
  if (Math.abs(s.length - t.length) > max) return max + 1;
  if (s.length === 0 || t.length === 0) return Math.min(Math.max(s.length, t.length), max + 1);
  const width = t.length + 1;
  let prev2 = new Array<number>(width).fill(0);
  let prev = Array.from({ length: width }, (_, j) => j);
  let cur = new Array<number>(width).fill(0);
  for (let i = 1; i <= s.length; i++) {
    cur[0] = i;
    let rowMin = i;
    for (let j = 1; j <= t.length; j++) {
      const cost = s[i - 1] === t[j - 1] ? 0 : 1;
      let d = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost);
      if (i > 1 && j > 1 && s[i - 1] === t[j - 2] && s[i - 2] === t[j - 1]) d = Math.min(d, prev2[j - 2] + 1);
      cur[j] = d;
      if (d < rowMin) rowMin = d;
    }
    if (rowMin > max) return max + 1;
    [prev2, prev, cur] = [prev, cur, prev2];
  }
  return Math.min(prev[t.length], max + 1);
}

/** Lower-case words of a text: letters and digits, anything else separates (the index and the query use the same). */
export function tokenize(text: string): string[] {
  return text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
}

/** The strings one adjacent transposition away from `word` (each at most once). */
function transpositions(word: string): string[] {
  const c = [...word];
  const out = new Set<string>();
  for (let i = 0; i + 1 < c.length; i++) {
    if (c[i] === c[i + 1]) continue;
    const t = [...c];
    [t[i], t[i + 1]] = [t[i + 1], t[i]];
    out.add(t.join(''));
  }
  return [...out];
}

/**
 * The index's vocabulary: every indexed word with the number of documents that contain it (so a
 * correction prefers the commoner of two equally close words), in a radix tree (MiniSearch's
 * SearchableMap) so a typo search walks only the branches within reach instead of every word
 * (a catalog of 100,000 products has about as many distinct words: model numbers, brands).
 */
export class Vocabulary {
  private readonly counts = new SearchableMap<number>();

  get size(): number {
    return this.counts.size;
  }

  count(term: string): number {
    return this.counts.get(term) ?? 0;
  }

  /** Adds one document's words (each counted once per document). */
  add(words: Iterable<string>): void {
    for (const w of new Set(words)) this.counts.update(w, (n) => (n ?? 0) + 1);
  }

  remove(words: Iterable<string>): void {
    for (const w of new Set(words)) {
      const n = this.counts.get(w) ?? 0;
      if (n > 1) this.counts.set(w, n - 1);
      else if (n === 1) this.counts.delete(w);
    }
  }

  /**
   * Indexed words that start with `prefix` (itself included), shortest first, then commonest, at
   * most `limit`: what a last word still being typed stands for. Bounded, so "ca" costs the
   * postings of a few words, not of every word that starts with it.
   */
  completions(prefix: string, limit = 30): { term: string; count: number }[] {
    const out: { term: string; count: number }[] = [];
    for (const [term, count] of this.counts.atPrefix(prefix)) out.push({ term, count });
    out.sort((a, b) => a.term.length - b.term.length || b.count - a.count || (a.term < b.term ? -1 : 1));
    return out.slice(0, limit);
  }

  /**
   * Indexed words within `max` typos (OSA) of `word` (the word itself at distance 0 if indexed),
   * closest first, then commonest, at most `limit` of them. Candidates come from the tree's
   * Levenshtein search, which counts a transposition as two edits: so also from each word one
   * transposition (or, for two typos, two) away with the remaining budget; every candidate is then
   * measured by OSA.
   */
  near(word: string, max: number, limit = 50): { term: string; distance: number; count: number }[] {
    if (max === 0) {
      const c = this.counts.get(word);
      return c ? [{ term: word, distance: 0, count: c }] : [];
    }
    const candidates = new Set<string>();
    const within = (w: string, d: number) => {
      if (d === 0) {
        if (this.counts.has(w)) candidates.add(w);
      } else for (const k of this.counts.fuzzyGet(w, d).keys()) candidates.add(k);
    };
    within(word, max);
    for (const once of transpositions(word)) {
      within(once, max - 1);
      if (max >= 2) for (const twice of transpositions(once)) within(twice, max - 2);
    }
    const out: { term: string; distance: number; count: number }[] = [];
    for (const term of candidates) {
      const distance = osaDistance(word, term, max);
      if (distance <= max) out.push({ term, distance, count: this.counts.get(term)! });
    }
    out.sort((a, b) => a.distance - b.distance || b.count - a.count || (a.term < b.term ? -1 : 1));
    return out.slice(0, limit);
  }
}
