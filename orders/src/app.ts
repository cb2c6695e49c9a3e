import { createApp, type ServiceContext } from '@jetmart/common';
import type { Express } from 'express';
import type { OrdersModels } from './models';
import { ordersApiDocument } from './openapi';
import { exportRouter } from './routes/export';
import { ordersRouter } from './routes/orders';
import { returnsRouter } from './routes/returns';
import { salesRouter } from './routes/sales';

export interface OrdersAppOptions {
  jwtKey: string;
  jwtTtlSeconds: number;
  expirationSeconds: number;
}

export function buildApp(ctx: Pick<ServiceContext<OrdersModels>, 'logger' | 'isReady' | 'models'>, opts: OrdersAppOptions): Express {
  return createApp({
    logger: ctx.logger,
    jwtKey: opts.jwtKey,
    jwtTtlSeconds: opts.jwtTtlSeconds,
    isReady: ctx.isReady,
    apiDocs: { path: '/api/orders/docs', document: ordersApiDocument },
    // The export first: its path must never be taken for an order id.
    routers: [
      exportRouter({ models: ctx.models }),
      ordersRouter({ models: ctx.models, expirationSeconds: opts.expirationSeconds, jwtKey: opts.jwtKey }),
      returnsRouter({ models: ctx.models }),
      salesRouter({ models: ctx.models }),
    ],
  });
}
