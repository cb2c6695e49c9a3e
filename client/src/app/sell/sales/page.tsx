import type { Metadata } from 'next';
import Link from 'next/link';
import { redirect } from 'next/navigation';
import { ApiErrorNotice } from '@/components/ApiErrorNotice';
import { Field, SelectField } from '@/components/Field';
import { LocalDateTime } from '@/components/LocalDateTime';
import { formatMoney } from '@/lib/money';
import { orderNumber } from '@/lib/orders';
import { firstParam } from '@/lib/params';
import { signinUrl } from '@/lib/redirect';
import { listSales } from '@/lib/seller';
import { SALE_STATUSES, saleStatusLabel, salesCsvHref, salesFilter, salesQuery, shipmentLabel } from '@/lib/sellers';

export const metadata: Metadata = { title: 'Sales' };

type Search = Promise<Record<'from' | 'to' | 'status' | 'cursor', string | string[] | undefined>>;

/**
 * Every sold line of the seller's (GET /api/sales, the orders service's sales read model), newest
 * first, filtered by date and status with a plain GET form (works without JavaScript), a page at a
 * time, and the same filter as a CSV download.
 */
export default async function SalesPage({ searchParams }: { searchParams: Search }) {
  const params = await searchParams;
  const filter = salesFilter({ from: firstParam(params.from), to: firstParam(params.to), status: firstParam(params.status) });
  const cursor = firstParam(params.cursor);
  const res = await listSales(filter, cursor);
  const here = (c?: string) => {
    const qs = salesQuery(filter, { cursor: c });
    return `/sell/sales${qs ? `?${qs}` : ''}`;
  };
  if (!res.ok && res.status === 401) redirect(signinUrl(here(cursor)));
  const filtered = Boolean(filter.from || filter.to || filter.status);

  return (
    <>
      <div className="page-head">
        <h1>Sales</h1>
        <div className="page-actions">
          <a href={salesCsvHref(filter)} download data-testid="sales-csv">
            Download CSV
          </a>
        </div>
      </div>
      <form className="filters" method="get" action="/sell/sales" aria-label="Filter sales">
        <Field id="from" label="From" type="date" defaultValue={filter.from ?? ''} />
        <Field id="to" label="To" type="date" defaultValue={filter.to ?? ''} />
        <SelectField id="status" label="Status" defaultValue={filter.status ?? ''}>
          <option value="">Any</option>
          {Object.entries(SALE_STATUSES).map(([value, label]) => (
            <option key={value} value={value}>
              {label}
            </option>
          ))}
        </SelectField>
        <div className="filters-actions">
          <button type="submit">Show</button>
          {filtered ? <Link href="/sell/sales">Clear</Link> : null}
        </div>
      </form>

      {!res.ok ? (
        <ApiErrorNotice title="Could not load your sales" errors={res.errors} />
      ) : res.data.sales.length === 0 ? (
        <div className="empty" data-testid="sales-empty">
          <p>{filtered ? 'No sales match this filter.' : cursor ? 'No more sales.' : 'No sales yet.'}</p>
        </div>
      ) : (
        <>
          <table className="lines" aria-label="Sold lines">
            <thead>
              <tr>
                <th scope="col">Sold</th>
                <th scope="col">Order</th>
                <th scope="col">Product</th>
                <th scope="col" className="num">
                  Qty
                </th>
                <th scope="col" className="num">
                  Price
                </th>
                <th scope="col" className="num">
                  Total
                </th>
                <th scope="col">Status</th>
                <th scope="col">Shipment</th>
                <th scope="col">Buyer&apos;s city</th>
              </tr>
            </thead>
            <tbody>
              {res.data.sales.map((s) => (
                <tr key={`${s.orderId}-${s.productId}`} data-testid="sale" data-order-id={s.orderId} data-product-id={s.productId}>
                  <td data-label="Sold">
                    <LocalDateTime iso={s.soldAt} />
                  </td>
                  <td data-label="Order">
                    <span className="order-number">{orderNumber(s.orderId)}</span>
                  </td>
                  <td data-label="Product">{s.title}</td>
                  <td className="num" data-label="Qty" data-testid="sale-quantity">
                    {s.quantity}
                  </td>
                  <td className="num" data-label="Price">
                    {formatMoney(s.price)}
                  </td>
                  <td className="num" data-label="Total" data-testid="sale-total">
                    {formatMoney(s.total)}
                  </td>
                  <td data-label="Status" data-testid="sale-status">
                    {saleStatusLabel(s.status)}
                  </td>
                  <td data-label="Shipment">{shipmentLabel(s.shipmentStatus)}</td>
                  <td data-label="Buyer's city">{s.buyerCity ?? '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <nav className="pager" aria-label="Pages">
            {cursor ? <Link href={here()}>← First page</Link> : <span />}
            {res.data.nextCursor ? (
              <Link href={here(res.data.nextCursor)} rel="next">
                Next page →
              </Link>
            ) : null}
          </nav>
        </>
      )}
    </>
  );
}
