import { Router } from 'express';
import { z } from 'zod';
import { BadRequestError, NotAuthorizedError, requireAuth, startSession, validateBody, type SessionRevocations } from '@jetmart/common';
import type { AttemptCounter } from '../limits/shared-attempt-limiter';
import { normalizeEmail, type AuthModels, type TokenLifetimes } from '../models';
import { confirmPasswordReset } from '../resetting/confirm-password-reset';
import { limit } from './attempt-limit';
import { presentUser } from './presenters';

/** One message for every token that does not work: unknown, used, replaced or expired look alike. */
export const INVALID_RESET_LINK_MESSAGE = 'This reset link is invalid or has expired';
export const INVALID_VERIFY_LINK_MESSAGE = 'This verification link is invalid or has expired';

const email = z.string().trim().max(254, 'Email must be at most 254 characters').pipe(z.email('Email must be valid'));
// Only the shape is checked here: whether the token works is the model's (one) decision.
const token = z.string().min(1, 'Token is required').max(256, 'Token is too long');
const newPassword = z
  .string()
  .min(8, 'Password must be between 8 and 128 characters')
  .max(128, 'Password must be between 8 and 128 characters');

const resetRequestBody = z.object({ email });
const resetConfirmBody = z.object({ token, password: newPassword });
const verifyBody = z.object({ token });

export interface AccountLinksRouterOptions {
  models: AuthModels;
  jwtKey: string;
  jwtTtlSeconds: number;
  lifetimes: TokenLifetimes;
  /** Reset requests per client IP, per email address, and verification resends per account (all in auth-attempts). */
  resetPerIpLimiter: AttemptCounter;
  resetPerEmailLimiter: AttemptCounter;
  verifyResendLimiter: AttemptCounter;
  sessions: Pick<SessionRevocations, 'revokeUserSessions'>;
  logger: { warn(obj: object, msg: string): void };
}

/** Password reset and email verification: the links auth mails (through notifications) and what opening them does. */
export function accountLinksRouter(o: AccountLinksRouterOptions): Router {
  const { User } = o.models;
  const router = Router();

  // 202 and the same body whether or not the address has an account. The limits are counted
  // before the look-up and for unknown addresses too, so a 429 says nothing about the address either.
  router.post('/api/users/password-reset', validateBody(resetRequestBody), async (req, res) => {
    const { email: given } = req.body as z.infer<typeof resetRequestBody>;
    await limit(o.resetPerIpLimiter, req.ip ?? '', 'Too many password-reset requests, try again later', res);
    await limit(o.resetPerEmailLimiter, normalizeEmail(given), 'Too many password-reset requests, try again later', res);
    await User.requestPasswordReset(given, o.lifetimes.resetTtlSeconds);
    res.status(202).json({ status: 'sent-if-registered' });
  });

  router.post('/api/users/password-reset/confirm', validateBody(resetConfirmBody), async (req, res) => {
    const { token: given, password } = req.body as z.infer<typeof resetConfirmBody>;
    const outcome = await confirmPasswordReset(o, given, password);
    if (outcome.kind === 'invalid-link') throw new BadRequestError(INVALID_RESET_LINK_MESSAGE, 'token');
    res.json({ status: 'password-changed' });
  });

  // Anyone holding the link may use it (it was mailed to the address). The browser that opens it,
  // if signed in to the same account, gets its session re-issued saying verified: the same session
  // id and issue time, so signing out or any revocation still ends it and its old cookie alike.
  router.post('/api/users/verify-email', validateBody(verifyBody), async (req, res) => {
    const { token: given } = req.body as z.infer<typeof verifyBody>;
    const outcome = await User.verifyEmail(given);
    if (outcome.kind === 'invalid') throw new BadRequestError(INVALID_VERIFY_LINK_MESSAGE, 'token');
    const user = presentUser(outcome.user);
    const claims = req.sessionClaims;
    if (claims && claims.id === user.id) {
      if (claims.sid) startSession(req, user, o.jwtKey, o.jwtTtlSeconds, claims.at, claims.sid);
      else startSession(req, user, o.jwtKey, o.jwtTtlSeconds);
    }
    res.json({ user });
  });

  router.post('/api/users/verify-email/resend', requireAuth, async (req, res) => {
    const me = req.currentUser!;
    await limit(o.verifyResendLimiter, me.id, 'Too many verification mails, try again later', res);
    const outcome = await User.requestVerification(me.id, o.lifetimes.verifyTtlSeconds);
    if (outcome.kind === 'no-user') throw new NotAuthorizedError();
    res.status(202).json({ status: outcome.kind === 'requested' ? 'sent' : 'already-verified' });
  });

  return router;
}
