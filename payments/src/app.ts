import type { Express } from 'express';
import { createApp, type ServiceContext } from '@jetmart/common';
import type { PaymentsConfig } from './config';
import type { PaymentGateway } from './gateway/payment-gateway';
import type { PaymentsModels } from './models';
import { paymentsApiDocument } from './openapi';
import { exportRouter } from './routes/export';
import { paymentsRouter } from './routes/payments';
import { payoutsRouter } from './routes/payouts';
import { sellersRouter } from './routes/sellers';

export type AppSettings = Pick<PaymentsConfig, 'JWT_KEY' | 'JWT_TTL_SECONDS' | 'PAYMENT_CURRENCY'> &
  Partial<Pick<PaymentsConfig, 'ORDER_REPLICA_WAIT_MS' | 'ADMIN_EMAILS' | 'PAYOUT_RETRY_OPEN_AFTER_SECONDS'>>;

export interface PaymentsAppDeps {
  settings: AppSettings;
  gateway: PaymentGateway;
}

export function buildApp(
  ctx: Pick<ServiceContext<PaymentsModels>, 'logger' | 'isReady' | 'models'>,
  { settings, gateway }: PaymentsAppDeps,
): Express {
  return createApp({
    logger: ctx.logger,
    jwtKey: settings.JWT_KEY,
    jwtTtlSeconds: settings.JWT_TTL_SECONDS,
    isReady: ctx.isReady,
    apiDocs: { path: '/api/payments/docs', document: paymentsApiDocument },
    routers: [
      exportRouter({ models: ctx.models }),
      paymentsRouter({
        models: ctx.models,
        gateway,
        currency: settings.PAYMENT_CURRENCY,
        orderReplicaWaitMs: settings.ORDER_REPLICA_WAIT_MS,
        ticketKey: settings.JWT_KEY,
      }),
      sellersRouter({ models: ctx.models }),
      payoutsRouter({
        models: ctx.models,
        gateway,
        currency: settings.PAYMENT_CURRENCY,
        retryAfterMs: (settings.PAYOUT_RETRY_OPEN_AFTER_SECONDS ?? 30) * 1000,
        admins: settings.ADMIN_EMAILS ?? new Set(),
      }),
    ],
  });
}
