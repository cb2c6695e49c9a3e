import { runService } from '@jetmart/common';
import { buildApp } from './app';
import { loadConfig } from './config';
// Registers the User model, so its indexes are built on start-up.
import './models/user';

runService(() => {
  const config = loadConfig();
  return {
    name: 'auth',
    port: config.PORT,
    mongoUrl: config.MONGO_URL,
    natsUrl: config.NATS_URL,
    app: (ctx) => buildApp(ctx, config),
  };
});
