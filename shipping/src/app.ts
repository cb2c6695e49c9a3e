import type { Express } from 'express';
import { createApp, type ServiceContext } from '@jetmart/common';
import type { ShippingModels } from './models';
import { shippingApiDocument } from './openapi';
import { exportRouter } from './routes/export';
import { shipmentsRouter } from './routes/shipments';

export interface ShippingAppOptions {
  jwtKey: string;
  jwtTtlSeconds: number;
  /** How long after shipping a shipment auto-delivers (SHIPPING_AUTO_DELIVER_DAYS/SECONDS). */
  autoDeliverAfterMs: number;
  /** How long after delivery a shipment can be returned (RETURN_WINDOW_DAYS/SECONDS). */
  returnWindowMs: number;
}

export function buildApp(ctx: Pick<ServiceContext<ShippingModels>, 'logger' | 'isReady' | 'models'>, opts: ShippingAppOptions): Express {
  return createApp({
    logger: ctx.logger,
    jwtKey: opts.jwtKey,
    jwtTtlSeconds: opts.jwtTtlSeconds,
    isReady: ctx.isReady,
    apiDocs: { path: '/api/shipments/docs', document: shippingApiDocument },
    // The export first: its path must never be taken for a shipment id.
    routers: [
      exportRouter({ models: ctx.models }),
      shipmentsRouter({ models: ctx.models, autoDeliverAfterMs: opts.autoDeliverAfterMs, returnWindowMs: opts.returnWindowMs }),
    ],
  });
}
