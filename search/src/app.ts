import type { Express } from 'express';
import { createApp, type ServiceContext } from '@jetmart/common';
import type { SearchIndex } from './engine/search-index';
import type { SearchModels } from './models';
import { searchApiDocument } from './openapi';
import { searchRouter } from './routes/search';

export interface SearchAppOptions {
  jwtKey: string;
  jwtTtlSeconds: number;
  admins: ReadonlySet<string>;
  /** This process's in-memory index, kept in step by the IndexFollower. */
  index: SearchIndex;
  /** True once the index holds the whole read model: until then the service is not ready. */
  indexReady: () => boolean;
}

export function buildApp(
  ctx: Pick<ServiceContext<SearchModels>, 'logger' | 'isReady' | 'models' | 'bus'>,
  opts: SearchAppOptions,
): Express {
  return createApp({
    logger: ctx.logger,
    jwtKey: opts.jwtKey,
    jwtTtlSeconds: opts.jwtTtlSeconds,
    isReady: () => ctx.isReady() && opts.indexReady(),
    apiDocs: { path: '/api/search/docs', document: searchApiDocument },
    routers: [searchRouter({ index: opts.index, models: ctx.models, bus: ctx.bus, logger: ctx.logger, admins: opts.admins })],
  });
}
