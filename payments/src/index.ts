import { createLogger, runService } from '@jetmart/common';
import { buildApp } from './app';
import { ClosedAccountPayer } from './background/closed-account-payer';
import { OpenPayoutSweeper } from './background/open-payout-sweeper';
import { PendingPaymentSweeper } from './background/pending-payment-sweeper';
import { loadConfig } from './config';
import { paymentsListeners } from './events/listeners';
import { createGateway } from './gateway';
import { paymentsModels, type PaymentsModels } from './models';

runService(() => {
  const config = loadConfig();
  const logger = createLogger('payments');
  const gateway = createGateway(config, logger);
  const payoutDeps = (models: PaymentsModels) => ({
    models,
    gateway,
    currency: config.PAYMENT_CURRENCY,
    retryAfterMs: config.PAYOUT_RETRY_OPEN_AFTER_SECONDS * 1000,
  });
  return {
    name: 'payments',
    port: config.PORT,
    mongoUrl: config.MONGO_URL,
    natsUrl: config.NATS_URL,
    logger,
    models: (conn) => paymentsModels(conn),
    outboxModels: (m) => [m.Payment, m.Refund, m.Payout],
    listeners: (ctx) => paymentsListeners(ctx.bus, { models: ctx.models, gateway, commissionPercent: config.PLATFORM_COMMISSION_PERCENT }),
    background: (ctx) => [
      new PendingPaymentSweeper(
        { models: ctx.models, gateway },
        { retryAfterMs: config.PAYMENT_RETRY_PENDING_AFTER_SECONDS * 1000, logger: ctx.logger },
      ).start(),
      new OpenPayoutSweeper(payoutDeps(ctx.models), { logger: ctx.logger }).start(),
      new ClosedAccountPayer(payoutDeps(ctx.models), { logger: ctx.logger }).start(),
    ],
    app: (ctx) => buildApp(ctx, { settings: config, gateway }),
  };
});
