import type { Metadata } from 'next';
import Link from 'next/link';
import { ApiErrorNotice } from '@/components/ApiErrorNotice';
import { CatalogFilters } from '@/components/catalog/CatalogFilters';
import { SearchHitCard } from '@/components/catalog/SearchHitCard';
import {
  catalogHref,
  categoryName,
  effectiveSort,
  filterFields,
  hasFilters,
  parseCatalogParams,
  searchPath,
  SORT_LABELS,
} from '@/lib/catalog';
import { serverApi } from '@/lib/server-api';
import { SEARCH_SORTS, type SearchResponse } from '@jetmart/common/contracts';

const PAGE_SIZE = 12;

type Props = { searchParams: Promise<Record<string, string | string[] | undefined>> };

export async function generateMetadata({ searchParams }: Props): Promise<Metadata> {
  const state = parseCatalogParams(await searchParams);
  const what = state.q ? `Results for “${state.q}”` : state.category ? categoryName(state.category) : 'Catalog';
  // `absolute`: the layout's title template applies to child segments only, not to this page beside it.
  return { title: { absolute: `${what} · jetmart` } };
}

/**
 * The catalog: GET /api/search with the page's URL as its query. Every control is a link or a
 * GET form, so searching, filtering, sorting and paging work before (or without) JavaScript and
 * every state has its own URL.
 */
export default async function CatalogPage({ searchParams }: Props) {
  const state = parseCatalogParams(await searchParams);
  const result = await serverApi<SearchResponse>(searchPath(state, PAGE_SIZE));
  const heading = state.q ? `Results for “${state.q}”` : state.category ? categoryName(state.category) : 'Catalog';
  const filtered = hasFilters(state);

  return (
    <>
      <h1>{heading}</h1>
      <form className="search" role="search" action="/" method="get">
        <label htmlFor="q" className="visually-hidden">
          Search products
        </label>
        <input id="q" name="q" type="search" placeholder="Search products" defaultValue={state.q} />
        {/* A new search keeps the filters in force (a search inside "Lighting" stays in Lighting). */}
        {filterFields(state, ['q', 'sort']).map(([name, value]) => (
          <input key={name} type="hidden" name={name} value={value} />
        ))}
        <button type="submit">Search</button>
      </form>

      {!result.ok ? (
        <ApiErrorNotice title="Could not load products" errors={result.errors} />
      ) : (
        <div className="catalog">
          <CatalogFilters state={state} facets={result.data.facets} />
          <section className="results" aria-labelledby="results-heading">
            <h2 id="results-heading" className="visually-hidden">
              Results
            </h2>
            <div className="results-head">
              <p className="result-count" role="status" data-testid="result-count" data-total={result.data.total}>
                {result.data.total === 1 ? '1 product' : `${result.data.total.toLocaleString('en-US')} products`}
                {filtered ? (
                  <>
                    {' '}
                    · <Link href={catalogHref({ q: state.q, sort: state.sort })}>Clear filters</Link>
                  </>
                ) : null}
              </p>
              <form className="sort" action="/" method="get">
                {filterFields(state, ['sort']).map(([name, value]) => (
                  <input key={name} type="hidden" name={name} value={value} />
                ))}
                <label htmlFor="sort">Sort by</label>
                <select id="sort" name="sort" defaultValue={effectiveSort(state)}>
                  {SEARCH_SORTS.map((s) => (
                    <option key={s} value={s}>
                      {SORT_LABELS[s]}
                    </option>
                  ))}
                </select>
                <button type="submit" className="button-secondary button-small">
                  Sort
                </button>
              </form>
            </div>
            {result.data.didYouMean ? (
              <p className="did-you-mean" data-testid="did-you-mean">
                Did you mean{' '}
                <Link href={catalogHref(state, { q: result.data.didYouMean })}>
                  <strong>{result.data.didYouMean}</strong>
                </Link>
                ?
              </p>
            ) : null}
            {result.data.hits.length === 0 ? (
              <div className="empty" data-testid="catalog-empty">
                {state.q || filtered ? (
                  <p>
                    No products match {state.q ? `“${state.q}”` : 'these filters'}. <Link href="/">Show all products</Link>
                  </p>
                ) : state.cursor ? (
                  <p>
                    No more products. <Link href={catalogHref(state)}>Back to the first page</Link>
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
                  {result.data.hits.map((hit) => (
                    <li key={hit.id}>
                      <SearchHitCard hit={hit} />
                    </li>
                  ))}
                </ul>
                <nav className="pager" aria-label="Pages">
                  {state.cursor ? <Link href={catalogHref(state)}>← First page</Link> : <span />}
                  {result.data.nextCursor ? (
                    <Link href={catalogHref(state, { cursor: result.data.nextCursor })} rel="next">
                      Next page →
                    </Link>
                  ) : null}
                </nav>
              </>
            )}
          </section>
        </div>
      )}
    </>
  );
}
