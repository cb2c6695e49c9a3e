import { fromMinor } from '@jetmart/common';
import type { Product, ProductImageRecord, ProductPage, RatingSummary, ReviewRecord } from '@jetmart/common/contracts';
import type { ProductDoc, ProductImage, ReviewDoc } from '../models';

/**
 * What other modules of this service add to a product's record: its images (products/src/images)
 * and its rating (products/src/reviews). Absent: none yet.
 */
export interface ProductExtras {
  images?: ProductImageRecord[];
  rating?: RatingSummary;
}

/**
 * A product as the API shows it. `unitsTaken` (held by live orders + sold − restocked) is what
 * buyers can no longer order, as far as this service knows.
 */
export function presentProduct(product: ProductDoc, unitsTaken: number, extras: ProductExtras = {}): Product {
  return {
    id: product.id as string,
    title: product.title,
    description: product.description,
    price: fromMinor(product.priceMinor),
    quantity: product.quantity,
    available: Math.max(0, product.quantity - unitsTaken),
    userId: product.userId,
    listed: product.isListed(),
    category: product.category,
    images: extras.images ?? (product.images ?? []).map((image) => presentImage(product.id as string, image)),
    rating: extras.rating ?? { average: null, count: 0 },
    version: product.version,
  };
}

/** One page of the listing, newest first; `nextCursor` is null on the last page. */
export function presentProductPage(items: Product[], nextCursor: string | null): ProductPage {
  return { items, nextCursor };
}

/** A product's picture: its size and the paths of its variants (served by routes/images.ts). */
export function presentImage(productId: string, image: ProductImage): ProductImageRecord {
  const base = `/api/products/${productId}/images/${image.id}`;
  return {
    id: image.id,
    width: image.width,
    height: image.height,
    urls: { thumb: `${base}/thumb`, medium: `${base}/medium`, large: `${base}/large` },
  };
}

/** A review as the API shows it (reports as a count: who reported is nobody else's business). */
export function presentReview(review: ReviewDoc): ReviewRecord {
  return {
    id: review.id as string,
    productId: review.productId,
    userId: review.userId ?? null,
    rating: review.rating,
    text: review.text,
    status: review.status,
    reportCount: review.reportCount,
    reply: review.reply ? { text: review.reply.text, createdAt: review.reply.createdAt.toISOString() } : null,
    createdAt: review.createdAt.toISOString(),
    updatedAt: review.updatedAt.toISOString(),
    version: review.version,
  };
}
