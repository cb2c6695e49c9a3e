import { runService } from '@jetmart/common';
import { buildApp } from './app';
import { OrderSweeper } from './background/order-sweeper';
import { loadConfig } from './config';
import { ordersListeners } from './events/listeners';
import { ordersModels } from './models';

runService(() => {
  const config = loadConfig();
  const models = ordersModels();
  return {
    name: 'orders',
    port: config.PORT,
    mongoUrl: config.MONGO_URL,
    natsUrl: config.NATS_URL,
    outboxModels: [models.Order],
    listeners: (ctx) => ordersListeners(ctx.bus, { models, relay: ctx.relay }),
    background: (ctx) => [new OrderSweeper(models, { logger: ctx.logger }).start()],
    app: (ctx) =>
      buildApp(ctx, {
        models,
        jwtKey: config.JWT_KEY,
        jwtTtlSeconds: config.JWT_TTL_SECONDS,
        expirationSeconds: config.ORDER_EXPIRATION_SECONDS,
      }),
  };
});
