import { tokenize } from './typo';

/**
 * The searchable text of one product, field by field: title, description, category names (their
 * order is the order of the boosts and of a posting's term frequencies).
 */
export type TextFields = readonly [title: string, description: string, categories: string];

const FIELD_COUNT = 3;
/** Relevance boost per field: a word in the title counts 3 times, in the category names twice. */
const FIELD_BOOST = [3, 1, 2];
/** BM25+ parameters (MiniSearch's defaults, which ranked the results before this index). */
const K = 1.2;
const B = 0.7;
const D = 0.5;
/** A posting keeps the word's frequency in each field in 4 bits (capped at 15: BM25 saturates long before). */
const TF_BITS = 4;
const TF_CAP = (1 << TF_BITS) - 1;
/** A posting is one number: slot × SLOT_SCALE + the three fields' frequencies. */
const SLOT_SCALE = 1 << (TF_BITS * FIELD_COUNT);

/**
 * The inverted index of the product text, scored with BM25+ exactly as MiniSearch 7 scored it
 * (same formula, parameters, boosts and the "matched query terms" multiplier; the text test checks
 * scores against MiniSearch). Why not MiniSearch itself: it kept a radix tree of every word with two
 * nested Maps per word (field → document → frequency), a Map of per-document field lengths and two
 * id Maps: 154 MB of the 296 MB the index took at 100,000 products (docs/BENCHMARKS.md), and a
 * major GC pause grows with that many objects. Here a word's postings are one array of numbers
 * (slot and frequencies packed; 8 bytes each), field lengths are typed arrays by slot, and words
 * are found by the Vocabulary's own radix tree: the word list is kept once, not twice.
 *
 * Postings are unordered: removing a product finds its posting in each of its words' arrays and
 * moves the last one into its place (a word in a quarter of 100,000 products costs 25,000
 * comparisons per change, far under a millisecond).
 */
export class TextIndex {
  private readonly postings = new Map<string, number[]>();
  /** Per field: distinct words in that field of each slot's text (BM25's field length). */
  private fieldLength: Uint16Array[];
  private readonly totalFieldLength = new Float64Array(FIELD_COUNT);
  /** Slots with text indexed. */
  private documents = 0;
  /** Scratch for `score`, one entry per slot, reused by every query (searches run one at a time). */
  private scratchScore: Float64Array;
  private scratchTerms: Uint16Array;

  constructor(capacity: number) {
    this.fieldLength = Array.from({ length: FIELD_COUNT }, () => new Uint16Array(capacity));
    this.scratchScore = new Float64Array(capacity);
    this.scratchTerms = new Uint16Array(capacity);
  }

  /** Room for slots below `capacity`. */
  growTo(capacity: number): void {
    this.fieldLength = this.fieldLength.map((a) => {
      const next = new Uint16Array(capacity);
      next.set(a);
      return next;
    });
    this.scratchScore = new Float64Array(capacity);
    this.scratchTerms = new Uint16Array(capacity);
  }

  /** Words of the index (a word leaves once no slot has it). */
  get words(): number {
    return this.postings.size;
  }

  /** Slots whose text contains `word`. */
  postingCount(word: string): number {
    return this.postings.get(word)?.length ?? 0;
  }

  /** The slots whose text contains `word` (any order). */
  *slotsWith(word: string): IterableIterator<number> {
    for (const p of this.postings.get(word) ?? []) yield Math.floor(p / SLOT_SCALE);
  }

  /** Per distinct word of the text: its frequency in each field, packed as in a posting; and each field's length. */
  private analyse(fields: TextFields): { frequencies: Map<string, number>; lengths: number[] } {
    const frequencies = new Map<string, number>();
    const lengths = [0, 0, 0];
    for (let f = 0; f < FIELD_COUNT; f++) {
      const shift = TF_BITS * f;
      for (const word of tokenize(fields[f])) {
        const packed = frequencies.get(word) ?? 0;
        const tf = (packed >>> shift) & TF_CAP;
        if (tf === 0) lengths[f]++;
        if (tf < TF_CAP) frequencies.set(word, packed + (1 << shift));
      }
    }
    return { frequencies, lengths };
  }

  /** Indexes the text of a slot that has none indexed; returns its distinct words. */
  add(slot: number, fields: TextFields): string[] {
    const { frequencies, lengths } = this.analyse(fields);
    for (let f = 0; f < FIELD_COUNT; f++) {
      this.fieldLength[f][slot] = lengths[f];
      this.totalFieldLength[f] += lengths[f];
    }
    this.documents++;
    for (const [word, packed] of frequencies) {
      const list = this.postings.get(word);
      if (list) list.push(slot * SLOT_SCALE + packed);
      else this.postings.set(word, [slot * SLOT_SCALE + packed]);
    }
    return [...frequencies.keys()];
  }

  /** Takes out the text of a slot (exactly the fields it was added with); returns its distinct words. */
  remove(slot: number, fields: TextFields): string[] {
    const { frequencies } = this.analyse(fields);
    for (let f = 0; f < FIELD_COUNT; f++) {
      this.totalFieldLength[f] -= this.fieldLength[f][slot];
      this.fieldLength[f][slot] = 0;
    }
    this.documents--;
    for (const word of frequencies.keys()) {
      const list = this.postings.get(word);
      if (!list) continue;
      const at = list.findIndex((p) => Math.floor(p / SLOT_SCALE) === slot);
      if (at < 0) continue;
      const last = list.pop()!;
      if (at < list.length) list[at] = last;
      if (list.length === 0) this.postings.delete(word);
    }
    return [...frequencies.keys()];
  }

  /**
   * BM25+ relevance per slot of the slots that contain any of `weights`' words (OR), each word's
   * score times its weight, the sum times the number of those words the slot contains (as
   * MiniSearch ranks a document that matches more of the query's terms higher).
   */
  score(weights: ReadonlyMap<string, number>): Map<number, number> {
    const acc = this.scratchScore;
    const matched = this.scratchTerms;
    const touched: number[] = [];
    const n = this.documents;
    const avg = [0, 1, 2].map((f) => this.totalFieldLength[f] / Math.max(1, n));
    const idf = [0, 0, 0];
    const documentFrequency = [0, 0, 0];
    for (const [word, weight] of weights) {
      const list = this.postings.get(word);
      if (!list) continue;
      documentFrequency.fill(0);
      for (const p of list) {
        const packed = p % SLOT_SCALE;
        for (let f = 0; f < FIELD_COUNT; f++) if ((packed >>> (TF_BITS * f)) & TF_CAP) documentFrequency[f]++;
      }
      for (let f = 0; f < FIELD_COUNT; f++) idf[f] = Math.log(1 + (n - documentFrequency[f] + 0.5) / (documentFrequency[f] + 0.5));
      for (const p of list) {
        const slot = Math.floor(p / SLOT_SCALE);
        const packed = p - slot * SLOT_SCALE;
        let s = 0;
        for (let f = 0; f < FIELD_COUNT; f++) {
          const tf = (packed >>> (TF_BITS * f)) & TF_CAP;
          if (tf === 0) continue;
          const norm = 1 - B + (B * this.fieldLength[f][slot]) / avg[f];
          s += FIELD_BOOST[f] * idf[f] * (D + (tf * (K + 1)) / (tf + K * norm));
        }
        if (matched[slot] === 0) touched.push(slot);
        matched[slot]++;
        acc[slot] += weight * s;
      }
    }
    const out = new Map<number, number>();
    for (const slot of touched) {
      out.set(slot, acc[slot] * matched[slot]);
      acc[slot] = 0;
      matched[slot] = 0;
    }
    return out;
  }
}
