import type { Express } from 'express';
import { createApp, type EventBus, type SessionRevocations, type ServiceContext } from '@jetmart/common';
import { DEFAULT_SIGNUP_LIMIT, type AuthConfig } from './config';
import { SharedAttemptLimiter, type AttemptCounter } from './limits/shared-attempt-limiter';
import { AttemptLimiter } from './models/attempt-limiter';
import type { AuthModels } from './models';
import { decoyPasswordHash } from './models/password';
import { authApiDocument } from './openapi';
import { addressesRouter } from './routes/addresses';
import { exportRouter } from './routes/export';
import { usersRouter } from './routes/users';

export type AppSettings = Pick<AuthConfig, 'JWT_KEY' | 'JWT_TTL_SECONDS' | 'SIGNIN_MAX_ATTEMPTS' | 'SIGNIN_WINDOW_SECONDS'> &
  Partial<Pick<AuthConfig, 'SIGNUP_MAX_ATTEMPTS' | 'SIGNUP_WINDOW_SECONDS' | 'EXPORT_SOURCES' | 'EXPORT_TIMEOUT_MS'>>;

export type AuthAppContext = Pick<ServiceContext<AuthModels>, 'logger' | 'isReady' | 'models'> & {
  sessions: Pick<SessionRevocations, 'revokeSession' | 'revokeUserSessions'>;
  /**
   * With NATS (always, under runService) the sign-in and sign-up limits are counted in a bucket
   * every replica shares; an app built without it counts in its own memory.
   */
  bus?: Pick<EventBus, 'nc'>;
};

function attemptCounter(bus: AuthAppContext['bus'], scope: string, maxAttempts: number, windowSeconds: number): AttemptCounter {
  return bus
    ? new SharedAttemptLimiter(bus.nc, scope, maxAttempts, windowSeconds * 1000)
    : new AttemptLimiter(maxAttempts, windowSeconds * 1000);
}

export function buildApp(ctx: AuthAppContext, settings: AppSettings): Express {
  // Computed now, so the first sign-in with an unknown email is not the one slow request.
  void decoyPasswordHash();
  const signinLimiter = attemptCounter(ctx.bus, 'signin', settings.SIGNIN_MAX_ATTEMPTS, settings.SIGNIN_WINDOW_SECONDS);
  const signupLimiter = attemptCounter(
    ctx.bus,
    'signup',
    settings.SIGNUP_MAX_ATTEMPTS ?? DEFAULT_SIGNUP_LIMIT.maxAttempts,
    settings.SIGNUP_WINDOW_SECONDS ?? DEFAULT_SIGNUP_LIMIT.windowSeconds,
  );
  return createApp({
    logger: ctx.logger,
    jwtKey: settings.JWT_KEY,
    jwtTtlSeconds: settings.JWT_TTL_SECONDS,
    isReady: ctx.isReady,
    apiDocs: { path: '/api/users/docs', document: authApiDocument },
    routers: [
      usersRouter({
        models: ctx.models,
        jwtKey: settings.JWT_KEY,
        jwtTtlSeconds: settings.JWT_TTL_SECONDS,
        signinLimiter,
        signupLimiter,
        sessions: ctx.sessions,
      }),
      addressesRouter({ models: ctx.models }),
      exportRouter({ models: ctx.models, sources: settings.EXPORT_SOURCES ?? [], timeoutMs: settings.EXPORT_TIMEOUT_MS ?? 10_000 }),
    ],
  });
}
