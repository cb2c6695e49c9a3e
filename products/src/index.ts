import { runService } from '@jetmart/common';
import { buildApp } from './app';
import { loadConfig } from './config';
import { productsListeners } from './events/listeners';
import { configureSharp, imageStoreFrom } from './images';
import { productsModels } from './models';

runService(() => {
  const config = loadConfig();
  const imageStore = imageStoreFrom(config);
  configureSharp();
  return {
    name: 'products',
    port: config.PORT,
    mongoUrl: config.MONGO_URL,
    natsUrl: config.NATS_URL,
    models: (conn) => productsModels(conn),
    outboxModels: (m) => [m.Product, m.ProductStock, m.ProductRating],
    listeners: (ctx) => productsListeners(ctx.bus, { models: ctx.models }),
    app: (ctx) =>
      buildApp(ctx, {
        jwtKey: config.JWT_KEY,
        jwtTtlSeconds: config.JWT_TTL_SECONDS,
        lowStockThreshold: config.LOW_STOCK_THRESHOLD,
        imageStore,
        admins: config.ADMIN_EMAILS,
      }),
  };
});
