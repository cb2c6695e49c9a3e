/**
 * The seller area's pure helpers (no I/O): the records of the sellers' APIs (contracts.md
 * "Sellers"), the query strings the pages send, and the figures they derive. Kept free of
 * server-only imports so the browser components and the unit tests can use them.
 */
import {
  STRIPE_ACCOUNT_ID_PATTERN,
  type PayoutStatus,
  type Product,
  type ProductPage,
  type SaleLine,
  type SalesDashboard,
  type SaleStatus,
} from '@jetmart/common/contracts';

/** A product as its seller sees it on GET /api/products/mine (listed or not: `listed`). */
export type SellerProduct = Product;
export type SellerProductPage = ProductPage;
/** One sold line of the seller's (GET /api/sales): the buyer is known by city only. */
export type Sale = SaleLine;
export type { SalesDashboard, SalesPage } from '@jetmart/common/contracts';
export type SalesDay = SalesDashboard['days'][number];

export type {
  CommissionDay,
  CommissionReport,
  Ledger,
  LedgerBalance,
  LedgerEntry,
  Payout,
  PayoutList,
  PayoutStatus,
  SellerAccount,
} from '@jetmart/common/contracts';

/** How many days the dashboard can look back; the first is the default. */
export const DASHBOARD_PERIODS = [30, 7, 90] as const;
export type DashboardPeriod = (typeof DASHBOARD_PERIODS)[number];

/** The period asked for in `?days=`, or the default for anything else. */
export function dashboardPeriod(value: string | undefined): DashboardPeriod {
  const n = Number(value);
  return (DASHBOARD_PERIODS as readonly number[]).includes(n) ? (n as DashboardPeriod) : DASHBOARD_PERIODS[0];
}

const DAY_MS = 86_400_000;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

/** YYYY-MM-DD of a moment, in UTC (the sales read model counts days in UTC). */
export function utcDate(at: Date): string {
  return at.toISOString().slice(0, 10);
}

/**
 * One row per day of the period ending `today`, in date order, with zeros for the days without a
 * sale, so the chart's axis is continuous whatever the API left out. Days the API sent outside
 * the period widen it rather than being dropped (its "today" may be a day ahead of ours).
 */
export function fillDays(days: SalesDay[], period: number, today: Date): SalesDay[] {
  const byDate = new Map<string, SalesDay>();
  for (const d of days) if (ISO_DATE.test(d.date)) byDate.set(d.date, d);
  const end = utcDate(today);
  const start = utcDate(new Date(Date.parse(`${end}T00:00:00Z`) - (period - 1) * DAY_MS));
  const dates = [...byDate.keys()];
  const first = [start, ...dates].sort()[0];
  const last = [end, ...dates].sort().at(-1)!;
  const out: SalesDay[] = [];
  for (let t = Date.parse(`${first}T00:00:00Z`); t <= Date.parse(`${last}T00:00:00Z`); t += DAY_MS) {
    const date = utcDate(new Date(t));
    out.push(byDate.get(date) ?? { date, revenue: 0, orders: 0 });
  }
  return out;
}

/** "Dec 2" for a YYYY-MM-DD day (the chart's axis and the table's rows; the day is UTC). */
export function shortDay(date: string): string {
  const t = Date.parse(`${date}T00:00:00Z`);
  if (Number.isNaN(t)) return date;
  return new Intl.DateTimeFormat('en-US', { month: 'short', day: 'numeric', timeZone: 'UTC' }).format(t);
}

/** A 0..1 share as a percentage with one decimal: 0.125 → "12.5%". */
export function formatPercent(share: number): string {
  if (!Number.isFinite(share)) return '0.0%';
  return `${(Math.round(share * 1000) / 10).toFixed(1)}%`;
}

/** A sold line's states (orders' sales read model, `SALE_STATUSES`), in the filter's order, with their labels. */
export const SALE_STATUSES: Record<SaleStatus, string> = {
  paid: 'Paid',
  partially_returned: 'Partly returned',
  returned: 'Returned',
  cancelled: 'Cancelled before shipping',
};

export const saleStatusLabel = (status: string): string => SALE_STATUSES[status as SaleStatus] ?? status;

const SHIPMENT_LABELS: Record<string, string> = { pending: 'To ship', shipped: 'Shipped', delivered: 'Delivered', cancelled: 'Cancelled' };

/** The line's shipment as the seller reads it; a dash until shipping has created it. */
export const shipmentLabel = (status: string | null): string => (status ? (SHIPMENT_LABELS[status] ?? status) : '—');

export interface SalesFilter {
  from?: string;
  to?: string;
  status?: SaleStatus;
}

/**
 * The filter as the sales page's form sent it: dates kept only when they look like YYYY-MM-DD
 * (the browser's date input sends that; anything else is left out rather than sent on), status
 * only when it is one the filter offers.
 */
export function salesFilter(params: { from?: string; to?: string; status?: string }): SalesFilter {
  const filter: SalesFilter = {};
  if (params.from && ISO_DATE.test(params.from)) filter.from = params.from;
  if (params.to && ISO_DATE.test(params.to)) filter.to = params.to;
  if (params.status && Object.hasOwn(SALE_STATUSES, params.status)) filter.status = params.status as SaleStatus;
  return filter;
}

/** The query string of GET /api/sales (and of the page's own links) for a filter, a page and a format. */
export function salesQuery(filter: SalesFilter, extra: { cursor?: string | null; limit?: number; format?: 'csv' } = {}): string {
  const q = new URLSearchParams();
  if (extra.format) q.set('format', extra.format);
  if (filter.from) q.set('from', filter.from);
  if (filter.to) q.set('to', filter.to);
  if (filter.status) q.set('status', filter.status);
  if (extra.cursor) q.set('cursor', extra.cursor);
  if (extra.limit) q.set('limit', String(extra.limit));
  return q.toString();
}

/** The CSV download of the same filter, all pages (the API streams every matching line). */
export const salesCsvHref = (filter: SalesFilter): string => `/api/sales?${salesQuery(filter, { format: 'csv' })}`;

/** The account id typed into the payout form, trimmed, or the message to show on the field. */
export function parseStripeAccountId(value: string): { ok: true; id: string } | { ok: false; message: string } {
  const id = value.trim();
  if (!id) return { ok: false, message: 'Enter your Stripe account id.' };
  if (!STRIPE_ACCOUNT_ID_PATTERN.test(id))
    return { ok: false, message: 'A Stripe account id starts with acct_ followed by letters and digits.' };
  return { ok: true, id };
}

const PAYOUT_STATUSES: Record<PayoutStatus, string> = { pending: 'Being sent', sent: 'Sent', failed: 'Failed' };

/** A payout's state as the seller reads it. */
export const payoutStatusLabel = (status: PayoutStatus): string => PAYOUT_STATUSES[status] ?? status;
