import type { Express } from 'express';
import { createApp, type EventBus, type SessionRevocations, type ServiceContext } from '@jetmart/common';
import { DEFAULT_RESET_LIMIT, DEFAULT_SIGNUP_LIMIT, type AuthConfig } from './config';
import { SharedAttemptLimiter, type AttemptCounter } from './limits/shared-attempt-limiter';
import { AttemptLimiter } from './models/attempt-limiter';
import { DEFAULT_TOKEN_TTL_SECONDS, type AuthModels } from './models';
import { decoyPasswordHash } from './models/password';
import { authApiDocument } from './openapi';
import { accountLinksRouter } from './routes/account-links';
import { addressesRouter } from './routes/addresses';
import { exportRouter } from './routes/export';
import { usersRouter } from './routes/users';

export type AppSettings = Pick<AuthConfig, 'JWT_KEY' | 'JWT_TTL_SECONDS' | 'SIGNIN_MAX_ATTEMPTS' | 'SIGNIN_WINDOW_SECONDS'> &
  Partial<
    Pick<
      AuthConfig,
      | 'SIGNUP_MAX_ATTEMPTS'
      | 'SIGNUP_WINDOW_SECONDS'
      | 'EXPORT_SOURCES'
      | 'EXPORT_TIMEOUT_MS'
      | 'PASSWORD_RESET_MAX_PER_EMAIL'
      | 'PASSWORD_RESET_MAX_PER_IP'
      | 'PASSWORD_RESET_WINDOW_SECONDS'
      | 'RESET_TOKEN_TTL_SECONDS'
      | 'VERIFY_TOKEN_TTL_SECONDS'
    >
  >;

export type AuthAppContext = Pick<ServiceContext<AuthModels>, 'logger' | 'isReady' | 'models'> & {
  sessions: Pick<SessionRevocations, 'revokeSession' | 'revokeUserSessions'>;
  /**
   * With NATS (always, under runService) the sign-in, sign-up and password-reset limits are counted in a bucket
   * every replica shares; an app built without it counts in its own memory.
   */
  bus?: Pick<EventBus, 'nc' | 'replicas'>;
};

function attemptCounter(bus: AuthAppContext['bus'], scope: string, maxAttempts: number, windowSeconds: number): AttemptCounter {
  return bus
    ? new SharedAttemptLimiter(bus, scope, maxAttempts, windowSeconds * 1000)
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
  const resetWindow = settings.PASSWORD_RESET_WINDOW_SECONDS ?? DEFAULT_RESET_LIMIT.windowSeconds;
  const resetPerEmail = settings.PASSWORD_RESET_MAX_PER_EMAIL ?? DEFAULT_RESET_LIMIT.maxPerEmail;
  const lifetimes = {
    resetTtlSeconds: settings.RESET_TOKEN_TTL_SECONDS ?? DEFAULT_TOKEN_TTL_SECONDS,
    verifyTtlSeconds: settings.VERIFY_TOKEN_TTL_SECONDS ?? DEFAULT_TOKEN_TTL_SECONDS,
  };
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
        verifyTtlSeconds: lifetimes.verifyTtlSeconds,
      }),
      accountLinksRouter({
        models: ctx.models,
        jwtKey: settings.JWT_KEY,
        jwtTtlSeconds: settings.JWT_TTL_SECONDS,
        lifetimes,
        resetPerIpLimiter: attemptCounter(
          ctx.bus,
          'reset-ip',
          settings.PASSWORD_RESET_MAX_PER_IP ?? DEFAULT_RESET_LIMIT.maxPerIp,
          resetWindow,
        ),
        resetPerEmailLimiter: attemptCounter(ctx.bus, 'reset-email', resetPerEmail, resetWindow),
        verifyResendLimiter: attemptCounter(ctx.bus, 'verify-resend', resetPerEmail, resetWindow),
        sessions: ctx.sessions,
        logger: ctx.logger,
      }),
      addressesRouter({ models: ctx.models }),
      exportRouter({ models: ctx.models, sources: settings.EXPORT_SOURCES ?? [], timeoutMs: settings.EXPORT_TIMEOUT_MS ?? 10_000 }),
    ],
  });
}
