import Image from 'next/image';
import Link from 'next/link';
import type { ProductImageRecord } from '@jetmart/common/contracts';

/**
 * The product's photos: the chosen one large, the others as thumbnails that choose it. The choice
 * is in the URL (`?image=<id>`), so the thumbnails are plain links that work without JavaScript;
 * with it, Next swaps the photo without reloading the page or scrolling to the top.
 */
export function ProductGallery({
  productId,
  title,
  images,
  selected,
}: {
  productId: string;
  title: string;
  images: ProductImageRecord[];
  selected?: string;
}) {
  if (images.length === 0) {
    return (
      <div className="gallery gallery-empty" data-testid="gallery">
        <p className="muted">No photos yet.</p>
      </div>
    );
  }
  const index = Math.max(
    0,
    images.findIndex((img) => img.id === selected),
  );
  const current = images[index];
  return (
    <figure className="gallery" data-testid="gallery" data-image-id={current.id}>
      <a href={current.urls.large} className="gallery-main" data-testid="gallery-main">
        <Image
          src={current.urls.large}
          alt={`${title}, photo ${index + 1} of ${images.length}`}
          width={current.width || 1200}
          height={current.height || 900}
          unoptimized
        />
      </a>
      {images.length > 1 ? (
        <ul className="thumbs" aria-label="Photos">
          {images.map((img, i) => (
            <li key={img.id}>
              <Link
                href={`/products/${productId}?image=${encodeURIComponent(img.id)}`}
                scroll={false}
                replace
                aria-current={i === index ? 'true' : undefined}
                data-testid="gallery-thumb"
                data-image-id={img.id}
              >
                <Image src={img.urls.thumb} alt={`Show photo ${i + 1} of ${images.length}`} width={80} height={80} unoptimized />
              </Link>
            </li>
          ))}
        </ul>
      ) : null}
    </figure>
  );
}
