import type { Metadata } from 'next';
import Link from 'next/link';
import { redirect } from 'next/navigation';
import { ApiErrorNotice } from '@/components/ApiErrorNotice';
import { ChartFigure } from '@/components/ChartFigure';
import { Balance, PayoutTable } from '@/components/SellerMoney';
import { salesChartSvg } from '@/lib/charts';
import { formatMoney } from '@/lib/money';
import { firstParam } from '@/lib/params';
import { signinUrl } from '@/lib/redirect';
import { myLedger, myPayouts, salesDashboard } from '@/lib/seller';
import { DASHBOARD_PERIODS, dashboardPeriod, fillDays, formatPercent, shortDay } from '@/lib/sellers';

export const metadata: Metadata = { title: 'Seller dashboard' };

/** How many payouts the dashboard shows (the payouts page has them all). */
const RECENT_PAYOUTS = 5;

/**
 * The seller's dashboard: revenue and orders per day (a chart drawn on the server, with its table),
 * top products, average order value and return rate from the orders service's sales read model;
 * the balance and recent payouts from the payments service's ledger.
 */
export default async function DashboardPage({ searchParams }: { searchParams: Promise<{ days?: string | string[] }> }) {
  const asked = firstParam((await searchParams).days);
  const period = dashboardPeriod(asked);
  const [dash, ledger, payouts] = await Promise.all([salesDashboard(period), myLedger(), myPayouts()]);
  if ([dash, ledger, payouts].some((r) => !r.ok && r.status === 401))
    redirect(signinUrl(asked === undefined ? '/sell/dashboard' : `/sell/dashboard?days=${period}`));
  const days = dash.ok ? fillDays(dash.data.days, period, new Date()) : [];

  return (
    <>
      <div className="page-head">
        <h1>Dashboard</h1>
        <nav className="tabs" aria-label="Period">
          {[...DASHBOARD_PERIODS]
            .sort((a, b) => a - b)
            .map((d) => (
              <Link key={d} href={`/sell/dashboard?days=${d}`} aria-current={d === period ? 'page' : undefined}>
                {d} days
              </Link>
            ))}
        </nav>
      </div>

      <section aria-labelledby="balance-h">
        <h2 id="balance-h">Balance</h2>
        {ledger.ok ? (
          <Balance balance={ledger.data.balance} />
        ) : (
          <ApiErrorNotice title="Could not load your balance" errors={ledger.errors} />
        )}
      </section>

      <section aria-labelledby="sales-h">
        <h2 id="sales-h">Sales in the last {period} days</h2>
        {!dash.ok ? (
          <ApiErrorNotice title="Could not load your sales figures" errors={dash.errors} />
        ) : (
          <>
            <dl className="figures" data-testid="sales-figures">
              <div>
                <dt>Revenue</dt>
                <dd data-testid="figure-revenue">{formatMoney(dash.data.revenue)}</dd>
              </div>
              <div>
                <dt>Orders</dt>
                <dd data-testid="figure-orders">{dash.data.ordersCount}</dd>
              </div>
              <div>
                <dt>Average order value</dt>
                <dd data-testid="figure-aov">{formatMoney(dash.data.averageOrderValue)}</dd>
              </div>
              <div>
                <dt>Return rate</dt>
                <dd data-testid="figure-return-rate">{formatPercent(dash.data.returnRate)}</dd>
              </div>
            </dl>
            <ChartFigure chart={salesChartSvg(days)} caption="Revenue and orders per day (UTC)" testId="sales-chart">
              <details className="chart-data" open>
                <summary>The figures per day</summary>
                <table className="lines lines-compact" aria-label="Revenue and orders per day" data-testid="sales-days">
                  <thead>
                    <tr>
                      <th scope="col">Day</th>
                      <th scope="col" className="num">
                        Revenue
                      </th>
                      <th scope="col" className="num">
                        Orders
                      </th>
                    </tr>
                  </thead>
                  <tbody>
                    {[...days].reverse().map((d) => (
                      <tr key={d.date} data-testid="sales-day" data-date={d.date} data-revenue={d.revenue} data-orders={d.orders}>
                        <th scope="row" data-label="Day">
                          <time dateTime={d.date}>{shortDay(d.date)}</time>
                        </th>
                        <td className="num" data-label="Revenue">
                          {formatMoney(d.revenue)}
                        </td>
                        <td className="num" data-label="Orders">
                          {d.orders}
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </details>
            </ChartFigure>

            <h3>Top products</h3>
            {dash.data.topProducts.length === 0 ? (
              <p className="muted">No sales in this period.</p>
            ) : (
              <table className="lines" aria-label="Top products" data-testid="top-products">
                <thead>
                  <tr>
                    <th scope="col">Product</th>
                    <th scope="col" className="num">
                      Units
                    </th>
                    <th scope="col" className="num">
                      Revenue
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {dash.data.topProducts.map((p) => (
                    <tr key={p.productId} data-testid="top-product" data-product-id={p.productId}>
                      <td data-label="Product">{p.title}</td>
                      <td className="num" data-label="Units">
                        {p.units}
                      </td>
                      <td className="num" data-label="Revenue">
                        {formatMoney(p.revenue)}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </>
        )}
      </section>

      <section aria-labelledby="payouts-h">
        <h2 id="payouts-h">Recent payouts</h2>
        {!payouts.ok ? (
          <ApiErrorNotice title="Could not load your payouts" errors={payouts.errors} />
        ) : (
          <PayoutTable payouts={payouts.data.payouts.slice(0, RECENT_PAYOUTS)} />
        )}
        <p>
          <Link href="/sell/payouts">Payout account and all payouts</Link>
        </p>
      </section>
    </>
  );
}
