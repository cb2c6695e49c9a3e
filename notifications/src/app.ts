import type { Express } from 'express';
import { createApp, type ServiceContext } from '@jetmart/common';
import type { NotificationsModels } from './models';
import { notificationsApiDocument } from './openapi';
import { exportRouter } from './routes/export';
import { notificationsRouter } from './routes/notifications';

export interface NotificationsAppOptions {
  jwtKey: string;
  jwtTtlSeconds: number;
}

export function buildApp(
  ctx: Pick<ServiceContext<NotificationsModels>, 'logger' | 'isReady' | 'models'>,
  opts: NotificationsAppOptions,
): Express {
  return createApp({
    logger: ctx.logger,
    jwtKey: opts.jwtKey,
    jwtTtlSeconds: opts.jwtTtlSeconds,
    isReady: ctx.isReady,
    apiDocs: { path: '/api/notifications/docs', document: notificationsApiDocument },
    // The export first: its path must never be taken for a notification id.
    routers: [exportRouter({ models: ctx.models }), notificationsRouter({ models: ctx.models })],
  });
}
