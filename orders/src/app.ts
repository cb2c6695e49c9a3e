import { createApp, type ServiceContext } from '@jetmart/common';
import type { Express } from 'express';
import type { OrdersModels } from './models';
import { ordersApiDocument } from './openapi';
import { ordersRouter } from './routes/orders';

export interface OrdersAppOptions {
  models: OrdersModels;
  jwtKey: string;
  jwtTtlSeconds: number;
  expirationSeconds: number;
}

export function buildApp(ctx: Pick<ServiceContext, 'logger' | 'relay' | 'isReady'>, opts: OrdersAppOptions): Express {
  return createApp({
    logger: ctx.logger,
    jwtKey: opts.jwtKey,
    jwtTtlSeconds: opts.jwtTtlSeconds,
    isReady: ctx.isReady,
    apiDocs: { path: '/api/orders/docs', document: ordersApiDocument },
    routers: [ordersRouter({ models: opts.models, relay: ctx.relay, expirationSeconds: opts.expirationSeconds })],
  });
}
