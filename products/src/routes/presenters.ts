import { fromMinor } from '@jetmart/common';
import type { Product, ProductPage } from '@jetmart/common/contracts';
import type { ProductDoc } from '../models';

/**
 * A product as the API shows it. `unitsTaken` (held by live orders + sold − restocked) is what
 * buyers can no longer order, as far as this service knows.
 */
export function presentProduct(product: ProductDoc, unitsTaken: number): Product {
  return {
    id: product.id as string,
    title: product.title,
    description: product.description,
    price: fromMinor(product.priceMinor),
    quantity: product.quantity,
    available: Math.max(0, product.quantity - unitsTaken),
    userId: product.userId,
    listed: product.isListed(),
    version: product.version,
  };
}

/** One page of the listing, newest first; `nextCursor` is null on the last page. */
export function presentProductPage(items: Product[], nextCursor: string | null): ProductPage {
  return { items, nextCursor };
}
