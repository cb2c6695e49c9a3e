import Image from 'next/image';
import { photoNotice } from '@/lib/product-images';
import { IMAGE_LIMITS, type ProductImageRecord } from '@jetmart/common/contracts';

/**
 * The seller's photos of a product (on its edit page): each with "Make cover" and "Delete", and
 * an upload form. Every button is a plain form posting to /sell/:id/images (see its route), so
 * this works without JavaScript; the outcome comes back in the URL (`done`, `error`).
 */
export function ProductPhotos({
  productId,
  title,
  images,
  done,
  error,
}: {
  productId: string;
  title: string;
  images: ProductImageRecord[];
  done?: string;
  error?: string;
}) {
  const action = `/sell/${encodeURIComponent(productId)}/images`;
  const notice = photoNotice(done, error);
  const full = images.length >= IMAGE_LIMITS.maxPerProduct;
  const mb = Math.round(IMAGE_LIMITS.maxBytes / (1024 * 1024));
  return (
    <section className="panel photos" aria-labelledby="photos" data-testid="photos">
      <h2 id="photos">Photos</h2>
      {notice ? (
        <p
          className={notice.kind === 'error' ? 'form-errors' : 'notice'}
          role={notice.kind === 'error' ? 'alert' : 'status'}
          data-testid={notice.kind === 'error' ? 'photo-error' : 'photo-done'}
        >
          {notice.message}
        </p>
      ) : null}
      {images.length === 0 ? (
        <p className="muted">No photos yet. The first photo is the cover buyers see in the catalog.</p>
      ) : (
        <ol className="photo-list" aria-label="Photos of this product">
          {images.map((img, i) => (
            <li key={img.id} data-testid="seller-photo" data-image-id={img.id}>
              <Image src={img.urls.thumb} alt={`${title}, photo ${i + 1}`} width={img.width} height={img.height} unoptimized />
              {i === 0 ? (
                <span className="status status-complete" data-testid="cover-badge">
                  Cover
                </span>
              ) : (
                <form action={action} method="post">
                  <input type="hidden" name="intent" value="cover" />
                  <input type="hidden" name="imageId" value={img.id} />
                  <button type="submit" className="button-secondary button-small" aria-label={`Make cover: photo ${i + 1}`}>
                    Make cover
                  </button>
                </form>
              )}
              <form action={action} method="post">
                <input type="hidden" name="intent" value="delete" />
                <input type="hidden" name="imageId" value={img.id} />
                <button type="submit" className="button-secondary button-small" aria-label={`Delete photo ${i + 1}`}>
                  Delete
                </button>
              </form>
            </li>
          ))}
        </ol>
      )}
      {full ? (
        <p className="muted">This product has {IMAGE_LIMITS.maxPerProduct} photos, the most it can have.</p>
      ) : (
        <form action={action} method="post" encType="multipart/form-data" className="form photo-upload">
          <input type="hidden" name="intent" value="upload" />
          <div className="field">
            <label htmlFor="photo-file">Add a photo</label>
            <input
              id="photo-file"
              name="file"
              type="file"
              accept="image/jpeg,image/png,image/webp"
              required
              aria-describedby="photo-file-hint"
            />
            <p id="photo-file-hint" className="field-hint">
              JPEG, PNG or WebP, up to {mb} MB; {IMAGE_LIMITS.maxPerProduct - images.length} more can be added.
            </p>
          </div>
          <button type="submit">Upload photo</button>
        </form>
      )}
    </section>
  );
}
