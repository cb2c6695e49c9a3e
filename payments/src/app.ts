import type { Express } from 'express';
import { createApp, type ServiceContext } from '@jetmart/common';
import type { PaymentsConfig } from './config';
import type { PaymentGateway } from './gateway/payment-gateway';
import { paymentsApiDocument } from './openapi';
import { paymentsRouter } from './routes/payments';

export type AppSettings = Pick<PaymentsConfig, 'JWT_KEY' | 'JWT_TTL_SECONDS' | 'PAYMENT_CURRENCY'> &
  Partial<Pick<PaymentsConfig, 'ORDER_REPLICA_WAIT_MS'>>;

export function buildApp(ctx: Pick<ServiceContext, 'logger' | 'isReady' | 'relay'>, settings: AppSettings, gateway: PaymentGateway): Express {
  return createApp({
    logger: ctx.logger,
    jwtKey: settings.JWT_KEY,
    jwtTtlSeconds: settings.JWT_TTL_SECONDS,
    isReady: ctx.isReady,
    apiDocs: { path: '/api/payments/docs', document: paymentsApiDocument },
    routers: [paymentsRouter({
        gateway,
        currency: settings.PAYMENT_CURRENCY,
        kick: () => ctx.relay?.kick(),
        orderReplicaWaitMs: settings.ORDER_REPLICA_WAIT_MS,
      })],
  });
}
