import type { Metadata } from 'next';
import Link from 'next/link';
import { ApiErrorNotice } from '@/components/ApiErrorNotice';
import { ProductCard } from '@/components/ProductCard';
import { firstParam } from '@/lib/params';
import { serverApi } from '@/lib/server-api';
import type { ProductPage } from '@jetmart/common/contracts';

const PAGE_SIZE = 12;

type Props = { searchParams: Promise<Record<string, string | string[] | undefined>> };

export async function generateMetadata({ searchParams }: Props): Promise<Metadata> {
  const q = (firstParam((await searchParams).q) ?? '').trim();
  // `absolute`: the layout's title template applies to child segments only, not to this page beside it.
  return { title: { absolute: `${q ? `Results for “${q}”` : 'Catalog'} · jetmart` } };
}

export default async function CatalogPage({ searchParams }: Props) {
  const params = await searchParams;
  const q = (firstParam(params.q) ?? '').trim();
  const cursor = firstParam(params.cursor);

  const query = new URLSearchParams({ limit: String(PAGE_SIZE) });
  if (q) query.set('q', q);
  if (cursor) query.set('cursor', cursor);
  const result = await serverApi<ProductPage>(`/api/products?${query}`);

  const nextHref = (next: string) => `/?${new URLSearchParams({ ...(q ? { q } : {}), cursor: next })}`;
  const firstHref = q ? `/?${new URLSearchParams({ q })}` : '/';

  return (
    <>
      <h1>{q ? `Results for “${q}”` : 'Catalog'}</h1>
      <form className="search" role="search" action="/" method="get">
        <label htmlFor="q" className="visually-hidden">
          Search products
        </label>
        <input id="q" name="q" type="search" placeholder="Search products" defaultValue={q} />
        <button type="submit">Search</button>
      </form>

      {!result.ok ? (
        <ApiErrorNotice title="Could not load products" errors={result.errors} />
      ) : result.data.items.length === 0 ? (
        <div className="empty" data-testid="catalog-empty">
          {q ? (
            <p>
              No products match “{q}”. <Link href="/">Show all products</Link>
            </p>
          ) : cursor ? (
            <p>
              No more products. <Link href="/">Back to the first page</Link>
            </p>
          ) : (
            <p>
              No products yet. <Link href="/sell/new">List the first one</Link>
            </p>
          )}
        </div>
      ) : (
        <>
          <ul className="grid" aria-label="Products">
            {result.data.items.map((p) => (
              <li key={p.id}>
                <ProductCard product={p} />
              </li>
            ))}
          </ul>
          <nav className="pager" aria-label="Pages">
            {cursor ? <Link href={firstHref}>← First page</Link> : <span />}
            {result.data.nextCursor ? (
              <Link href={nextHref(result.data.nextCursor)} rel="next">
                Next page →
              </Link>
            ) : null}
          </nav>
        </>
      )}
    </>
  );
}
