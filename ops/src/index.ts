import { runService } from '@jetmart/common';
import { buildApp } from './app';
import { loadConfig } from './config';

runService(() => {
  const config = loadConfig();
  return {
    name: 'ops',
    port: config.PORT,
    natsUrl: config.NATS_URL,
    app: (ctx) => buildApp(ctx, config),
  };
});
