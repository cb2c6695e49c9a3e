import type { Metadata } from 'next';
import Link from 'next/link';
import { redirect } from 'next/navigation';
import { ApiErrorNotice } from '@/components/ApiErrorNotice';
import { ListingToggle } from '@/components/ListingToggle';
import { formatMoney } from '@/lib/money';
import { firstParam } from '@/lib/params';
import { signinUrl } from '@/lib/redirect';
import { listMyProducts } from '@/lib/seller';

export const metadata: Metadata = { title: 'My products' };

type Search = Promise<{ cursor?: string | string[]; lowStock?: string | string[] }>;

/** The seller's products, listed and unlisted, from GET /api/products/mine; "Low stock" keeps those nearly sold out. */
export default async function SellerPage({ searchParams }: { searchParams: Search }) {
  const params = await searchParams;
  const cursor = firstParam(params.cursor);
  const lowStock = firstParam(params.lowStock) === 'true';
  const here = (extra: Record<string, string>) => {
    const q = new URLSearchParams({ ...(lowStock ? { lowStock: 'true' } : {}), ...extra });
    return `/sell${q.size ? `?${q}` : ''}`;
  };
  const res = await listMyProducts({ cursor, lowStock });
  if (!res.ok && res.status === 401) redirect(signinUrl(here(cursor ? { cursor } : {})));
  return (
    <>
      <div className="page-head">
        <h1>My products</h1>
        <div className="page-actions">
          <Link href="/sell/shipments">To ship</Link>
          <Link href="/sell/returns">Returns to handle</Link>
          <Link href="/sell/new" className="button">
            List a product
          </Link>
        </div>
      </div>
      <nav className="tabs" aria-label="Which products">
        <Link href="/sell" aria-current={lowStock ? undefined : 'page'}>
          All
        </Link>
        <Link href="/sell?lowStock=true" aria-current={lowStock ? 'page' : undefined}>
          Low stock
        </Link>
      </nav>
      {!res.ok ? (
        <ApiErrorNotice title="Could not load your products" errors={res.errors} />
      ) : res.data.items.length === 0 ? (
        lowStock ? (
          <div className="empty" data-testid="low-stock-empty">
            <p>None of your products is running low.</p>
          </div>
        ) : cursor ? (
          <div className="empty">
            <p>No more products.</p>
          </div>
        ) : (
          <div className="empty" data-testid="seller-empty">
            <p>You have not listed anything yet.</p>
            <Link href="/sell/new" className="button">
              List your first product
            </Link>
          </div>
        )
      ) : (
        <>
          {lowStock ? <p className="muted">Products with only a few units left to sell, listed or not.</p> : null}
          <table className="lines" aria-label={lowStock ? 'My products running low' : 'My products'}>
            <thead>
              <tr>
                <th scope="col">Title</th>
                <th scope="col" className="num">
                  Price
                </th>
                <th scope="col" className="num">
                  Listed
                </th>
                <th scope="col" className="num">
                  Available
                </th>
                <th scope="col">In the catalog</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {res.data.items.map((p) => (
                <tr key={p.id} data-testid="seller-product" data-product-id={p.id} data-listed={String(p.listed)}>
                  <td data-label="Title">{p.listed ? <Link href={`/products/${p.id}`}>{p.title}</Link> : p.title}</td>
                  <td className="num" data-label="Price">
                    {formatMoney(p.price)}
                  </td>
                  <td className="num" data-label="Listed">
                    {p.quantity}
                  </td>
                  <td className="num" data-label="Available" data-testid="product-available">
                    {p.available <= 0 ? <span className="sold-out">Sold out</span> : p.available}
                  </td>
                  <td data-label="In the catalog" data-testid="listing-state">
                    {p.listed ? 'Listed' : <span className="status status-cancelled">Unlisted</span>}
                  </td>
                  <td>
                    <div className="row-actions">
                      <Link href={`/sell/${p.id}/edit`} aria-label={`Edit ${p.title}`}>
                        Edit
                      </Link>
                      <ListingToggle product={p} />
                    </div>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <nav className="pager" aria-label="Pages">
            {cursor ? <Link href={here({})}>← First page</Link> : <span />}
            {res.data.nextCursor ? (
              <Link href={here({ cursor: res.data.nextCursor })} rel="next">
                Next page →
              </Link>
            ) : null}
          </nav>
        </>
      )}
    </>
  );
}
