/**
 * Product images (issue 19): upload, removal, reordering and serving, for every caller (the
 * routes today). The steps of an upload, in this order:
 *   1. the product exists and the caller is its seller (nothing is decoded for anyone else);
 *   2. the bytes are checked by content and re-encoded (process.ts); a refusal stores nothing;
 *   3. the variants are written to the store under keys derived from the content;
 *   4. ONE conditional update adds the image to the product with its product.updated, only while
 *      the product has fewer than IMAGE_LIMITS.maxPerProduct images (models/product-image.ts).
 * Blobs are written before the product refers to them, so a reader never finds a picture whose
 * bytes are missing. A lost race (the 9th image), a crash between 3 and 4, or a removed picture
 * leaves blobs no product refers to: they are harmless, because the image route serves a variant
 * only for a product that lists the image (an unreferenced blob is unreachable), and the same file
 * uploaded again reuses the same keys. They cost disk only; no sweeper deletes them yet (one would
 * delete keys no product lists, after a grace period longer than an upload).
 * Removing a picture does not delete its blobs: another product may list the same content (ids
 * are per content, not per product), and deleting would race an upload of that content elsewhere.
 */
import { objectIdPattern } from '@jetmart/common';
import { IMAGE_SIZES, type ImageSize } from '@jetmart/common/contracts';
import {
  addProductImage,
  removeProductImage,
  reorderProductImages,
  type ChangeImagesOutcome,
  type ProductDoc,
  type ProductImage,
  type ProductsModels,
} from '../models';
import type { BlobStore } from './blob-store';
import { IMAGE_ID, processImage, variantKey, type ProcessOutcome } from './process';

export * from './blob-store';
export * from './s3-blob-store';
export { configureSharp, IMAGE_ID, imageIdOf, processImage, sniffFormat, variantKey } from './process';

export interface ImageDeps {
  models: ProductsModels;
  store: BlobStore;
}

export const WEBP = 'image/webp';

/** An upload refused for its content: nothing was stored. */
export type RefusedUpload = Exclude<ProcessOutcome, { kind: 'processed' }>;

export type UploadOutcome =
  | { kind: 'added'; product: ProductDoc; image: ProductImage }
  | { kind: 'already-there'; product: ProductDoc; image: ProductImage }
  | { kind: 'refused'; why: RefusedUpload }
  | { kind: 'full' }
  | { kind: 'not-found' }
  | { kind: 'forbidden' }
  | { kind: 'busy' };

const isObjectId = (id: string) => objectIdPattern.test(id);

async function ownedProduct(models: ProductsModels, productId: string, userId: string): Promise<'not-found' | 'forbidden' | ProductDoc> {
  const product = isObjectId(productId) ? await models.Product.findById(productId) : null;
  if (!product) return 'not-found';
  return product.userId === userId ? product : 'forbidden';
}

/** A seller adds a picture to their product (see the steps at the top of this file). */
export async function uploadImage(deps: ImageDeps, productId: string, userId: string, bytes: Buffer): Promise<UploadOutcome> {
  const owned = await ownedProduct(deps.models, productId, userId);
  if (typeof owned === 'string') return { kind: owned };
  const processed = await processImage(bytes);
  if (processed.kind !== 'processed') return { kind: 'refused', why: processed };
  const { id, width, height, variants } = processed.image;
  await Promise.all(IMAGE_SIZES.map((size) => deps.store.put(variantKey(id, size), variants[size], WEBP)));
  const image = { id, width, height };
  const outcome = await addProductImage(deps.models.Product, productId, image);
  switch (outcome.kind) {
    case 'added':
    case 'already-there':
      return { kind: outcome.kind, product: outcome.product, image: outcome.product.images.find((i) => i.id === id) ?? image };
    default:
      return { kind: outcome.kind };
  }
}

export type ImagesChangeOutcome = ChangeImagesOutcome | { kind: 'forbidden' };

/** A seller takes a picture off their product. */
export async function deleteImage(deps: ImageDeps, productId: string, userId: string, imageId: string): Promise<ImagesChangeOutcome> {
  const owned = await ownedProduct(deps.models, productId, userId);
  if (typeof owned === 'string') return { kind: owned };
  return removeProductImage(deps.models.Product, productId, imageId);
}

/** A seller orders their product's pictures (the first is the cover). */
export async function reorderImages(deps: ImageDeps, productId: string, userId: string, imageIds: string[]): Promise<ImagesChangeOutcome> {
  const owned = await ownedProduct(deps.models, productId, userId);
  if (typeof owned === 'string') return { kind: owned };
  return reorderProductImages(deps.models.Product, productId, imageIds);
}

/**
 * One variant of a product's picture, for anyone. Only a picture the product lists is served,
 * which is what makes blobs no product lists unreachable.
 */
export async function readVariant(
  deps: ImageDeps,
  productId: string,
  imageId: string,
  size: ImageSize,
): Promise<{ kind: 'found'; bytes: Buffer } | { kind: 'not-found' }> {
  if (!isObjectId(productId) || !IMAGE_ID.test(imageId)) return { kind: 'not-found' };
  const listed = await deps.models.Product.exists({ _id: productId, 'images.id': imageId });
  if (!listed) return { kind: 'not-found' };
  const bytes = await deps.store.get(variantKey(imageId, size));
  return bytes ? { kind: 'found', bytes } : { kind: 'not-found' };
}
export { imageStoreFrom, type ImageStoreConfig } from './store';
