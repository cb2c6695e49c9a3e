import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { AddToCart } from '@/components/AddToCart';
import { ApiErrorNotice } from '@/components/ApiErrorNotice';
import { formatMoney } from '@/lib/money';
import { getCurrentUser, serverApi } from '@/lib/server-api';
import type { Product } from '@jetmart/common/contracts';

type Props = { params: Promise<{ id: string }> };

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const res = await serverApi<Product>(`/api/products/${encodeURIComponent((await params).id)}`);
  return { title: res.ok ? res.data.title : 'Product' };
}

export default async function ProductPage({ params }: Props) {
  const { id } = await params;
  const [res, user] = await Promise.all([serverApi<Product>(`/api/products/${encodeURIComponent(id)}`), getCurrentUser()]);
  if (!res.ok && (res.status === 404 || res.status === 400)) notFound();
  if (!res.ok) return <ApiErrorNotice title="Could not load this product" errors={res.errors} />;
  const product = res.data;
  const isOwner = user?.id === product.userId;

  return (
    <div className="product" data-testid="product-page">
      <section className="panel">
        <p>
          <Link href="/">← Catalog</Link>
        </p>
        <h1>{product.title}</h1>
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
  );
}
