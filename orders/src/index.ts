import { runService } from '@jetmart/common';
import { buildApp } from './app';
import { OrderSweeper } from './background/order-sweeper';
import { loadConfig } from './config';
import { ordersListeners } from './events/listeners';
import { ordersModels } from './models';

runService(() => {
  const config = loadConfig();
  return {
    name: 'orders',
    port: config.PORT,
    mongoUrl: config.MONGO_URL,
    natsUrl: config.NATS_URL,
    models: (conn) => ordersModels(conn),
    outboxModels: (m) => [m.Order, m.Return],
    listeners: (ctx) => ordersListeners(ctx.bus, { models: ctx.models }),
    background: (ctx) => [new OrderSweeper(ctx.models, { logger: ctx.logger }).start()],
    app: (ctx) =>
      buildApp(ctx, {
        jwtKey: config.JWT_KEY,
        jwtTtlSeconds: config.JWT_TTL_SECONDS,
        expirationSeconds: config.ORDER_EXPIRATION_SECONDS,
      }),
  };
});
