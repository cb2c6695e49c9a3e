import MiniSearch from 'minisearch';
import { toMinor } from '@jetmart/common';
import {
  CATEGORIES,
  categoryPath,
  findCategory,
  PRICE_BUCKETS,
  RATING_FACET_MINIMUMS,
  ratingSummary,
  type CategoryNode,
} from '@jetmart/common/contracts';
import { tokenize, Vocabulary } from './typo';

/** The product's own fields (from product.created/updated). */
export interface ProductFacts {
  title: string;
  description: string;
  priceMinor: number;
  quantity: number;
  sellerId: string;
  listed: boolean;
  category: string;
  images: string[];
}

/**
 * What the index knows of one product, per source with its version (-1/0: nothing yet). Every
 * event carries its source's whole state, so the newest version of each source wins whatever the
 * order of arrival; the read model applies the same events strictly N onto N−1 and ends in the
 * same state.
 */
export interface ProductState {
  id: string;
  product: ProductFacts | null;
  version: number;
  createdAt: Date | null;
  stockVersion: number;
  stockInStock: boolean | null;
  ratingVersion: number;
  ratingCount: number;
  ratingSum: number;
}

/** In stock: the latest stock event's state if there was one, else whether the product lists any units. */
export function stateInStock(s: Pick<ProductState, 'stockVersion' | 'stockInStock'>, quantity: number): boolean {
  return s.stockVersion > 0 && s.stockInStock !== null ? s.stockInStock : quantity > 0;
}

/** Every category slug in tree order; a document's category is stored as its position here. */
const CATEGORY_SLUGS: string[] = [];
(function walk(nodes: CategoryNode[]) {
  for (const n of nodes) {
    CATEGORY_SLUGS.push(n.slug);
    if (n.children) walk(n.children);
  }
})(CATEGORIES);
const CATEGORY_INDEX = new Map(CATEGORY_SLUGS.map((s, i) => [s, i]));
/** Per category position: itself and its ancestors (a product counts in its parents' facets too). */
const CATEGORY_LINEAGE: number[][] = CATEGORY_SLUGS.map((s) => categoryPath(s).map((n) => CATEGORY_INDEX.get(n.slug)!));
/** The searchable names of a category: its own and its ancestors' ("lamp" in Lighting under Home & Living). */
const CATEGORY_NAMES: string[] = CATEGORY_SLUGS.map((s) =>
  categoryPath(s)
    .map((n) => n.name)
    .join(' '),
);
const OTHER = CATEGORY_INDEX.get('other') ?? 0;

export const categoryPosition = (slug: string): number => CATEGORY_INDEX.get(slug) ?? OTHER;
export const categorySlugAt = (position: number): string => CATEGORY_SLUGS[position];
export const categoryLineage = (position: number): number[] => CATEGORY_LINEAGE[position];
export const CATEGORY_COUNT = CATEGORY_SLUGS.length;
export { findCategory };

/** Price bucket boundaries in minor units. */
export const PRICE_BUCKETS_MINOR = PRICE_BUCKETS.map((b) => ({ min: toMinor(b.min), max: b.max === null ? Infinity : toMinor(b.max) }));
export { PRICE_BUCKETS, RATING_FACET_MINIMUMS };

interface TextDoc {
  /**
   * The product's slot, not its id: a hit's slot is then read off the result instead of looked up
   * in a Map per hit (a tenth of a query's CPU). A freed slot is discarded before it is reused.
   */
  id: number;
  title: string;
  description: string;
  categories: string;
}

const grow = <A extends Float64Array | Uint8Array | Uint16Array | Uint32Array>(a: A, size: number): A => {
  const next = new (a.constructor as new (n: number) => A)(size);
  next.set(a);
  return next;
};

/** When a word is frequent (see SearchIndex): in more than this share of the listed products... */
export const FREQUENT_SHARE = 0.02;
/** ...and in more than this many (a small catalog has no frequent words: every word is scored). */
export const FREQUENT_MINIMUM = 2_000;

export interface SearchIndexOptions {
  frequentShare?: number;
  frequentMinimum?: number;
}

/** The words of a product's searchable text (title, description, category names), each once. */
function wordsOf(p: ProductFacts): Set<string> {
  return new Set([...tokenize(p.title), ...tokenize(p.description), ...tokenize(CATEGORY_NAMES[categoryPosition(p.category)])]);
}

/**
 * The in-memory index of one process: MiniSearch (BM25 over title, description and category
 * names) for relevance, our own vocabulary for the typo rule, and columns (one typed array per
 * field, one slot per listed product) for filters, facets and sorts. Only listed products are
 * searchable; every product's state is kept (with its three versions) so an older event or read
 * never undoes a newer one, whatever order they arrive in.
 *
 * Frequent words (in more than FREQUENT_SHARE of the products: "made", "model", "home", a common
 * material) also get a bitset of the slots that contain them: a query matches them through the
 * bitset, without scoring their postings (BM25 gives such a word little weight anyway, and
 * MiniSearch scoring 25,000 postings cost 0.3–0.7 s of CPU per query at 100,000 products; at 2%
 * the p99 CPU per query fell from 74 to 22 ms, docs/BENCHMARKS.md). A bitset is one bit per
 * slot: 12.5 kB at 100,000 products.
 */
export class SearchIndex {
  readonly text = new MiniSearch<TextDoc>({
    fields: ['title', 'description', 'categories'],
    storeFields: [],
    tokenize,
    processTerm: (t) => t,
    searchOptions: { tokenize, processTerm: (t) => t, boost: { title: 3, categories: 2 } },
  });
  readonly vocabulary = new Vocabulary();
  private readonly frequentShare: number;
  private readonly frequentMinimum: number;
  /** Per frequent word: one bit per slot, set while the slot's product contains the word. */
  private readonly frequent = new Map<string, Uint32Array>();

  /** Every product seen (listed or not, or known only by its stock or rating so far). */
  private readonly states = new Map<string, ProductState>();
  private readonly slotOf = new Map<string, number>();
  private readonly freeSlots: number[] = [];
  private capacity = 1024;
  /** Slots in use so far (some may be free: see `alive`). */
  size = 0;
  ids: (string | undefined)[] = [];
  docs: (ProductState | undefined)[] = [];
  alive = new Uint8Array(this.capacity);
  priceMinor = new Float64Array(this.capacity);
  /** Position in PRICE_BUCKETS (the price facet), computed once per change rather than per query. */
  priceBucket = new Uint8Array(this.capacity);
  /** Average rating as shown (2 decimals); NaN without reviews. */
  rating = new Float64Array(this.capacity);
  ratingCount = new Uint32Array(this.capacity);
  inStock = new Uint8Array(this.capacity);
  category = new Uint16Array(this.capacity);
  createdAt = new Float64Array(this.capacity);
  /**
   * The facts whose text is in MiniSearch and the vocabulary for each slot (a reference to the
   * state's facts, not a copy): their words are taken out again when the text changes, tokenized
   * anew rather than kept per product (they were a third of the memory at 100,000 products).
   */
  private readonly indexedFacts: (ProductFacts | undefined)[] = [];

  constructor(options: SearchIndexOptions = {}) {
    this.frequentShare = options.frequentShare ?? FREQUENT_SHARE;
    this.frequentMinimum = options.frequentMinimum ?? FREQUENT_MINIMUM;
  }

  /** Listed products in the index. */
  get count(): number {
    return this.slotOf.size;
  }

  state(id: string): ProductState | undefined {
    return this.states.get(id);
  }

  /** Every product's state (the rebuild compares them with the read model). */
  allStates(): IterableIterator<ProductState> {
    return this.states.values();
  }

  private stateOf(id: string): ProductState {
    let s = this.states.get(id);
    if (!s) {
      s = {
        id,
        product: null,
        version: -1,
        createdAt: null,
        stockVersion: 0,
        stockInStock: null,
        ratingVersion: 0,
        ratingCount: 0,
        ratingSum: 0,
      };
      this.states.set(id, s);
    }
    return s;
  }

  /**
   * The product's facts at `version`, if newer than what the index has. `createdAt` is the
   * product's creation time: product.created always sets it (it never changes), an update only
   * when nothing set it yet. True when the index changed.
   */
  applyProduct(id: string, version: number, facts: ProductFacts, createdAt: Date, isCreation: boolean): boolean {
    const s = this.stateOf(id);
    let changed = false;
    if (isCreation || !s.createdAt) {
      changed = s.createdAt?.getTime() !== createdAt.getTime();
      s.createdAt = createdAt;
    }
    if (version > s.version) {
      s.version = version;
      s.product = facts;
      changed = true;
    }
    if (changed) this.refresh(s);
    return changed;
  }

  applyStock(id: string, version: number, inStock: boolean): boolean {
    const s = this.stateOf(id);
    if (version <= s.stockVersion) return false;
    s.stockVersion = version;
    s.stockInStock = inStock;
    this.refresh(s);
    return true;
  }

  applyRating(id: string, version: number, count: number, sum: number): boolean {
    const s = this.stateOf(id);
    if (version <= s.ratingVersion) return false;
    s.ratingVersion = version;
    s.ratingCount = count;
    s.ratingSum = sum;
    this.refresh(s);
    return true;
  }

  /** Brings a product's slot in line with its state: indexed while its facts are known and it is listed. */
  private refresh(s: ProductState): void {
    const existing = this.slotOf.get(s.id);
    const p = s.product;
    if (!p || !p.listed || !s.createdAt) {
      if (existing !== undefined) this.removeSlot(s.id, existing);
      return;
    }
    let slot = existing;
    if (slot === undefined) {
      slot = this.freeSlots.pop() ?? this.size++;
      if (slot >= this.capacity) this.growTo(this.capacity * 2);
      this.slotOf.set(s.id, slot);
      this.ids[slot] = s.id;
      this.alive[slot] = 1;
    }
    const indexed = this.indexedFacts[slot];
    if (!indexed || indexed.title !== p.title || indexed.description !== p.description || indexed.category !== p.category) {
      if (indexed) this.unindexText(slot, indexed);
      this.text.add({ id: slot, title: p.title, description: p.description, categories: CATEGORY_NAMES[categoryPosition(p.category)] });
      const words = wordsOf(p);
      this.vocabulary.add(words);
      this.indexedFacts[slot] = p;
      for (const w of words) this.markFrequent(w, slot);
    } else this.indexedFacts[slot] = p;
    this.docs[slot] = s;
    this.priceMinor[slot] = p.priceMinor;
    this.priceBucket[slot] = Math.max(
      0,
      PRICE_BUCKETS_MINOR.findIndex((b) => p.priceMinor >= b.min && p.priceMinor < b.max),
    );
    this.rating[slot] = ratingSummary(s.ratingCount, s.ratingSum).average ?? NaN;
    this.ratingCount[slot] = s.ratingCount;
    this.inStock[slot] = stateInStock(s, p.quantity) ? 1 : 0;
    this.category[slot] = categoryPosition(p.category);
    this.createdAt[slot] = s.createdAt.getTime();
  }

  private unindexText(slot: number, facts: ProductFacts): void {
    this.text.discard(slot);
    const words = wordsOf(facts);
    this.vocabulary.remove(words);
    for (const w of words) this.unmarkFrequent(w, slot);
    this.indexedFacts[slot] = undefined;
  }

  private removeSlot(id: string, slot: number): void {
    const indexed = this.indexedFacts[slot];
    if (indexed) this.unindexText(slot, indexed);
    this.docs[slot] = undefined;
    this.ids[slot] = undefined;
    this.alive[slot] = 0;
    this.slotOf.delete(id);
    this.freeSlots.push(slot);
  }

  /** Documents a word must be in to be frequent now. */
  private frequentThreshold(): number {
    return Math.max(this.frequentMinimum, this.frequentShare * this.slotOf.size);
  }

  /** The slot's product contains `word` (already in the vocabulary): its bit, or the word's bitset once it became frequent. */
  private markFrequent(word: string, slot: number): void {
    let bits = this.frequent.get(word);
    if (bits) {
      bits[slot >>> 5] |= 1 << (slot & 31);
      return;
    }
    if (this.vocabulary.count(word) <= this.frequentThreshold()) return;
    // Became frequent: its products, once, from its postings (this one included: it is in MiniSearch already).
    bits = new Uint32Array(this.capacity >>> 5);
    for (const r of this.text.search({ queries: [word] }, { fuzzy: false, prefix: false })) {
      const s = r.id as number;
      bits[s >>> 5] |= 1 << (s & 31);
    }
    this.frequent.set(word, bits);
  }

  /** The slot's product no longer contains `word`; a word that fell well under the threshold is scored again. */
  private unmarkFrequent(word: string, slot: number): void {
    const bits = this.frequent.get(word);
    if (!bits) return;
    bits[slot >>> 5] &= ~(1 << (slot & 31));
    // Half the threshold: a word on the edge does not flip back and forth with every change.
    if (this.vocabulary.count(word) < this.frequentThreshold() / 2) this.frequent.delete(word);
  }

  /** The bitset of a frequent word (undefined: not frequent, match it by its postings). Read only. */
  frequentSlots(word: string): Uint32Array | undefined {
    return this.frequent.get(word);
  }

  private growTo(capacity: number): void {
    this.alive = grow(this.alive, capacity);
    this.priceMinor = grow(this.priceMinor, capacity);
    this.priceBucket = grow(this.priceBucket, capacity);
    this.rating = grow(this.rating, capacity);
    this.ratingCount = grow(this.ratingCount, capacity);
    this.inStock = grow(this.inStock, capacity);
    this.category = grow(this.category, capacity);
    this.createdAt = grow(this.createdAt, capacity);
    for (const [word, bits] of this.frequent) this.frequent.set(word, grow(bits, capacity >>> 5));
    this.capacity = capacity;
  }
}
