import type { Express } from 'express';
import { createApp, type SessionRevocations, type ServiceContext } from '@jetmart/common';
import type { AuthConfig } from './config';
import { AttemptLimiter } from './models/attempt-limiter';
import type { AuthModels } from './models';
import { decoyPasswordHash } from './models/password';
import { authApiDocument } from './openapi';
import { addressesRouter } from './routes/addresses';
import { usersRouter } from './routes/users';

export type AppSettings = Pick<AuthConfig, 'JWT_KEY' | 'JWT_TTL_SECONDS' | 'SIGNIN_MAX_ATTEMPTS' | 'SIGNIN_WINDOW_SECONDS'>;

export type AuthAppContext = Pick<ServiceContext<AuthModels>, 'logger' | 'isReady' | 'models'> & {
  sessions: Pick<SessionRevocations, 'revokeSession' | 'revokeUserSessions'>;
};

export function buildApp(ctx: AuthAppContext, settings: AppSettings): Express {
  // Computed now, so the first sign-in with an unknown email is not the one slow request.
  void decoyPasswordHash();
  const signinLimiter = new AttemptLimiter(settings.SIGNIN_MAX_ATTEMPTS, settings.SIGNIN_WINDOW_SECONDS * 1000);
  return createApp({
    logger: ctx.logger,
    jwtKey: settings.JWT_KEY,
    jwtTtlSeconds: settings.JWT_TTL_SECONDS,
    isReady: ctx.isReady,
    apiDocs: { path: '/api/users/docs', document: authApiDocument },
    routers: [
      usersRouter({ models: ctx.models, jwtKey: settings.JWT_KEY, jwtTtlSeconds: settings.JWT_TTL_SECONDS, signinLimiter, sessions: ctx.sessions }),
      addressesRouter({ models: ctx.models }),
    ],
  });
}
