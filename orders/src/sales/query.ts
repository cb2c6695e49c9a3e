import type { SaleStatus } from '@jetmart/common/contracts';
import { saleStatusFilter, type SaleLineFields, type SaleLineModel } from '../models';

/** A position in a seller's sales (newest first): the (soldAt, _id) of the last line shown. */
export interface SalesPosition {
  soldAt: Date;
  id: string;
}

export interface SalesFilter {
  /** Paid on or after this UTC day, on or before `to` (YYYY-MM-DD, both included). */
  from?: string;
  to?: string;
  status?: SaleStatus;
}

const DAY_MS = 86_400_000;
const dayStart = (day: string) => new Date(`${day}T00:00:00.000Z`);

function salesQuery(sellerId: string, filter: SalesFilter, after?: SalesPosition): Record<string, unknown> {
  const soldAt: Record<string, Date> = {};
  if (filter.from) soldAt.$gte = dayStart(filter.from);
  if (filter.to) soldAt.$lt = new Date(dayStart(filter.to).getTime() + DAY_MS);
  const query: Record<string, unknown> = { sellerId, ...(filter.status ? saleStatusFilter(filter.status) : {}) };
  if (Object.keys(soldAt).length) query.soldAt = soldAt;
  // (soldAt, _id) is unique and never changes, so a page boundary can neither repeat nor skip a line.
  if (after) query.$or = [{ soldAt: { $lt: after.soldAt } }, { soldAt: after.soldAt, _id: { $lt: after.id } }];
  return query;
}

export interface SalesPage {
  lines: SaleLineFields[];
  next?: SalesPosition;
}

/** One page of a seller's sold lines, newest first (index sellerId, soldAt, _id). */
export async function salesPage(
  SaleLine: SaleLineModel,
  sellerId: string,
  filter: SalesFilter,
  opts: { after?: SalesPosition; limit: number },
): Promise<SalesPage> {
  const found = await SaleLine.find(salesQuery(sellerId, filter, opts.after))
    .sort({ soldAt: -1, _id: -1 })
    .limit(opts.limit + 1)
    .lean();
  const lines = found.slice(0, opts.limit);
  const last = lines[lines.length - 1];
  return { lines, next: found.length > opts.limit && last ? { soldAt: last.soldAt, id: last._id } : undefined };
}

/** Every page of a seller's sold lines (the CSV export), read page by page. */
export async function* allSales(SaleLine: SaleLineModel, sellerId: string, filter: SalesFilter, pageSize = 500) {
  let after: SalesPosition | undefined;
  do {
    const page = await salesPage(SaleLine, sellerId, filter, { after, limit: pageSize });
    yield page.lines;
    after = page.next;
  } while (after);
}

/** The dashboard's figures in minor units (see SalesDashboard in @jetmart/common/contracts). */
export interface DashboardFigures {
  days: { date: string; revenueMinor: number; orders: number }[];
  topProducts: { productId: string; title: string; units: number; revenueMinor: number }[];
  averageOrderValueMinor: number;
  returnRate: number;
  ordersCount: number;
  revenueMinor: number;
}

/**
 * A seller's last `days` UTC days (today included), from the sales read model with $match +
 * $group aggregations (no $lookup, which FerretDB lacks):
 * - revenue: price × units kept (cancelled parts and returned units taken off), by the day paid;
 * - orders: paid orders with a line of the seller (one whose part was later cancelled included);
 * - returnRate: units returned / units delivered or on their way (cancelled parts left out);
 * - topProducts: by revenue, then units, up to `top`.
 */
export async function salesDashboard(
  SaleLine: SaleLineModel,
  sellerId: string,
  opts: { days: number; now: Date; top: number },
): Promise<DashboardFigures> {
  const today = Date.UTC(opts.now.getUTCFullYear(), opts.now.getUTCMonth(), opts.now.getUTCDate());
  const dates = Array.from({ length: opts.days }, (_, i) => new Date(today - (opts.days - 1 - i) * DAY_MS).toISOString().slice(0, 10));
  const match = { $match: { sellerId, soldDay: { $gte: dates[0], $lte: dates[dates.length - 1] } } };

  // One accumulator per $group: FerretDB 1.24 answers 0 for every $sum after the first in a
  // $group stage (measured: {units: $sum kept, revenue: $sum revenue} gave revenue 0).
  const sumBy = <K>(key: unknown, field: string) =>
    SaleLine.aggregate<{ _id: K; sum: number }>([match, { $group: { _id: key, sum: { $sum: `$${field}` } } }]);
  const [byOrder, revenueByProduct, keptByProduct, returnedByProduct] = await Promise.all([
    sumBy<{ day: string; order: string }>({ day: '$soldDay', order: '$orderId' }, 'revenueMinor'),
    sumBy<string>('$productId', 'revenueMinor'),
    sumBy<string>('$productId', 'keptQuantity'),
    sumBy<string>('$productId', 'returnedQuantity'),
  ]);
  const kepts = new Map(keptByProduct.map((g) => [g._id, g.sum]));
  const returneds = new Map(returnedByProduct.map((g) => [g._id, g.sum]));
  const byProduct = revenueByProduct.map((g) => ({
    _id: g._id,
    revenue: g.sum,
    units: kepts.get(g._id) ?? 0,
    returned: returneds.get(g._id) ?? 0,
  }));

  const perDay = new Map(dates.map((d) => [d, { date: d, revenueMinor: 0, orders: 0 }]));
  for (const g of byOrder) {
    const day = perDay.get(g._id.day);
    if (!day) continue;
    day.revenueMinor += g.sum;
    day.orders += 1;
  }
  const revenueMinor = byProduct.reduce((sum, p) => sum + p.revenue, 0);
  const kept = byProduct.reduce((sum, p) => sum + p.units, 0);
  const returned = byProduct.reduce((sum, p) => sum + p.returned, 0);
  const ordersCount = byOrder.length;

  const top = [...byProduct]
    .sort((a, b) => b.revenue - a.revenue || b.units - a.units || (a._id < b._id ? -1 : 1))
    .slice(0, opts.top)
    .filter((p) => p.revenue > 0 || p.units > 0);
  const titles = await Promise.all(
    top.map((p) => SaleLine.findOne({ sellerId, productId: p._id }, { title: 1 }).sort({ soldAt: -1, _id: -1 }).lean()),
  );

  return {
    days: [...perDay.values()],
    topProducts: top.map((p, i) => ({ productId: p._id, title: titles[i]?.title ?? '', units: p.units, revenueMinor: p.revenue })),
    averageOrderValueMinor: ordersCount ? Math.round(revenueMinor / ordersCount) : 0,
    returnRate: kept + returned ? Math.round((returned / (kept + returned)) * 10_000) / 10_000 : 0,
    ordersCount,
    revenueMinor,
  };
}
