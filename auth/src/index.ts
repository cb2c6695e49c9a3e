import { runService } from '@jetmart/common';
import { buildApp } from './app';
import { loadConfig } from './config';
import { authModels } from './models';

runService(() => {
  const config = loadConfig();
  return {
    name: 'auth',
    port: config.PORT,
    mongoUrl: config.MONGO_URL,
    natsUrl: config.NATS_URL,
    models: (conn) => authModels(conn),
    outboxModels: (m) => [m.User],
    app: (ctx) => buildApp(ctx, config),
  };
});
