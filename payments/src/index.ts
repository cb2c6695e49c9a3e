import { createLogger, runService } from '@jetmart/common';
import { buildApp } from './app';
import { loadConfig } from './config';
import { OrderCancelledListener } from './events/listeners/order-cancelled-listener';
import { OrderCompletedListener } from './events/listeners/order-completed-listener';
import { OrderCreatedListener } from './events/listeners/order-created-listener';
import { createGateway } from './gateway';
import { Payment } from './models/payment';
import { PendingPaymentSweeper } from './models/pending-payment-sweeper';

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
    outboxModels: [Payment],
    listeners: ({ bus }) => [
      new OrderCreatedListener(bus, 'payments'),
      new OrderCancelledListener(bus, 'payments', gateway),
      new OrderCompletedListener(bus, 'payments'),
    ],
    background: (ctx) => [
      new PendingPaymentSweeper(
        { gateway, kick: () => ctx.relay?.kick() },
        { retryAfterMs: config.PAYMENT_RETRY_PENDING_AFTER_SECONDS * 1000, logger: ctx.logger },
      ).start(),
    ],
    app: (ctx) => buildApp(ctx, config, gateway),
  };
});
