import { Router } from 'express';
import { z } from 'zod';
import { parseQuery, RequestValidationError, requireAuth } from '@jetmart/common';
import { SALE_STATUSES, SALES_LIMITS, type SaleStatus } from '@jetmart/common/contracts';
import type { OrdersModels } from '../models';
import { allSales, salesDashboard, salesPage, type SalesPosition } from '../sales';
import { csvRow } from './csv';
import { presentSaleLine, presentSalesDashboard } from './presenters';

/** A calendar day as YYYY-MM-DD (a real date: 2026-02-30 is refused). */
const day = (name: string) =>
  z
    .string({ error: `${name} must be a single date` })
    .regex(/^\d{4}-\d{2}-\d{2}$/, `${name} must be a date as YYYY-MM-DD`)
    .refine((v) => {
      const d = new Date(`${v}T00:00:00.000Z`);
      return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === v;
    }, `${name} must be a real date`)
    .optional();

const salesQuery = z
  .object({
    from: day('from'),
    to: day('to'),
    status: z
      .enum(SALE_STATUSES as [SaleStatus, ...SaleStatus[]], { error: `status must be one of ${SALE_STATUSES.join(', ')}` })
      .optional(),
    cursor: z.string({ error: 'cursor must be a single string' }).max(600, 'cursor is not valid').optional(),
    limit: z.coerce
      .number({ error: 'limit must be a number' })
      .int('limit must be a whole number')
      .min(1, 'limit must be at least 1')
      .max(SALES_LIMITS.maxPage, `limit can be at most ${SALES_LIMITS.maxPage}`)
      .default(SALES_LIMITS.defaultPage),
    format: z.enum(['json', 'csv'], { error: 'format must be json or csv' }).default('json'),
  })
  .refine((q) => !q.from || !q.to || q.from <= q.to, { message: 'from must not be after to', path: ['from'] });

const dashboardQuery = z.object({
  days: z.coerce
    .number({ error: 'days must be a number' })
    .int('days must be a whole number')
    .min(1, 'days must be at least 1')
    .max(SALES_LIMITS.maxDays, `days can be at most ${SALES_LIMITS.maxDays}`)
    .default(SALES_LIMITS.defaultDays),
});

/** Opaque page cursor: the (soldAt, _id) of the last line on the previous page. */
const encodeCursor = (at: SalesPosition) => Buffer.from(`${at.soldAt.getTime()}|${at.id}`).toString('base64url');

function decodeCursor(cursor: string): SalesPosition {
  const m = /^(\d{1,15})\|([^|]{3,300})$/.exec(Buffer.from(cursor, 'base64url').toString());
  if (!m) throw new RequestValidationError([{ message: 'cursor is not valid', field: 'cursor' }]);
  return { soldAt: new Date(Number(m[1])), id: m[2] };
}

const CSV_COLUMNS = [
  'orderId',
  'productId',
  'title',
  'quantity',
  'price',
  'total',
  'status',
  'shipmentStatus',
  'buyerCity',
  'soldAt',
] as const;

/** A seller's sales (`/api/sales`): only their own lines, from the sales read model. */
export function salesRouter({ models }: { models: OrdersModels }): Router {
  const { SaleLine } = models;
  const router = Router();

  router.get('/api/sales', requireAuth, async (req, res) => {
    const query = parseQuery(salesQuery, req);
    const sellerId = req.currentUser!.id;
    const filter = { from: query.from, to: query.to, status: query.status };
    if (query.format === 'csv') {
      let csv = csvRow(CSV_COLUMNS);
      for await (const lines of allSales(SaleLine, sellerId, filter)) {
        for (const line of lines) {
          const sale = presentSaleLine(line);
          csv += csvRow(CSV_COLUMNS.map((c) => sale[c]));
        }
      }
      res.setHeader('Content-Type', 'text/csv; charset=utf-8');
      res.setHeader('Content-Disposition', 'attachment; filename="sales.csv"');
      res.send(csv);
      return;
    }
    const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
    const page = await salesPage(SaleLine, sellerId, filter, { after, limit: query.limit });
    res.json({ sales: page.lines.map(presentSaleLine), nextCursor: page.next ? encodeCursor(page.next) : null });
  });

  router.get('/api/sales/dashboard', requireAuth, async (req, res) => {
    const { days } = parseQuery(dashboardQuery, req);
    const figures = await salesDashboard(SaleLine, req.currentUser!.id, { days, now: new Date(), top: SALES_LIMITS.topProducts });
    res.json(presentSalesDashboard(figures));
  });

  return router;
}
