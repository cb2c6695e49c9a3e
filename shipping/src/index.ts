import { runService } from '@jetmart/common';
import { buildApp } from './app';
import { autoDeliverAfterMs, loadConfig, returnWindowMs } from './config';
import { shippingListeners } from './events/listeners';
import { shippingModels } from './models';

runService(() => {
  const config = loadConfig();
  return {
    name: 'shipping',
    port: config.PORT,
    mongoUrl: config.MONGO_URL,
    natsUrl: config.NATS_URL,
    models: (conn) => shippingModels(conn),
    outboxModels: (m) => [m.Shipment],
    listeners: (ctx) => shippingListeners(ctx.bus, { models: ctx.models, returnWindowMs: returnWindowMs(config) }),
    app: (ctx) =>
      buildApp(ctx, {
        jwtKey: config.JWT_KEY,
        jwtTtlSeconds: config.JWT_TTL_SECONDS,
        autoDeliverAfterMs: autoDeliverAfterMs(config),
        returnWindowMs: returnWindowMs(config),
      }),
  };
});
