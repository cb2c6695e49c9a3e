/**
 * The catalog's shared vocabulary (issue 19): the category tree, the limits on images and reviews,
 * and the records of the search API. Pure types and constants (see ../contracts.ts): products
 * validates against them, search facets by them, and the storefront draws its menus from them.
 *
 * Why the tree is a constant and not a collection: categories change with a release (a new
 * category needs its own copy, filters and often a migration of products), never at run time, and
 * every service and the storefront must agree on the same slugs at the same moment. A constant
 * shipped in one package gives that for free; a database table would need its own events.
 */

export interface CategoryNode {
  /** Stable id used in URLs, events and filters (lower-case, dash-separated, unique in the whole tree). */
  slug: string;
  name: string;
  children?: CategoryNode[];
}

/** Where a product without a category (created before categories existed, or not chosen) lives. */
export const DEFAULT_CATEGORY = 'other';

export const CATEGORIES: CategoryNode[] = [
  {
    slug: 'home',
    name: 'Home & Living',
    children: [
      { slug: 'lighting', name: 'Lighting' },
      { slug: 'furniture', name: 'Furniture' },
      { slug: 'decor', name: 'Decor' },
      { slug: 'kitchen', name: 'Kitchen & Dining' },
    ],
  },
  {
    slug: 'fashion',
    name: 'Fashion',
    children: [
      { slug: 'clothing', name: 'Clothing' },
      { slug: 'shoes', name: 'Shoes' },
      { slug: 'bags', name: 'Bags' },
      { slug: 'jewellery', name: 'Jewellery' },
    ],
  },
  {
    slug: 'electronics',
    name: 'Electronics',
    children: [
      { slug: 'audio', name: 'Audio' },
      { slug: 'computers', name: 'Computers' },
      { slug: 'phones', name: 'Phones & Tablets' },
      { slug: 'cameras', name: 'Cameras' },
    ],
  },
  {
    slug: 'books',
    name: 'Books & Music',
    children: [
      { slug: 'fiction', name: 'Fiction' },
      { slug: 'non-fiction', name: 'Non-fiction' },
      { slug: 'comics', name: 'Comics' },
      { slug: 'vinyl', name: 'Vinyl & CDs' },
    ],
  },
  {
    slug: 'garden',
    name: 'Garden & Outdoors',
    children: [
      { slug: 'plants', name: 'Plants & Seeds' },
      { slug: 'tools', name: 'Tools' },
      { slug: 'camping', name: 'Camping' },
    ],
  },
  {
    slug: 'sports',
    name: 'Sports',
    children: [
      { slug: 'cycling', name: 'Cycling' },
      { slug: 'fitness', name: 'Fitness' },
      { slug: 'team-sports', name: 'Team sports' },
    ],
  },
  {
    slug: 'toys',
    name: 'Toys & Games',
    children: [
      { slug: 'board-games', name: 'Board games' },
      { slug: 'puzzles', name: 'Puzzles' },
      { slug: 'outdoor-toys', name: 'Outdoor toys' },
    ],
  },
  {
    slug: 'art',
    name: 'Art & Crafts',
    children: [
      { slug: 'prints', name: 'Prints & Posters' },
      { slug: 'ceramics', name: 'Ceramics' },
      { slug: 'craft-supplies', name: 'Craft supplies' },
    ],
  },
  {
    slug: 'beauty',
    name: 'Health & Beauty',
    children: [
      { slug: 'skincare', name: 'Skincare' },
      { slug: 'fragrance', name: 'Fragrance' },
    ],
  },
  {
    slug: 'food',
    name: 'Food & Drink',
    children: [
      { slug: 'coffee-tea', name: 'Coffee & Tea' },
      { slug: 'pantry', name: 'Pantry' },
    ],
  },
  { slug: DEFAULT_CATEGORY, name: 'Other' },
];

const parentOf = new Map<string, string | null>();
const bySlug = new Map<string, CategoryNode>();
(function index(nodes: CategoryNode[], parent: string | null) {
  for (const node of nodes) {
    if (bySlug.has(node.slug)) throw new Error(`duplicate category slug ${node.slug}`);
    bySlug.set(node.slug, node);
    parentOf.set(node.slug, parent);
    if (node.children) index(node.children, node.slug);
  }
})(CATEGORIES, null);

export function isCategory(slug: unknown): slug is string {
  return typeof slug === 'string' && bySlug.has(slug);
}

export function findCategory(slug: string): CategoryNode | undefined {
  return bySlug.get(slug);
}

/** The category and everything under it: filtering by a parent includes its children's products. */
export function categoryWithDescendants(slug: string): string[] {
  const node = bySlug.get(slug);
  if (!node) return [];
  const out: string[] = [];
  const walk = (n: CategoryNode) => {
    out.push(n.slug);
    n.children?.forEach(walk);
  };
  walk(node);
  return out;
}

/** From the top-level category down to `slug` (a breadcrumb); empty for an unknown slug. */
export function categoryPath(slug: string): CategoryNode[] {
  const path: CategoryNode[] = [];
  for (let s: string | null | undefined = slug; s; s = parentOf.get(s)) {
    const node = bySlug.get(s);
    if (!node) return [];
    path.unshift(node);
  }
  return path;
}

export type ImageSize = 'thumb' | 'medium' | 'large';
export const IMAGE_SIZES: readonly ImageSize[] = ['thumb', 'medium', 'large'];

export const IMAGE_LIMITS = {
  maxPerProduct: 8,
  /** Per uploaded file. */
  maxBytes: 5 * 1024 * 1024,
  /** Decoded pixels (width × height): larger declared images are refused before decoding (bombs). */
  maxPixels: 40_000_000,
  maxSide: 12_000,
  /** The longest side of each stored variant, in pixels (never enlarged). */
  sizes: { thumb: 160, medium: 480, large: 1200 } as Record<ImageSize, number>,
} as const;

export const REVIEW_LIMITS = {
  minRating: 1,
  maxRating: 5,
  maxText: 2000,
  maxReply: 1000,
  /** Distinct reports that hide a review until an admin restores or removes it. */
  hideAfterReports: 3,
  maxReportReason: 500,
} as const;

export interface ProductImageRecord {
  id: string;
  width: number;
  height: number;
  /** Paths under the shop's host: `/api/products/<productId>/images/<imageId>/<size>`. */
  urls: Record<ImageSize, string>;
}

export interface RatingSummary {
  /** Mean of the visible reviews' ratings, rounded to 2 decimals; null without reviews. */
  average: number | null;
  count: number;
}

/** The average a rating aggregate shows: rounded to 2 decimals, null when there is none. */
export function ratingSummary(count: number, sum: number): RatingSummary {
  return { average: count > 0 ? Math.round((sum / count) * 100) / 100 : null, count };
}

export type ReviewStatus = 'visible' | 'hidden' | 'removed';

export interface ReviewRecord {
  id: string;
  productId: string;
  /** The author; null once their account is deleted (the review stays, anonymised). */
  userId: string | null;
  rating: number;
  text: string;
  status: ReviewStatus;
  reportCount: number;
  reply: { text: string; createdAt: string } | null;
  createdAt: string;
  updatedAt: string;
  version: number;
}

export interface ReviewPage {
  items: ReviewRecord[];
  nextCursor: string | null;
  rating: RatingSummary;
}

export interface MyReview {
  /** The caller has a delivered line of this product (they may write or edit a review). */
  eligible: boolean;
  review: ReviewRecord | null;
}

export const SEARCH_SORTS = ['relevance', 'price_asc', 'price_desc', 'newest', 'rating'] as const;
export type SearchSort = (typeof SEARCH_SORTS)[number];

export const SEARCH_LIMITS = { maxQuery: 200, maxLimit: 100, defaultLimit: 24 } as const;

/** The price facet's buckets in currency units: [min, max) with max null for "and above". */
export const PRICE_BUCKETS: readonly { min: number; max: number | null }[] = [
  { min: 0, max: 10 },
  { min: 10, max: 25 },
  { min: 25, max: 50 },
  { min: 50, max: 100 },
  { min: 100, max: 250 },
  { min: 250, max: null },
];

/** The rating facet: "N stars and up". */
export const RATING_FACET_MINIMUMS: readonly number[] = [4, 3, 2, 1];

export interface SearchHit {
  id: string;
  title: string;
  description: string;
  price: number;
  category: string;
  sellerId: string;
  inStock: boolean;
  rating: RatingSummary;
  image: ProductImageRecord | null;
  createdAt: string;
}

export interface SearchFacets {
  category: { value: string; count: number }[];
  price: { min: number; max: number | null; count: number }[];
  rating: { min: number; count: number }[];
  inStock: { value: boolean; count: number }[];
}

export interface SearchResponse {
  hits: SearchHit[];
  /** Every matching product (all pages). */
  total: number;
  nextCursor: string | null;
  /** Counts per value, each applying every filter except its own (so a sidebar shows the options). */
  facets: SearchFacets;
  /** The query with each corrected word replaced by the indexed word it matched best, when that differs. */
  didYouMean: string | null;
}
