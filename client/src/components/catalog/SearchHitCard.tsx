import Image from 'next/image';
import Link from 'next/link';
import { categoryName } from '@/lib/catalog';
import { formatMoney } from '@/lib/money';
import type { SearchHit } from '@jetmart/common/contracts';
import { Stars } from './Stars';

/**
 * One product of the catalog's results. The cover is the API's medium variant (already resized:
 * `unoptimized` keeps Next from fetching it again through its own optimiser, which cannot reach
 * the API's path from the storefront's server). Its box is 4:3 whatever the photo (search does not
 * know the photo's size: it answers 0 × 0); CSS crops to fill it.
 */
export function SearchHitCard({ hit }: { hit: SearchHit }) {
  return (
    <article className="card" data-testid="product-card" data-product-id={hit.id} data-category={hit.category}>
      {hit.image ? (
        <Image className="card-image" src={hit.image.urls.medium} alt="" width={480} height={360} unoptimized />
      ) : (
        <div className="card-image card-image-none" aria-hidden="true" />
      )}
      <h2>
        <Link href={`/products/${hit.id}`} className="card-link">
          {hit.title}
        </Link>
      </h2>
      <p className="card-category">{categoryName(hit.category)}</p>
      <p className="price" data-testid="card-price">
        {formatMoney(hit.price)}
      </p>
      <Stars rating={hit.rating} compact testId="card-rating" />
      {hit.inStock ? <span className="stock">In stock</span> : <span className="sold-out">Sold out</span>}
    </article>
  );
}
