import { createApp, type ServiceContext } from '@jetmart/common';
import type { Express } from 'express';
import type { ProductsModels } from './models';
import { productsApiDocument } from './openapi';
import { exportRouter } from './routes/export';
import { productsRouter } from './routes/products';

export interface ProductsAppOptions {
  jwtKey: string;
  jwtTtlSeconds: number;
  /** LOW_STOCK_THRESHOLD: `/api/products/mine?lowStock=true` shows products with this many available units or fewer. */
  lowStockThreshold?: number;
}

export function buildApp(ctx: Pick<ServiceContext<ProductsModels>, 'logger' | 'isReady' | 'models'>, opts: ProductsAppOptions): Express {
  return createApp({
    logger: ctx.logger,
    jwtKey: opts.jwtKey,
    jwtTtlSeconds: opts.jwtTtlSeconds,
    isReady: ctx.isReady,
    apiDocs: { path: '/api/products/docs', document: productsApiDocument },
    // The export first: its path must never be taken for a product id.
    routers: [exportRouter({ models: ctx.models }), productsRouter({ models: ctx.models, lowStockThreshold: opts.lowStockThreshold ?? 3 })],
  });
}
