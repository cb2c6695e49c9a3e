import type { ApiResult } from './errors';
import {
  salesQuery,
  type Ledger,
  type PayoutList,
  type SalesDashboard,
  type SalesFilter,
  type SalesPage,
  type SellerAccount,
  type SellerProductPage,
} from './sellers';
import { serverApi } from './server-api';

/**
 * The seller area's server-side reads (SSR, with the visitor's cookie): products' "mine", the
 * orders service's sales read model, payments' ledger and payouts. Each answers on its own, so a
 * page shows what it has when one service is down.
 */

/** The signed-in seller's products, listed and unlisted, a page at a time; `lowStock` keeps those nearly sold out. */
export function listMyProducts(options: { cursor?: string; lowStock?: boolean } = {}): Promise<ApiResult<SellerProductPage>> {
  const q = new URLSearchParams();
  if (options.cursor) q.set('cursor', options.cursor);
  if (options.lowStock) q.set('lowStock', 'true');
  const qs = q.toString();
  return serverApi<SellerProductPage>(`/api/products/mine${qs ? `?${qs}` : ''}`);
}

export const SALES_PAGE_SIZE = 25;

export const listSales = (filter: SalesFilter, cursor?: string): Promise<ApiResult<SalesPage>> =>
  serverApi<SalesPage>(`/api/sales?${salesQuery(filter, { cursor, limit: SALES_PAGE_SIZE })}`);

export const salesDashboard = (days: number): Promise<ApiResult<SalesDashboard>> =>
  serverApi<SalesDashboard>(`/api/sales/dashboard?${new URLSearchParams({ days: String(days) })}`);

export const myLedger = (cursor?: string): Promise<ApiResult<Ledger>> =>
  serverApi<Ledger>(`/api/sellers/me/ledger${cursor ? `?${new URLSearchParams({ cursor })}` : ''}`);

export const myAccount = (): Promise<ApiResult<SellerAccount>> => serverApi<SellerAccount>('/api/sellers/me/account');

export const myPayouts = (): Promise<ApiResult<PayoutList>> => serverApi<PayoutList>('/api/payouts');
