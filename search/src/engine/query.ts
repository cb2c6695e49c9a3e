import type { SearchSort } from '@jetmart/common/contracts';
import {
  CATEGORY_COUNT,
  categoryLineage,
  categorySlugAt,
  PRICE_BUCKETS,
  PRICE_BUCKETS_MINOR,
  RATING_FACET_MINIMUMS,
  type SearchIndex,
} from './search-index';
import { allowedTypos, tokenize } from './typo';

/** A place in a result order: the sort's two keys and the product id (the tie-break). */
export interface Position {
  k1: number;
  k2: number;
  id: string;
}

export interface SearchRequest {
  q: string;
  /** Category positions to keep (a parent's descendants included); undefined: any. */
  categories?: readonly number[];
  minPriceMinor?: number;
  maxPriceMinor?: number;
  minRating?: number;
  inStock?: boolean;
  sort: SearchSort;
  after?: Position;
  limit: number;
}

export interface RawFacets {
  category: { value: string; count: number }[];
  price: { min: number; max: number | null; count: number }[];
  rating: { min: number; count: number }[];
  inStock: { value: boolean; count: number }[];
}

export interface SearchOutcome {
  slots: number[];
  total: number;
  /** Where the next page starts (the last hit of this page), or null on the last page. */
  next: Position | null;
  facets: RawFacets;
  didYouMean: string | null;
}

/** Typo matches rank below exact ones of the same word: weight per distance. */
const TYPO_WEIGHT = [1, 0.5, 0.3];
/** At most this many indexed words stand for one query word (the closest, then the commonest). */
const MAX_EXPANSIONS = 30;
/** Words beyond this many are ignored (q is at most 200 characters anyway). */
const MAX_WORDS = 16;
/**
 * Postings scored per query word at most, over its typo matches and completions (the word as
 * typed always counts): a short prefix or a typo near common words would otherwise score tens
 * of thousands of postings. What is left out is the rarer-ranked tail (farther, longer words).
 */
const MAX_SCORED_POSTINGS = 5_000;
/** Frequent words a word being typed may complete to (each a bitset, cheap, but not free). */
const MAX_FREQUENT_COMPLETIONS = 4;

const FAIL_CATEGORY = 1;
const FAIL_PRICE = 2;
const FAIL_RATING = 4;
const FAIL_STOCK = 8;

interface WordPlan {
  word: string;
  /** Indexed words this query word matches by the typo rule (itself included when indexed). */
  terms: { term: string; distance: number; count: number }[];
  /** The last word (2+ letters): the indexed words it is the beginning of (bounded). */
  completions: { term: string; count: number }[];
  /** Whether the word is in the index as typed (or, for the last word, as a prefix). */
  matchesAsTyped: boolean;
}

/** Words a prefix stands for, at most (the shortest, then the commonest). */
const MAX_COMPLETIONS = 30;
/** A completion of the last word ranks below the word as typed. */
const COMPLETION_WEIGHT = 0.7;

/** Per query word: which indexed words it matches (the typo rule of docs/SPEC.md). */
export function planWords(index: SearchIndex, q: string): WordPlan[] {
  const words = tokenize(q).slice(0, MAX_WORDS);
  return words.map((word, i) => {
    const prefix = i === words.length - 1 && [...word].length >= 2;
    const terms = index.vocabulary.near(word, allowedTypos(word), MAX_EXPANSIONS);
    const completions = prefix ? index.vocabulary.completions(word, MAX_COMPLETIONS) : [];
    const matchesAsTyped = index.vocabulary.count(word) > 0 || completions.length > 0;
    return { word, terms, completions, matchesAsTyped };
  });
}

/** The query with each word that matched only through typos replaced by its best match; null when nothing changed. */
export function didYouMean(plans: WordPlan[]): string | null {
  let changed = false;
  const words = plans.map((p) => {
    if (p.matchesAsTyped) return p.word;
    const best = p.terms.find((t) => t.distance > 0);
    if (!best) return p.word;
    changed = true;
    return best.term;
  });
  return changed ? words.join(' ') : null;
}

/** How one query word is matched: rare words scored (BM25), frequent ones by their bitsets (unscored). */
interface WordMatch {
  /** Scored term → its weight (typo or completion). */
  scored: Map<string, number>;
  frequent: Uint32Array[];
  /** Documents it may match at most (the sum of its words' counts): the smallest drives the intersection. */
  estimate: number;
}

function matchOf(index: SearchIndex, plan: WordPlan): WordMatch {
  const scored = new Map<string, number>();
  const frequent: Uint32Array[] = [];
  const frequentTerms = new Set<string>();
  let postings = 0;
  let estimate = 0;
  const take = (term: string, count: number, weight: number, always: boolean): void => {
    const bits = index.frequentSlots(term);
    if (bits) {
      if (frequentTerms.has(term) || (!always && frequentTerms.size >= MAX_FREQUENT_COMPLETIONS)) return;
      frequentTerms.add(term);
      frequent.push(bits);
      estimate += count;
      return;
    }
    const had = scored.get(term);
    if (had !== undefined) {
      if (weight > had) scored.set(term, weight);
      return;
    }
    if (!always && postings + count > MAX_SCORED_POSTINGS) return;
    postings += count;
    estimate += count;
    scored.set(term, weight);
  };
  // The word as typed first (never left out), then its typo matches, closest first, then completions.
  for (const t of plan.terms) take(t.term, t.count, TYPO_WEIGHT[t.distance], t.distance === 0);
  for (const c of plan.completions) take(c.term, c.count, c.term === plan.word ? 1 : COMPLETION_WEIGHT, c.term === plan.word);
  return { scored, frequent, estimate };
}

const hasBit = (bits: Uint32Array, slot: number): boolean => (bits[slot >>> 5] & (1 << (slot & 31))) !== 0;

/**
 * Relevance scores per slot of the products matching every word (AND of each word's ORed
 * matches). Each word's rare matches are scored by MiniSearch on their own (OR, bounded
 * postings); the word with the fewest candidates drives, and every other word is a membership
 * test (its scores or its frequent words' bitsets). A product matched by a word only through a
 * frequent word gets no score from it.
 */
function textMatches(index: SearchIndex, plans: WordPlan[]): Map<number, number> {
  const scores = new Map<number, number>();
  const matches = plans.map((p) => matchOf(index, p));
  if (matches.some((m) => m.scored.size === 0 && m.frequent.length === 0)) return scores;
  matches.sort((a, b) => a.estimate - b.estimate);
  const perWord = matches.map((m) => {
    const found = new Map<number, number>();
    if (m.scored.size === 0) return found;
    const weights = m.scored;
    const results = index.text.search(
      { combineWith: 'OR', queries: [...weights.keys()] },
      { boostTerm: (term: string) => weights.get(term) ?? TYPO_WEIGHT[2], fuzzy: false, prefix: false },
    );
    for (const r of results) found.set(r.id as number, r.score);
    return found;
  });
  const consider = (slot: number, driverScore: number): void => {
    let score = driverScore;
    for (let w = 1; w < matches.length; w++) {
      const s = perWord[w].get(slot);
      if (s !== undefined) score += s;
      else if (!matches[w].frequent.some((bits) => hasBit(bits, slot))) return;
    }
    scores.set(slot, score);
  };
  for (const [slot, score] of perWord[0]) consider(slot, score);
  const driverBits = matches[0].frequent;
  if (driverBits.length > 0) {
    for (let i = 0; i < driverBits[0].length; i++) {
      let word = 0;
      for (const bits of driverBits) word |= bits[i] ?? 0;
      while (word !== 0) {
        const bit = 31 - Math.clz32(word);
        word &= ~(1 << bit);
        const slot = (i << 5) | bit;
        if (!perWord[0].has(slot)) consider(slot, 0);
      }
    }
  }
  return scores;
}

/** A min-heap bounded to `size` of the smallest items by `less` (the best `size` hits, any order). */
class BoundedHeap {
  readonly items: number[] = [];
  constructor(
    private readonly size: number,
    /** a before b in the result order */
    private readonly before: (a: number, b: number) => boolean,
  ) {}

  /** Keeps the item if it is among the best `size` so far (a max-heap on the order: the root is the worst kept). */
  push(x: number): void {
    const h = this.items;
    if (h.length < this.size) {
      h.push(x);
      let i = h.length - 1;
      while (i > 0) {
        const p = (i - 1) >> 1;
        if (!this.before(h[p], h[i])) break;
        [h[p], h[i]] = [h[i], h[p]];
        i = p;
      }
      return;
    }
    if (!this.before(x, h[0])) return;
    h[0] = x;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let worst = i;
      if (l < h.length && this.before(h[worst], h[l])) worst = l;
      if (r < h.length && this.before(h[worst], h[r])) worst = r;
      if (worst === i) break;
      [h[worst], h[i]] = [h[i], h[worst]];
      i = worst;
    }
  }
}

/**
 * Runs a search over the index: text match (if any words), filters, filter-adjusted facets (each
 * facet applies every filter but its own), and one page in the sort's total order (keys, then id)
 * starting after `after`.
 */
export function runSearch(index: SearchIndex, req: SearchRequest): SearchOutcome {
  const plans = planWords(index, req.q);
  const hasText = plans.length > 0;
  const scores = hasText ? textMatches(index, plans) : undefined;

  const { priceMinor, priceBucket, rating, ratingCount, inStock, category, createdAt, ids } = index;
  // Module constants read once per query: imported through re-exports, each read in the loop
  // below is a getter call per visited product (compiled CommonJS).
  const ratingMinimums = RATING_FACET_MINIMUMS;
  const ratingFacets = ratingMinimums.length;
  const sort = req.sort === 'relevance' && !hasText ? 'newest' : req.sort;
  // The sort's two keys (ascending), chosen once per query rather than per comparison.
  const k1: (s: number) => number =
    sort === 'relevance'
      ? (s) => -(scores!.get(s) ?? 0)
      : sort === 'price_asc'
        ? (s) => priceMinor[s]
        : sort === 'price_desc'
          ? (s) => -priceMinor[s]
          : sort === 'rating'
            ? (s) => (Number.isNaN(rating[s]) ? 0 : -rating[s])
            : (s) => -createdAt[s];
  const k2: (s: number) => number = sort === 'rating' ? (s) => -ratingCount[s] : sort === 'newest' ? () => 0 : (s) => -createdAt[s];
  const before = (a: number, b: number): boolean => {
    const a1 = k1(a);
    const b1 = k1(b);
    if (a1 !== b1) return a1 < b1;
    const a2 = k2(a);
    const b2 = k2(b);
    if (a2 !== b2) return a2 < b2;
    return ids[a]! < ids[b]!;
  };
  const after = req.after;
  const isAfter = (s: number): boolean => {
    if (!after) return true;
    const a1 = k1(s);
    if (a1 !== after.k1) return a1 > after.k1;
    const a2 = k2(s);
    if (a2 !== after.k2) return a2 > after.k2;
    return ids[s]! > after.id;
  };

  const categoryOk = new Uint8Array(CATEGORY_COUNT).fill(req.categories ? 0 : 1);
  for (const c of req.categories ?? []) categoryOk[c] = 1;
  const minP = req.minPriceMinor ?? -Infinity;
  const maxP = req.maxPriceMinor ?? Infinity;
  const minR = req.minRating;
  const stock = req.inStock === undefined ? -1 : req.inStock ? 1 : 0;

  // Counted per category, then added up its lineage once at the end (not per product).
  const leafCounts = new Uint32Array(CATEGORY_COUNT);
  const categoryCounts = new Uint32Array(CATEGORY_COUNT);
  const priceCounts = new Uint32Array(PRICE_BUCKETS_MINOR.length);
  const ratingCounts = new Uint32Array(RATING_FACET_MINIMUMS.length);
  const stockCounts = [0, 0];
  const heap = new BoundedHeap(req.limit + 1, before);
  let total = 0;

  const visit = (s: number) => {
    const price = priceMinor[s];
    const r = rating[s];
    const fail =
      (categoryOk[category[s]] ? 0 : FAIL_CATEGORY) |
      (price >= minP && price <= maxP ? 0 : FAIL_PRICE) |
      (minR === undefined || r >= minR ? 0 : FAIL_RATING) |
      (stock === -1 || inStock[s] === stock ? 0 : FAIL_STOCK);
    if ((fail & ~FAIL_CATEGORY) === 0) leafCounts[category[s]]++;
    if ((fail & ~FAIL_PRICE) === 0) priceCounts[priceBucket[s]]++;
    if ((fail & ~FAIL_RATING) === 0 && !Number.isNaN(r)) {
      for (let i = 0; i < ratingFacets; i++) if (r >= ratingMinimums[i]) ratingCounts[i]++;
    }
    if ((fail & ~FAIL_STOCK) === 0) stockCounts[inStock[s]]++;
    if (fail === 0) {
      total++;
      if (isAfter(s)) heap.push(s);
    }
  };

  if (scores) for (const s of scores.keys()) visit(s);
  else for (let s = 0; s < index.size; s++) if (index.alive[s]) visit(s);

  for (let c = 0; c < CATEGORY_COUNT; c++) if (leafCounts[c]) for (const a of categoryLineage(c)) categoryCounts[a] += leafCounts[c];

  const page = heap.items.sort((a, b) => (before(a, b) ? -1 : 1));
  const more = page.length > req.limit;
  const slots = more ? page.slice(0, req.limit) : page;
  const last = slots[slots.length - 1];
  return {
    slots,
    total,
    next: more && last !== undefined ? { k1: k1(last), k2: k2(last), id: ids[last]! } : null,
    facets: {
      category: [...categoryCounts]
        .map((count, i) => ({ value: categorySlugAt(i), count }))
        .filter((c) => c.count > 0)
        .sort((a, b) => b.count - a.count || (a.value < b.value ? -1 : 1)),
      price: PRICE_BUCKETS.map((b, i) => ({ min: b.min, max: b.max, count: priceCounts[i] })),
      rating: RATING_FACET_MINIMUMS.map((min, i) => ({ min, count: ratingCounts[i] })),
      inStock: [
        { value: true, count: stockCounts[1] },
        { value: false, count: stockCounts[0] },
      ],
    },
    didYouMean: hasText ? didYouMean(plans) : null,
  };
}
