import express, { Router } from 'express';
import { z } from 'zod';
import {
  BadRequestError,
  ConflictError,
  CustomError,
  ForbiddenError,
  NotFoundError,
  requireAuth,
  ServiceUnavailableError,
  validateBody,
} from '@jetmart/common';
import { IMAGE_LIMITS, IMAGE_SIZES, type ImageSize } from '@jetmart/common/contracts';
import {
  deleteImage,
  readVariant,
  reorderImages,
  uploadImage,
  WEBP,
  type ImageDeps,
  type ImagesChangeOutcome,
  type RefusedUpload,
} from '../images';
import { ratingSummaries, unitsTaken, type ProductDoc } from '../models';
import { presentImage, presentProduct } from './presenters';

const UPLOAD_PATH = '/api/products/:id/images';

class UnsupportedMediaTypeError extends CustomError {
  readonly statusCode = 415;
}

/**
 * The upload's body parser: the file's bytes as they are, whatever Content-Type the client
 * declared (the content decides, not the label). Mounted before the app's JSON parser (createApp's
 * `uploads`), which then leaves the already-read body alone, so even `application/json` is read
 * raw. Over IMAGE_LIMITS.maxBytes: 413 in the standard error shape (the error handler maps
 * body-parser's `entity.too.large`).
 */
export function imageUploadBody(): Router {
  const router = Router();
  router.post(UPLOAD_PATH, express.raw({ type: () => true, limit: IMAGE_LIMITS.maxBytes }));
  return router;
}

const MiB = IMAGE_LIMITS.maxBytes / (1024 * 1024);

function refusal(why: RefusedUpload): CustomError {
  switch (why.kind) {
    case 'empty':
      return new BadRequestError("The request body is empty: send the image file's bytes as the body");
    case 'unsupported-type':
      return new UnsupportedMediaTypeError(`Only JPEG, PNG or WebP images are accepted (up to ${MiB} MB); this file is none of them`);
    case 'too-many-pixels':
      return new BadRequestError(
        `The image is ${why.width}×${why.height} pixels: at most ${IMAGE_LIMITS.maxPixels} pixels and ${IMAGE_LIMITS.maxSide} per side`,
      );
    case 'undecodable':
      return new BadRequestError(`The image could not be read (${why.reason}): it may be truncated or damaged`);
  }
}

function changed(outcome: ImagesChangeOutcome): ProductDoc {
  switch (outcome.kind) {
    case 'changed':
    case 'unchanged':
      return outcome.product;
    case 'not-found':
      throw new NotFoundError('Product not found');
    case 'forbidden':
      throw new ForbiddenError('Only the seller can change this product');
    case 'no-such-image':
      throw new NotFoundError('This product has no such image');
    case 'not-the-same-images':
      throw new BadRequestError("imageIds must list each of the product's images exactly once", 'imageIds');
    case 'busy':
      throw new ServiceUnavailableError('The product is changing a lot right now, try again');
  }
}

const orderBody = z.object({
  imageIds: z
    .array(z.string({ error: 'each image id must be a string' }).max(64, 'not an image id'), {
      error: 'imageIds must be a list of image ids',
    })
    .max(IMAGE_LIMITS.maxPerProduct, `a product has at most ${IMAGE_LIMITS.maxPerProduct} images`),
});

const isSize = (s: string): s is ImageSize => (IMAGE_SIZES as readonly string[]).includes(s);

/** The variants never change under a URL (the id is the content's), so they may be cached for good. */
const IMMUTABLE = 'public, max-age=31536000, immutable';

export function imagesRouter(deps: ImageDeps): Router {
  const router = Router();

  const presentWithStock = async (product: ProductDoc) => {
    const taken = (await unitsTaken(deps.models.UnitLedger, [product.id as string])).get(product.id as string) ?? 0;
    const rating = (await ratingSummaries(deps.models.ProductRating, [product.id as string])).get(product.id as string);
    return presentProduct(product, taken, { rating });
  };

  router.post(UPLOAD_PATH, requireAuth, async (req, res) => {
    const bytes = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const productId = String(req.params.id);
    const outcome = await uploadImage(deps, productId, req.currentUser!.id, bytes);
    switch (outcome.kind) {
      case 'added':
      case 'already-there':
        // The same file again is the same image: 200 with it, nothing added.
        res.status(outcome.kind === 'added' ? 201 : 200).json(presentImage(productId, outcome.image));
        return;
      case 'refused':
        throw refusal(outcome.why);
      case 'full':
        throw new ConflictError(`A product has at most ${IMAGE_LIMITS.maxPerProduct} images: delete one first`);
      case 'not-found':
        throw new NotFoundError('Product not found');
      case 'forbidden':
        throw new ForbiddenError('Only the seller can change this product');
      case 'busy':
        throw new ServiceUnavailableError('The product is changing a lot right now, try again');
    }
  });

  // Before `/:imageId`: "order" is not an image id.
  router.put('/api/products/:id/images/order', requireAuth, validateBody(orderBody), async (req, res) => {
    const { imageIds } = req.body as z.infer<typeof orderBody>;
    const product = changed(await reorderImages(deps, String(req.params.id), req.currentUser!.id, imageIds));
    res.json(await presentWithStock(product));
  });

  router.delete('/api/products/:id/images/:imageId', requireAuth, async (req, res) => {
    const product = changed(await deleteImage(deps, String(req.params.id), req.currentUser!.id, String(req.params.imageId)));
    res.json(await presentWithStock(product));
  });

  router.get('/api/products/:id/images/:imageId/:size', async (req, res) => {
    const size = String(req.params.size);
    if (!isSize(size)) throw new NotFoundError(`No such size: one of ${IMAGE_SIZES.join(', ')}`);
    const imageId = String(req.params.imageId);
    const found = await readVariant(deps, String(req.params.id), imageId, size);
    if (found.kind === 'not-found') throw new NotFoundError('Image not found');
    // The id is the upload's content and the size fixes the variant: a strong validator.
    const etag = `"${imageId}-${size}"`;
    res.set({ ETag: etag, 'Cache-Control': IMMUTABLE, 'X-Content-Type-Options': 'nosniff' });
    const ifNoneMatch = req.get('If-None-Match');
    if (ifNoneMatch && ifNoneMatch.split(',').some((t) => t.trim().replace(/^W\//, '') === etag || t.trim() === '*')) {
      res.status(304).end();
      return;
    }
    res.type(WEBP).send(found.bytes);
  });

  return router;
}
