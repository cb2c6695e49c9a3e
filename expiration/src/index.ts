import { runService } from '@jetmart/common';
import { buildApp } from './app';
import { loadConfig } from './config';
import { expirationListeners } from './events/listeners';

runService(() => {
  const config = loadConfig();
  return {
    name: 'expiration',
    port: config.PORT,
    natsUrl: config.NATS_URL,
    listeners: (ctx) =>
      expirationListeners(
        ctx.bus,
        { maxHoldMs: config.EXPIRATION_MAX_HOLD_SECONDS * 1000, graceMs: config.EXPIRATION_GRACE_SECONDS * 1000 },
        { concurrency: config.EXPIRATION_CONCURRENCY },
      ),
    app: (ctx) => buildApp(ctx, config),
  };
});
