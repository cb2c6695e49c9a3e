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

/** Words added since the last merge at most (each query measures them one by one). */
const RECENT_LIMIT = 256;
/**
 * Query words whose typo matches are remembered (oldest forgotten first). Bounded also because
 * every word new to the vocabulary is measured against the remembered words of about its length.
 */
const NEAR_CACHE_LIMIT = 2_000;

/**
 * One bit per letter the word contains (letters share the 32 bits by code point). One typo adds
 * or removes at most one letter of the word's set of letters, so at most two bits change: words
 * whose masks differ in more than 2 × max bits are more than max typos apart, found without measuring.
 */
function letterMask(word: string): number {
  let mask = 0;
  for (const c of word) mask |= 1 << (c.codePointAt(0)! & 31);
  return mask;
}

function bitCount(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  return (((x + (x >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
}

/** A query word's typo matches, as remembered by `Vocabulary.near`. */
interface NearEntry {
  key: string;
  word: string;
  max: number;
  /** The word's length in letters (code points), as the typo rule counts. */
  letters: number;
  /** letterMask(word) */
  mask: number;
  within: { term: string; distance: number }[];
}

/** The first position in `words` (sorted) of a word not before `key`. */
function lowerBound(words: readonly string[], key: string): number {
  let lo = 0;
  let hi = words.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (words[mid] < key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * The index's vocabulary: every indexed word with the number of documents that contain it (so a
 * correction prefers the commoner of two equally close words). A catalog of 100,000 products has
 * about as many distinct words (model numbers, brands), so the layout is compact: the words in
 * one sorted array, searched as the trie it implies (the words that share a prefix are one range
 * of it), plus the few words added since the array was last rebuilt. Before, a radix tree
 * (MiniSearch's SearchableMap) held them: one Map per node, 26 MB at 100,000 products; the
 * sorted array is under 1 MB beside the strings and counts.
 *
 * A word that leaves keeps its place in the array with a count of 0 until the next rebuild
 * (it matches nothing meanwhile); a rebuild merges the recent words in and drops the left ones,
 * when either list has grown: O(words) every few hundred changes of the vocabulary.
 */
export class Vocabulary {
  /** Word → documents that contain it; 0: left, still in `sorted` until the next rebuild. */
  private readonly counts = new Map<string, number>();
  /** Words in code-unit order (`<`), each once. */
  private sorted: string[] = [];
  /** Words added since the last rebuild, not in `sorted`. */
  private recent: string[] = [];
  /** Words with a count of 0. */
  private left = 0;
  /**
   * Per query word and typo allowance (`max:word`): every word of the vocabulary within reach,
   * counted or not (a word left with 0 keeps its place, and counts are read at each query). The
   * walk for a word of 9+ letters is most of a query's CPU, and shoppers repeat words; the set of
   * words within reach changes only when a new word arrives, and then only for the query words
   * near it, so a new word is added to exactly those entries instead of clearing the cache.
   */
  private readonly nearCache = new Map<string, NearEntry>();
  /** The same entries by the query word's length, so a new word is measured only against those it may be near. */
  private readonly nearByLength = new Map<number, Set<NearEntry>>();

  get size(): number {
    return this.counts.size - this.left;
  }

  count(term: string): number {
    return this.counts.get(term) ?? 0;
  }

  /** Adds one document's words (each counted once per document). */
  add(words: Iterable<string>): void {
    for (const w of new Set(words)) {
      const n = this.counts.get(w);
      if (n === undefined) {
        this.counts.set(w, 1);
        this.recent.push(w);
        this.reachNewWord(w);
      } else {
        if (n === 0) this.left--;
        this.counts.set(w, n + 1);
      }
    }
    if (this.recent.length > RECENT_LIMIT) this.rebuild();
  }

  remove(words: Iterable<string>): void {
    for (const w of new Set(words)) {
      const n = this.counts.get(w);
      if (!n) continue;
      this.counts.set(w, n - 1);
      if (n === 1) this.left++;
    }
    if (this.left > RECENT_LIMIT + (this.sorted.length >>> 4)) this.rebuild();
  }

  /** A word new to the vocabulary joins the remembered matches of the query words it is near. */
  private reachNewWord(term: string): void {
    if (this.nearCache.size === 0) return;
    const length = [...term].length;
    const mask = letterMask(term);
    // Lengths apart by more than the allowance (2 at most) are out of reach without measuring.
    for (let letters = length - 2; letters <= length + 2; letters++) {
      for (const entry of this.nearByLength.get(letters) ?? []) {
        if (Math.abs(entry.letters - length) > entry.max || bitCount(entry.mask ^ mask) > 2 * entry.max) continue;
        const distance = osaDistance(entry.word, term, entry.max);
        // A word dropped by a rebuild (count 0) and now back may still be remembered.
        if (distance <= entry.max && !entry.within.some((t) => t.term === term)) entry.within.push({ term, distance });
      }
    }
  }

  private remember(entry: NearEntry): void {
    if (this.nearCache.size >= NEAR_CACHE_LIMIT) {
      const oldest = this.nearCache.values().next().value!;
      this.nearCache.delete(oldest.key);
      this.nearByLength.get(oldest.letters)!.delete(oldest);
    }
    this.nearCache.set(entry.key, entry);
    let sameLength = this.nearByLength.get(entry.letters);
    if (!sameLength) this.nearByLength.set(entry.letters, (sameLength = new Set()));
    sameLength.add(entry);
  }

  /** Merges the recent words into the sorted array and drops the words that left. */
  private rebuild(): void {
    const kept = (w: string) => {
      if (this.counts.get(w)) return true;
      this.counts.delete(w);
      return false;
    };
    const a = this.sorted.filter(kept);
    const b = this.recent.filter(kept).sort((x, y) => (x < y ? -1 : 1));
    const merged = new Array<string>(a.length + b.length);
    for (let i = 0, j = 0, k = 0; k < merged.length; k++) merged[k] = j >= b.length || (i < a.length && a[i] < b[j]) ? a[i++] : b[j++];
    this.sorted = merged;
    this.recent = [];
    this.left = 0;
  }

  /**
   * Indexed words that start with `prefix` (itself included), shortest first, then commonest, at
   * most `limit`: what a last word still being typed stands for. Bounded, so "ca" costs the
   * postings of a few words, not of every word that starts with it.
   */
  completions(prefix: string, limit = 30): { term: string; count: number }[] {
    const out: { term: string; count: number }[] = [];
    const take = (term: string) => {
      const count = this.counts.get(term)!;
      if (count > 0) out.push({ term, count });
    };
    for (let i = lowerBound(this.sorted, prefix); i < this.sorted.length && this.sorted[i].startsWith(prefix); i++) take(this.sorted[i]);
    for (const w of this.recent) if (w.startsWith(prefix)) take(w);
    out.sort((a, b) => a.term.length - b.term.length || b.count - a.count || (a.term < b.term ? -1 : 1));
    return out.slice(0, limit);
  }

  /**
   * Indexed words within `max` typos (OSA) of `word` (the word itself at distance 0 if indexed),
   * closest first, then commonest, at most `limit` of them. The sorted words are walked as a trie,
   * one row of the OSA distance per shared prefix, and a branch is left as soon as its row exceeds
   * `max` (no longer word under it can come back within reach); the recent words are measured one
   * by one. The walk counts UTF-16 units and every candidate is then measured in letters
   * (osaDistance), as before with the radix tree.
   */
  near(word: string, max: number, limit = 50): { term: string; distance: number; count: number }[] {
    if (max === 0) {
      const c = this.counts.get(word);
      return c ? [{ term: word, distance: 0, count: c }] : [];
    }
    const key = `${max}:${word}`;
    let entry = this.nearCache.get(key);
    if (!entry) {
      entry = { key, word, max, letters: [...word].length, mask: letterMask(word), within: this.withinReach(word, max) };
      this.remember(entry);
    }
    const out: { term: string; distance: number; count: number }[] = [];
    for (const { term, distance } of entry.within) {
      const count = this.counts.get(term);
      if (count) out.push({ term, distance, count });
    }
    out.sort((a, b) => a.distance - b.distance || b.count - a.count || (a.term < b.term ? -1 : 1));
    return out.slice(0, limit);
  }

  /** Every word of the vocabulary (counted or not) within `max` typos of `word`: the walk of `near`. */
  private withinReach(word: string, max: number): { term: string; distance: number }[] {
    const out: { term: string; distance: number }[] = [];
    const consider = (term: string) => {
      const distance = osaDistance(word, term, max);
      if (distance <= max) out.push({ term, distance });
    };
    const words = this.sorted;
    const m = word.length;
    // Every word in words[lo, hi) starts with the same `depth` units, whose distance row is `row`
    // (and the row before it `above`, for a swap of the last two).
    const walk = (lo: number, hi: number, depth: number, above: number[] | null, row: number[], last: number): void => {
      if (words[lo].length === depth) {
        if (row[m] <= max) consider(words[lo]);
        lo++;
      }
      while (lo < hi) {
        const c = words[lo].charCodeAt(depth);
        // The end of the branch of c: the words after it in the range have a greater unit there.
        let a = lo + 1;
        let b = hi;
        while (a < b) {
          const mid = (a + b) >>> 1;
          if (words[mid].charCodeAt(depth) === c) a = mid + 1;
          else b = mid;
        }
        const next = new Array<number>(m + 1);
        next[0] = depth + 1;
        let rowMin = next[0];
        for (let j = 1; j <= m; j++) {
          const cost = word.charCodeAt(j - 1) === c ? 0 : 1;
          let d = Math.min(row[j] + 1, next[j - 1] + 1, row[j - 1] + cost);
          if (above && j > 1 && word.charCodeAt(j - 2) === c && word.charCodeAt(j - 1) === last) d = Math.min(d, above[j - 2] + 1);
          next[j] = d;
          if (d < rowMin) rowMin = d;
        }
        if (rowMin <= max) walk(lo, a, depth + 1, row, next, c);
        lo = a;
      }
    };
    if (words.length > 0)
      walk(
        0,
        words.length,
        0,
        null,
        Array.from({ length: m + 1 }, (_, j) => j),
        -1,
      );
    for (const w of this.recent) consider(w);
    return out;
  }
}
