import { createApp, type ServiceContext } from '@jetmart/common';
import type { Express } from 'express';
import type { BlobStore } from './images';
import type { ProductsModels } from './models';
import { productsApiDocument } from './openapi';
import { exportRouter } from './routes/export';
import { imagesRouter, imageUploadBody } from './routes/images';
import { productsRouter } from './routes/products';
import { reviewsRouter } from './routes/reviews';

export interface ProductsAppOptions {
  jwtKey: string;
  jwtTtlSeconds: number;
  /** LOW_STOCK_THRESHOLD: `/api/products/mine?lowStock=true` shows products with this many available units or fewer. */
  lowStockThreshold?: number;
  /** Where product images are kept (IMAGE_STORE: a directory locally, an S3 bucket in Kubernetes). */
  imageStore: BlobStore;
  /** ADMIN_EMAILS: who moderates reported reviews (nobody when unset). */
  admins?: ReadonlySet<string>;
}

export function buildApp(ctx: Pick<ServiceContext<ProductsModels>, 'logger' | 'isReady' | 'models'>, opts: ProductsAppOptions): Express {
  return createApp({
    logger: ctx.logger,
    jwtKey: opts.jwtKey,
    jwtTtlSeconds: opts.jwtTtlSeconds,
    isReady: ctx.isReady,
    apiDocs: { path: '/api/products/docs', document: productsApiDocument },
    // The image upload reads its body raw (the file's bytes), before the JSON parser.
    uploads: [imageUploadBody()],
    // The export first: its path must never be taken for a product id.
    routers: [
      exportRouter({ models: ctx.models }),
      productsRouter({ models: ctx.models, lowStockThreshold: opts.lowStockThreshold ?? 3 }),
      imagesRouter({ models: ctx.models, store: opts.imageStore }),
      reviewsRouter({ models: ctx.models, admins: opts.admins ?? new Set() }),
    ],
  });
}
