import type { Express } from 'express';
import { createApp, type ServiceContext } from '@jetmart/common';
import type { OpsConfig } from './config';
import { registerJetStreamMetrics } from './metrics';
import { opsApiDocument } from './openapi';
import { opsRouter } from './routes/ops';

export type AppSettings = Pick<OpsConfig, 'JWT_KEY' | 'JWT_TTL_SECONDS' | 'ADMIN_EMAILS' | 'NATS_MONITOR_URL' | 'OPS_SERVICE_URLS'>;

export function buildApp(ctx: Pick<ServiceContext, 'logger' | 'isReady' | 'bus'>, settings: AppSettings): Express {
  // Streams' replicas by state, for the JetStreamPeerDown alert (charts/jetmart/templates/alerts.yaml).
  registerJetStreamMetrics(ctx.bus.jsm);
  return createApp({
    logger: ctx.logger,
    jwtKey: settings.JWT_KEY,
    jwtTtlSeconds: settings.JWT_TTL_SECONDS,
    isReady: ctx.isReady,
    apiDocs: { path: '/api/ops/docs', document: opsApiDocument },
    routers: [
      opsRouter({
        admins: settings.ADMIN_EMAILS ?? new Set(),
        jsm: ctx.bus.jsm,
        js: ctx.bus.js,
        monitorUrl: settings.NATS_MONITOR_URL,
        services: settings.OPS_SERVICE_URLS,
      }),
    ],
  });
}
