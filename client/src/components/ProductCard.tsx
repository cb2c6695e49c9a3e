import Link from 'next/link';
import { formatMoney } from '@/lib/money';
import type { Product } from '@jetmart/common/contracts';

export function ProductCard({ product }: { product: Product }) {
  const soldOut = product.available <= 0;
  return (
    <article className="card" data-testid="product-card" data-product-id={product.id}>
      <h2>
        <Link href={`/products/${product.id}`} className="card-link">
          {product.title}
        </Link>
      </h2>
      {product.description ? <p className="description">{product.description}</p> : <p className="description" />}
      <p className="price">{formatMoney(product.price)}</p>
      {soldOut ? <span className="sold-out">Sold out</span> : <span className="stock">{product.available} available</span>}
    </article>
  );
}
