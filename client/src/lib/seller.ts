import { serverApi } from './server-api';
import type { ApiErrorItem, Product, ProductPage } from '@jetmart/common/contracts';

/** Pages of 100 read at most when looking for a seller's products (20 × 100 = the newest 2,000 products). */
const MAX_PAGES = 20;

/**
 * The signed-in seller's products.
 *
 * Limitation: the products API (SPEC) has no "mine"/userId filter, so this walks the public
 * catalogue newest-first and keeps the products whose userId is the seller's. It stops after
 * MAX_PAGES pages; `truncated` says the catalogue was larger than that and older products of
 * this seller may be missing. A `userId` filter on GET /api/products would remove the walk.
 */
export async function listSellerProducts(
  userId: string,
): Promise<{ ok: true; items: Product[]; truncated: boolean } | { ok: false; errors: ApiErrorItem[] }> {
  const mine: Product[] = [];
  let cursor: string | null = null;
  for (let page = 0; page < MAX_PAGES; page++) {
    const query = new URLSearchParams({ limit: '100' });
    if (cursor) query.set('cursor', cursor);
    const res = await serverApi<ProductPage>(`/api/products?${query}`);
    if (!res.ok) return { ok: false, errors: res.errors };
    mine.push(...res.data.items.filter((p) => p.userId === userId));
    cursor = res.data.nextCursor;
    if (!cursor) return { ok: true, items: mine, truncated: false };
  }
  return { ok: true, items: mine, truncated: true };
}
