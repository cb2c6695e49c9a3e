import { createLogger, runService } from '@jetmart/common';
import { buildApp } from './app';
import { PendingPaymentSweeper } from './background/pending-payment-sweeper';
import { loadConfig } from './config';
import { paymentsListeners } from './events/listeners';
import { createGateway } from './gateway';
import { paymentsModels } from './models';

runService(() => {
  const config = loadConfig();
  const logger = createLogger('payments');
  const gateway = createGateway(config, logger);
  return {
    name: 'payments',
    port: config.PORT,
    mongoUrl: config.MONGO_URL,
    natsUrl: config.NATS_URL,
    logger,
    models: (conn) => paymentsModels(conn),
    outboxModels: (m) => [m.Payment, m.Refund],
    listeners: (ctx) => paymentsListeners(ctx.bus, { models: ctx.models, gateway }),
    background: (ctx) => [
      new PendingPaymentSweeper(
        { models: ctx.models, gateway },
        { retryAfterMs: config.PAYMENT_RETRY_PENDING_AFTER_SECONDS * 1000, logger: ctx.logger },
      ).start(),
    ],
    app: (ctx) => buildApp(ctx, { settings: config, gateway }),
  };
});
