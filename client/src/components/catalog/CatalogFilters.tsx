import Link from 'next/link';
import {
  catalogHref,
  categoryChoices,
  categoryCounts,
  filterFields,
  isPriceSelected,
  priceFacet,
  priceFilter,
  priceLabel,
  ratingLabel,
  type CatalogState,
} from '@/lib/catalog';
import { RATING_FACET_MINIMUMS, type SearchFacets } from '@jetmart/common/contracts';

/** One choice of a facet: a link that applies it (or, when it is in force, takes it off again). */
function Choice({
  href,
  selected,
  label,
  count,
  testId,
}: {
  href: string;
  selected: boolean;
  label: string;
  count?: number;
  testId: string;
}) {
  return (
    <li>
      <Link
        href={href}
        className={selected ? 'facet-choice facet-selected' : 'facet-choice'}
        aria-current={selected ? 'true' : undefined}
        data-testid={testId}
        data-count={count}
        rel="nofollow"
      >
        <span className="facet-label">{label}</span>
        {count !== undefined ? (
          <span className="facet-count">
            <span className="visually-hidden">, </span>
            {count}
            <span className="visually-hidden"> products</span>
          </span>
        ) : null}
      </Link>
    </li>
  );
}

/**
 * The sidebar: categories (from the shared tree, counted with their children), price buckets,
 * minimum rating and in-stock, each count from the API's filter-adjusted facets (a facet's counts
 * apply every other filter, so they say what clicking would give).
 */
export function CatalogFilters({ state, facets }: { state: CatalogState; facets: SearchFacets }) {
  const counts = categoryCounts(facets);
  const { path, options } = categoryChoices(state.category);
  const prices = priceFacet(facets);
  const ratingCount = (min: number) => facets.rating.find((r) => r.min === min)?.count ?? 0;
  const inStockCount = facets.inStock.find((f) => f.value)?.count ?? 0;
  const customPrice = state.minPrice !== undefined || state.maxPrice !== undefined ? !prices.some((b) => isPriceSelected(state, b)) : false;

  return (
    <aside className="filters panel" aria-label="Filters" data-testid="filters">
      <nav aria-labelledby="facet-category">
        <h2 id="facet-category">Category</h2>
        <ul className="facet" data-testid="facet-category">
          {state.category ? (
            <li>
              <Link href={catalogHref(state, { category: undefined })} className="facet-choice">
                ← All categories
              </Link>
            </li>
          ) : null}
          {path.map((node) => (
            <Choice
              key={node.slug}
              href={catalogHref(state, { category: node.slug })}
              selected={node.slug === state.category}
              label={node.name}
              count={counts.get(node.slug) ?? 0}
              testId={`category-${node.slug}`}
            />
          ))}
          {options
            .filter((node) => (counts.get(node.slug) ?? 0) > 0 || node.slug === state.category)
            .map((node) => (
              <Choice
                key={node.slug}
                href={catalogHref(state, { category: node.slug === state.category ? undefined : node.slug })}
                selected={node.slug === state.category}
                label={node.name}
                count={counts.get(node.slug) ?? 0}
                testId={`category-${node.slug}`}
              />
            ))}
        </ul>
      </nav>

      <section aria-labelledby="facet-price">
        <h2 id="facet-price">Price</h2>
        <ul className="facet" data-testid="facet-price">
          {prices.map((bucket) => {
            const selected = isPriceSelected(state, bucket);
            return (
              <Choice
                key={bucket.min}
                href={catalogHref(state, selected ? { minPrice: undefined, maxPrice: undefined } : priceFilter(bucket))}
                selected={selected}
                label={priceLabel(bucket)}
                count={bucket.count}
                testId={`price-${bucket.min}`}
              />
            );
          })}
        </ul>
        <form className="price-range" action="/" method="get" aria-label="Price range">
          {filterFields(state, ['minPrice', 'maxPrice']).map(([name, value]) => (
            <input key={name} type="hidden" name={name} value={value} />
          ))}
          <label htmlFor="minPrice">Min $</label>
          <input id="minPrice" name="minPrice" inputMode="decimal" size={5} defaultValue={customPrice ? state.minPrice : undefined} />
          <label htmlFor="maxPrice">Max $</label>
          <input id="maxPrice" name="maxPrice" inputMode="decimal" size={5} defaultValue={customPrice ? state.maxPrice : undefined} />
          <button type="submit" className="button-secondary button-small">
            Go
          </button>
        </form>
      </section>

      <section aria-labelledby="facet-rating">
        <h2 id="facet-rating">Customer rating</h2>
        <ul className="facet" data-testid="facet-rating">
          {RATING_FACET_MINIMUMS.map((min) => {
            const selected = state.minRating === min;
            return (
              <Choice
                key={min}
                href={catalogHref(state, { minRating: selected ? undefined : min })}
                selected={selected}
                label={ratingLabel(min)}
                count={ratingCount(min)}
                testId={`rating-${min}`}
              />
            );
          })}
        </ul>
      </section>

      <section aria-labelledby="facet-stock">
        <h2 id="facet-stock">Availability</h2>
        <ul className="facet" data-testid="facet-stock">
          <Choice
            href={catalogHref(state, { inStock: state.inStock ? undefined : true })}
            selected={!!state.inStock}
            label="In stock only"
            count={inStockCount}
            testId="in-stock"
          />
        </ul>
      </section>
    </aside>
  );
}
