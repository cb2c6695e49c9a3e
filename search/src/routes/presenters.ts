import { fromMinor } from '@jetmart/common';
import { ratingSummary, type ProductImageRecord, type SearchHit, type SearchResponse } from '@jetmart/common/contracts';
import { stateInStock, type ProductState } from '../engine/search-index';
import type { RawFacets } from '../engine/query';

/**
 * The cover image as search knows it: events carry image ids only, so the URLs are built from
 * the ids and the size is not known here (0 × 0; the storefront sizes thumbnails by CSS).
 */
function presentCover(productId: string, imageId: string | undefined): ProductImageRecord | null {
  if (!imageId) return null;
  const base = `/api/products/${productId}/images/${imageId}`;
  return { id: imageId, width: 0, height: 0, urls: { thumb: `${base}/thumb`, medium: `${base}/medium`, large: `${base}/large` } };
}

export function presentHit(s: ProductState): SearchHit {
  const p = s.product!;
  return {
    id: s.id,
    title: p.title,
    description: p.description,
    price: fromMinor(p.priceMinor),
    category: p.category,
    sellerId: p.sellerId,
    inStock: stateInStock(s, p.quantity),
    rating: ratingSummary(s.ratingCount, s.ratingSum),
    image: presentCover(s.id, p.images[0]),
    createdAt: s.createdAt!.toISOString(),
  };
}

export function presentSearchResponse(
  hits: ProductState[],
  total: number,
  nextCursor: string | null,
  facets: RawFacets,
  didYouMean: string | null,
): SearchResponse {
  return { hits: hits.map(presentHit), total, nextCursor, facets, didYouMean };
}
