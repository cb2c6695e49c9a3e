import { runService } from '@jetmart/common';
import { buildApp } from './app';
import { IndexFollower } from './background/index-follower';
import { loadConfig } from './config';
import { SearchIndex } from './engine/search-index';
import { searchListeners } from './events/listeners';
import { searchModels } from './models';

runService(() => {
  const config = loadConfig();
  const index = new SearchIndex();
  let follower: IndexFollower | undefined;
  return {
    name: 'search',
    port: config.PORT,
    mongoUrl: config.MONGO_URL,
    natsUrl: config.NATS_URL,
    models: (conn) => searchModels(conn),
    listeners: (ctx) => searchListeners(ctx.bus, { models: ctx.models }),
    background: (ctx) => {
      follower = new IndexFollower({ bus: ctx.bus, index, logger: ctx.logger }).start();
      return [follower];
    },
    app: (ctx) =>
      buildApp(ctx, {
        jwtKey: config.JWT_KEY,
        jwtTtlSeconds: config.JWT_TTL_SECONDS,
        admins: config.ADMIN_EMAILS ?? new Set(),
        index,
        indexReady: () => follower?.ready === true,
      }),
  };
});
