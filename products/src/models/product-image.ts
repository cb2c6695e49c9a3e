import { Schema } from 'mongoose';
import { IMAGE_LIMITS } from '@jetmart/common/contracts';
import { outboxEntry, Subjects } from '@jetmart/common';
import type { ProductDoc, ProductModel } from './product';

/** One picture of a product as the product keeps it; its bytes (the variants) are in the image store. */
export interface ProductImage {
  /** Derived from the uploaded bytes (images/process.ts imageIdOf). */
  id: string;
  /** Of the upload, as shown (after its EXIF orientation). */
  width: number;
  height: number;
}

export const productImageSchema = new Schema<ProductImage>(
  {
    id: { type: String, required: true },
    width: { type: Number, required: true, min: 1 },
    height: { type: Number, required: true, min: 1 },
  },
  { _id: false },
);

/** Version-conditioned writes retry this often when another change to the product came first. */
const ATTEMPTS = 25;

export type AddImageOutcome =
  | { kind: 'added'; product: ProductDoc }
  | { kind: 'already-there'; product: ProductDoc }
  | { kind: 'full'; product: ProductDoc }
  | { kind: 'not-found' }
  | { kind: 'busy' };

/** The product.updated payload of `product` at `version` with `images` as its pictures. */
function updatedEvent(product: ProductDoc, images: ProductImage[]) {
  return outboxEntry(Subjects.ProductUpdated, { ...product.eventData(product.version + 1), images: images.map((i) => i.id) });
}

/**
 * Adds `image` as the product's last picture, with its product.updated, in ONE conditional update
 * that matches only while the product has fewer than IMAGE_LIMITS.maxPerProduct pictures (no
 * element at index max-1) and still is the version the event describes. That filter is the only
 * place that lets an image in: concurrent uploads each try it, and the database lets at most the
 * remaining number through (FerretDB: under the document lock). A miss is re-read: full (refused)
 * or someone else changed the product first (try again on the new version).
 */
export async function addProductImage(Product: ProductModel, productId: string, image: ProductImage): Promise<AddImageOutcome> {
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const product = await Product.findById(productId);
    if (!product) return { kind: 'not-found' };
    if (product.images.some((i) => i.id === image.id)) return { kind: 'already-there', product };
    // Already full when read: no update could add it (and no valid event lists a ninth image).
    if (product.images.length >= IMAGE_LIMITS.maxPerProduct) return { kind: 'full', product };
    const { modifiedCount } = await Product.updateOne(
      { _id: product._id, version: product.version, [`images.${IMAGE_LIMITS.maxPerProduct - 1}`]: { $exists: false } },
      {
        $push: { images: image, outbox: updatedEvent(product, [...product.images, image]) },
        $inc: { version: 1 },
      },
    );
    if (modifiedCount === 1) {
      const added = await Product.findById(productId);
      if (added) return { kind: 'added', product: added };
    }
  }
  return { kind: 'busy' };
}

export type ChangeImagesOutcome =
  | { kind: 'changed'; product: ProductDoc }
  | { kind: 'unchanged'; product: ProductDoc }
  | { kind: 'no-such-image'; product: ProductDoc }
  | { kind: 'not-the-same-images'; product: ProductDoc }
  | { kind: 'not-found' }
  | { kind: 'busy' };

/**
 * Replaces the product's pictures by `next(current)` (removal, reordering) with its
 * product.updated, conditioned on the version it read; retried when another change came first.
 * `next` returns an outcome instead of a list when the change does not apply.
 */
async function changeImages(
  Product: ProductModel,
  productId: string,
  next: (current: ProductImage[]) => ProductImage[] | 'unchanged' | 'no-such-image' | 'not-the-same-images',
): Promise<ChangeImagesOutcome> {
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const product = await Product.findById(productId);
    if (!product) return { kind: 'not-found' };
    const current = product.images.map((i) => ({ id: i.id, width: i.width, height: i.height }));
    const images = next(current);
    if (typeof images === 'string') return { kind: images, product };
    const { modifiedCount } = await Product.updateOne(
      { _id: product._id, version: product.version },
      { $set: { images }, $push: { outbox: updatedEvent(product, images) }, $inc: { version: 1 } },
    );
    if (modifiedCount === 1) {
      const changed = await Product.findById(productId);
      if (changed) return { kind: 'changed', product: changed };
    }
  }
  return { kind: 'busy' };
}

/** Takes the picture `imageId` off the product (its variants stay in the store: see images/index.ts). */
export function removeProductImage(Product: ProductModel, productId: string, imageId: string): Promise<ChangeImagesOutcome> {
  return changeImages(Product, productId, (current) =>
    current.some((i) => i.id === imageId) ? current.filter((i) => i.id !== imageId) : 'no-such-image',
  );
}

/** Puts the product's pictures in the order of `imageIds` (the first is the cover): exactly its pictures, each once. */
export function reorderProductImages(Product: ProductModel, productId: string, imageIds: string[]): Promise<ChangeImagesOutcome> {
  return changeImages(Product, productId, (current) => {
    const byId = new Map(current.map((i) => [i.id, i]));
    if (imageIds.length !== current.length || new Set(imageIds).size !== imageIds.length || !imageIds.every((id) => byId.has(id))) {
      return 'not-the-same-images';
    }
    if (imageIds.every((id, n) => current[n]!.id === id)) return 'unchanged';
    return imageIds.map((id) => byId.get(id)!);
  });
}
