import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { AddToCart } from '@/components/AddToCart';
import { ApiErrorNotice } from '@/components/ApiErrorNotice';
import { ProductGallery } from '@/components/catalog/ProductGallery';
import { ProductReviews } from '@/components/catalog/ProductReviews';
import { Stars } from '@/components/catalog/Stars';
import { catalogHref } from '@/lib/catalog';
import { formatMoney } from '@/lib/money';
import { firstParam } from '@/lib/params';
import { getCurrentUser, serverApi } from '@/lib/server-api';
import { categoryPath, type MyReview, type Product, type RatingSummary, type ReviewPage } from '@jetmart/common/contracts';

type Props = {
  params: Promise<{ id: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
};

const REVIEWS_PER_PAGE = 10;
const NO_RATING: RatingSummary = { average: null, count: 0 };

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const res = await serverApi<Product>(`/api/products/${encodeURIComponent((await params).id)}`);
  return { title: res.ok ? res.data.title : 'Product' };
}

export default async function ProductPage({ params, searchParams }: Props) {
  const { id } = await params;
  const query = await searchParams;
  const path = `/api/products/${encodeURIComponent(id)}`;
  const reviewsCursor = firstParam(query.reviews);
  const reviewsQuery = new URLSearchParams({ limit: String(REVIEWS_PER_PAGE), ...(reviewsCursor ? { cursor: reviewsCursor } : {}) });
  const [res, user, reviews] = await Promise.all([
    serverApi<Product>(path),
    getCurrentUser(),
    serverApi<ReviewPage>(`${path}/reviews?${reviewsQuery}`),
  ]);
  if (!res.ok && (res.status === 404 || res.status === 400)) notFound();
  if (!res.ok) return <ApiErrorNotice title="Could not load this product" errors={res.errors} />;
  const product = res.data;
  const isOwner = user?.id === product.userId;
  const mine = user && !isOwner ? await serverApi<MyReview>(`${path}/reviews/mine`) : null;
  const rating = product.rating ?? NO_RATING;
  const crumbs = product.category ? categoryPath(product.category) : [];

  return (
    <div className="product-page">
      <div className="product" data-testid="product-page">
        <section className="panel">
          <nav aria-label="Breadcrumb" className="breadcrumb">
            <ol>
              <li>
                <Link href="/">Catalog</Link>
              </li>
              {crumbs.map((c) => (
                <li key={c.slug}>
                  <Link href={catalogHref({ q: '' }, { category: c.slug })} data-testid="breadcrumb-category">
                    {c.name}
                  </Link>
                </li>
              ))}
            </ol>
          </nav>
          <h1>{product.title}</h1>
          <p>
            <a href="#reviews-title" className="rating-link">
              <Stars rating={rating} testId="product-rating" />
            </a>
          </p>
          <ProductGallery productId={product.id} title={product.title} images={product.images ?? []} selected={firstParam(query.image)} />
          {product.description ? <p style={{ whiteSpace: 'pre-wrap' }}>{product.description}</p> : <p className="muted">No description.</p>}
        </section>
        <aside className="panel buy-box" aria-label="Buy">
          <p className="price" data-testid="product-price">
            {formatMoney(product.price)}
          </p>
          {product.available > 0 ? (
            <p className="stock" data-testid="product-available">
              {`${product.available} available`}
            </p>
          ) : null}
          {isOwner ? (
            <>
              <p className="notice">This is your listing: {product.quantity} units listed.</p>
              <Link href={`/sell/${product.id}/edit`} className="button button-secondary">
                Edit product
              </Link>
            </>
          ) : (
            <AddToCart product={product} />
          )}
        </aside>
      </div>
      <ProductReviews
        productId={product.id}
        rating={rating}
        reviews={reviews}
        mine={mine}
        user={user}
        isSeller={isOwner}
        cursor={reviewsCursor}
      />
    </div>
  );
}
