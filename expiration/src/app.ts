import type { Express } from 'express';
import { createApp, type ServiceContext } from '@jetmart/common';
import type { ExpirationConfig } from './config';

/** No API of its own: health, readiness and metrics only. */
export function buildApp(
  ctx: Pick<ServiceContext, 'logger' | 'isReady'>,
  settings: Pick<ExpirationConfig, 'JWT_KEY' | 'JWT_TTL_SECONDS'>,
): Express {
  return createApp({
    logger: ctx.logger,
    jwtKey: settings.JWT_KEY,
    jwtTtlSeconds: settings.JWT_TTL_SECONDS,
    isReady: ctx.isReady,
    routers: [],
  });
}
