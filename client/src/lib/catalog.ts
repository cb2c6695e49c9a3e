import {
  CATEGORIES,
  categoryPath,
  findCategory,
  isCategory,
  PRICE_BUCKETS,
  REVIEW_LIMITS,
  SEARCH_LIMITS,
  SEARCH_SORTS,
  type CategoryNode,
  type SearchFacets,
  type SearchSort,
} from '@jetmart/common/contracts';
import { formatMoney } from './money';

/**
 * The catalog page's state lives in its URL (so it works without JavaScript, can be shared and
 * goes back and forth with the browser): `/?q=&category=&minPrice=&maxPrice=&minRating=&inStock=&sort=&cursor=`,
 * the same names as GET /api/search. This module reads that URL, turns it into the API's query,
 * and builds the sidebar's links, each of which changes one thing and starts again at page one.
 */

export interface CatalogState {
  q: string;
  category?: string;
  minPrice?: number;
  maxPrice?: number;
  minRating?: number;
  inStock?: boolean;
  sort?: SearchSort;
  cursor?: string;
}

type RawParams = Record<string, string | string[] | undefined>;

const first = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);

/** A price as the URL carries it ("25", "25.5"): a number ≥ 0 with at most 2 decimals, else undefined. */
function price(text: string | undefined): number | undefined {
  if (text === undefined || !/^\d{1,9}(\.\d{1,2})?$/.test(text.trim())) return undefined;
  return Number(text.trim());
}

/**
 * What the page URL asks for, with anything the API would refuse left out (an unknown category,
 * a price that is not a number, a sort that does not exist): a hand-edited or old link still shows
 * a catalog instead of an error.
 */
export function parseCatalogParams(params: RawParams): CatalogState {
  const state: CatalogState = { q: (first(params.q) ?? '').trim().slice(0, SEARCH_LIMITS.maxQuery) };
  const category = first(params.category);
  if (isCategory(category)) state.category = category;
  const minPrice = price(first(params.minPrice));
  const maxPrice = price(first(params.maxPrice));
  if (minPrice !== undefined && minPrice > 0) state.minPrice = minPrice;
  if (maxPrice !== undefined && (minPrice === undefined || maxPrice >= minPrice)) state.maxPrice = maxPrice;
  const minRating = Number(first(params.minRating));
  if (Number.isInteger(minRating) && minRating >= REVIEW_LIMITS.minRating && minRating <= REVIEW_LIMITS.maxRating)
    state.minRating = minRating;
  if (first(params.inStock) === 'true') state.inStock = true;
  const sort = first(params.sort);
  if ((SEARCH_SORTS as readonly string[]).includes(sort ?? '')) state.sort = sort as SearchSort;
  const cursor = first(params.cursor);
  if (cursor) state.cursor = cursor;
  return state;
}

/** The state as query parameters, in a stable order (the page's links and the API call share it). */
function toParams(state: CatalogState): URLSearchParams {
  const p = new URLSearchParams();
  if (state.q) p.set('q', state.q);
  if (state.category) p.set('category', state.category);
  if (state.minPrice !== undefined) p.set('minPrice', String(state.minPrice));
  if (state.maxPrice !== undefined) p.set('maxPrice', String(state.maxPrice));
  if (state.minRating !== undefined) p.set('minRating', String(state.minRating));
  if (state.inStock) p.set('inStock', 'true');
  if (state.sort) p.set('sort', state.sort);
  if (state.cursor) p.set('cursor', state.cursor);
  return p;
}

/** The order results come in: the one asked for, else best match for a search and newest first for browsing. */
export function effectiveSort(state: CatalogState): SearchSort {
  return state.sort ?? (state.q ? 'relevance' : 'newest');
}

/** The GET /api/search path for this state (the sort always explicit, so the select shows what the list does). */
export function searchPath(state: CatalogState, limit: number): string {
  const p = toParams(state);
  p.set('sort', effectiveSort(state));
  p.set('limit', String(limit));
  return `/api/search?${p}`;
}

/**
 * The catalog's URL with `changes` applied. Any change but a cursor starts again at the first
 * page (a cursor belongs to the result list it came from).
 */
export function catalogHref(state: CatalogState, changes: Partial<CatalogState> = {}): string {
  const next: CatalogState = { ...state, cursor: undefined, ...changes };
  const p = toParams(next);
  return p.size ? `/?${p}` : '/';
}

/** The filters in force (not q, sort or the cursor): hidden fields of the search and sort forms keep them. */
export function filterFields(state: CatalogState, omit: (keyof CatalogState)[] = []): [string, string][] {
  const p = toParams({ ...state, cursor: undefined });
  return [...p.entries()].filter(([k]) => !omit.includes(k as keyof CatalogState));
}

export function hasFilters(state: CatalogState): boolean {
  return (
    state.category !== undefined || state.minPrice !== undefined || state.maxPrice !== undefined || !!state.minRating || !!state.inStock
  );
}

export const SORT_LABELS: Record<SearchSort, string> = {
  relevance: 'Best match',
  price_asc: 'Price: low to high',
  price_desc: 'Price: high to low',
  newest: 'Newest first',
  rating: 'Best rated',
};

/** "Under $10", "$10 – $25", "$250 and above" (buckets are [min, max)). */
export function priceLabel(bucket: { min: number; max: number | null }): string {
  const whole = (n: number) => formatMoney(n).replace(/\.00$/, '');
  if (bucket.max === null) return `${whole(bucket.min)} and above`;
  if (bucket.min === 0) return `Under ${whole(bucket.max)}`;
  return `${whole(bucket.min)} – ${whole(bucket.max)}`;
}

/**
 * The bucket's filter: minPrice only when above 0, maxPrice only when bounded. Buckets are
 * [min, max) but the API's maxPrice is inclusive, so the filter stops a cent below max: a $50.00
 * product is counted under "$50 – $100" and must not also be listed under "$25 – $50".
 */
export function priceFilter(bucket: { min: number; max: number | null }): Pick<CatalogState, 'minPrice' | 'maxPrice'> {
  return {
    minPrice: bucket.min > 0 ? bucket.min : undefined,
    maxPrice: bucket.max === null ? undefined : Math.round(bucket.max * 100 - 1) / 100,
  };
}

export function isPriceSelected(state: CatalogState, bucket: { min: number; max: number | null }): boolean {
  const f = priceFilter(bucket);
  return state.minPrice === f.minPrice && state.maxPrice === f.maxPrice;
}

/** "4★ & up" as read aloud: "4 stars and up". */
export function ratingLabel(min: number): string {
  return `${min} star${min === 1 ? '' : 's'} & up`;
}

/** The price facet in bucket order, a bucket the API did not mention counted 0. */
export function priceFacet(facets: SearchFacets | undefined): { min: number; max: number | null; count: number }[] {
  return PRICE_BUCKETS.map((b) => ({
    ...b,
    count: facets?.price.find((f) => f.min === b.min && (f.max ?? null) === b.max)?.count ?? 0,
  }));
}

/**
 * Products per category. The search API already counts a product under its category and every
 * ancestor (filtering by a parent includes its children, so its count must too); a category it
 * does not mention has none.
 */
export function categoryCounts(facets: SearchFacets | undefined): Map<string, number> {
  return new Map((facets?.category ?? []).map((c) => [c.value, c.count]));
}

/**
 * The categories the sidebar lists: the top level, or, once one is chosen, the path down to it
 * and the chosen one's children (a leaf shows its siblings, so a neighbour is one click away).
 */
export function categoryChoices(selected: string | undefined): { path: CategoryNode[]; options: CategoryNode[] } {
  if (!selected) return { path: [], options: CATEGORIES };
  const path = categoryPath(selected);
  const node = findCategory(selected);
  if (node?.children?.length) return { path, options: node.children };
  const parent = path.length > 1 ? path[path.length - 2] : undefined;
  return { path: path.slice(0, -1), options: parent?.children ?? CATEGORIES };
}

/** "Lighting" for `lighting`, the slug itself for one this storefront does not know. */
export function categoryName(slug: string): string {
  return findCategory(slug)?.name ?? slug;
}

/** The category select of the seller's form: every category, children under their parent's name. */
export function categoryOptions(): { value: string; label: string }[] {
  const out: { value: string; label: string }[] = [];
  for (const top of CATEGORIES) {
    out.push({ value: top.slug, label: top.name });
    for (const child of top.children ?? []) out.push({ value: child.slug, label: `${top.name} › ${child.name}` });
  }
  return out;
}

/** "4.5 out of 5 stars" for screen readers; "No reviews yet" without any. */
export function ratingText(rating: { average: number | null; count: number }): string {
  if (rating.average === null || rating.count === 0) return 'No reviews yet';
  return `Rated ${rating.average.toFixed(1)} out of 5 (${rating.count} review${rating.count === 1 ? '' : 's'})`;
}

/** Five stars for an average, halves rounded to the nearest whole star: "★★★★☆". */
export function starGlyphs(average: number | null): string {
  const full = average === null ? 0 : Math.min(5, Math.max(0, Math.round(average)));
  return '★'.repeat(full) + '☆'.repeat(5 - full);
}
