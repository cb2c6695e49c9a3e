import { Router } from 'express';
import { z } from 'zod';
import {
  BadRequestError,
  ConflictError,
  endSession,
  NotAuthorizedError,
  requireAuth,
  startSession,
  validateBody,
  type SessionRevocations,
} from '@jetmart/common';
import type { AttemptCounter } from '../limits/shared-attempt-limiter';
import { DEFAULT_TOKEN_TTL_SECONDS } from '../models';
import { limit } from './attempt-limit';
import { normalizeEmail, type AuthModels } from '../models';
import { presentProfile, presentUser } from './presenters';

const email = z.string().trim().max(254, 'Email must be at most 254 characters').pipe(z.email('Email must be valid'));

const signupBody = z.object({
  email,
  password: z.string().min(8, 'Password must be between 8 and 128 characters').max(128, 'Password must be between 8 and 128 characters'),
});

// Sign-in does not re-apply sign-up's rules: a wrong-looking email or password is simply not a
// match (401). Only the shape is checked, and lengths are bounded so scrypt never hashes megabytes.
const signinBody = z.object({
  email: z.string().min(1, 'Email is required').max(254, 'Email must be at most 254 characters'),
  password: z.string().min(1, 'Password is required').max(1024, 'Password is too long'),
});

const newPassword = z
  .string()
  .min(8, 'Password must be between 8 and 128 characters')
  .max(128, 'Password must be between 8 and 128 characters');
const passwordGiven = z.string().min(1, 'Password is required').max(1024, 'Password is too long');

const profileBody = z.object({
  displayName: z
    .string()
    .trim()
    .min(1, 'Display name must be between 1 and 80 characters')
    .max(80, 'Display name must be between 1 and 80 characters')
    // eslint-disable-next-line no-control-regex -- control characters are what is refused
    .refine((v) => !/[\u0000-\u001f\u007f]/.test(v), 'Display name must not contain control characters'),
});
const passwordChangeBody = z.object({ currentPassword: passwordGiven, newPassword });
const deleteBody = z.object({ password: passwordGiven });

/** Same message for unknown email and wrong password: the answer must not reveal who has an account. */
export const BAD_CREDENTIALS_MESSAGE = 'Invalid email or password';

const EMAIL_TAKEN_MESSAGE = 'Email is already in use';

export interface UsersRouterOptions {
  models: AuthModels;
  jwtKey: string;
  jwtTtlSeconds: number;
  signinLimiter: AttemptCounter;
  signupLimiter: AttemptCounter;
  /** Where auth writes revocations (every service watches them). */
  sessions: Pick<SessionRevocations, 'revokeSession' | 'revokeUserSessions'>;
  /** How long the verification link mailed at sign-up works (VERIFY_TOKEN_TTL_SECONDS). */
  verifyTtlSeconds?: number;
}

const WRONG_PASSWORD_MESSAGE = 'Password is incorrect';

export function usersRouter({
  models,
  jwtKey,
  jwtTtlSeconds,
  signinLimiter,
  signupLimiter,
  sessions,
  verifyTtlSeconds = DEFAULT_TOKEN_TTL_SECONDS,
}: UsersRouterOptions): Router {
  const { User } = models;
  const router = Router();

  router.post('/api/users/signup', validateBody(signupBody), async (req, res) => {
    const { email, password } = req.body as z.infer<typeof signupBody>;
    await limit(signupLimiter, req.ip ?? '', 'Too many sign-ups, try again later', res);
    const outcome = await User.register(email, password, verifyTtlSeconds);
    if (outcome.kind === 'email-taken') throw new ConflictError(EMAIL_TAKEN_MESSAGE, 'email');
    const user = presentUser(outcome.user);
    startSession(req, user, jwtKey, jwtTtlSeconds);
    res.status(201).json(user);
  });

  router.post('/api/users/signin', validateBody(signinBody), async (req, res) => {
    const { email, password } = req.body as z.infer<typeof signinBody>;
    await limit(signinLimiter, `${req.ip}|${normalizeEmail(email)}`, 'Too many sign-in attempts, try again later', res);
    const found = await User.authenticate(email, password);
    if (!found) throw new NotAuthorizedError(BAD_CREDENTIALS_MESSAGE);
    const user = presentUser(found);
    startSession(req, user, jwtKey, jwtTtlSeconds);
    res.json(user);
  });

  // The session is revoked before the cookie is cleared: a copy of the cookie kept elsewhere stops
  // working too. If the revocation cannot be written the request fails (5xx) and the person can
  // sign out again; answering 200 would claim an ending that did not happen.
  router.post('/api/users/signout', async (req, res) => {
    const claims = req.sessionClaims;
    if (claims?.sid) await sessions.revokeSession(claims.sid, claims.exp);
    else if (claims) await sessions.revokeUserSessions(claims.id, claims.at); // a session without an id
    endSession(req);
    res.json({});
  });

  router.post('/api/users/signout-everywhere', requireAuth, async (req, res) => {
    await sessions.revokeUserSessions(req.currentUser!.id, Date.now());
    endSession(req);
    res.json({});
  });

  router.get('/api/users/me', requireAuth, async (req, res) => {
    const user = await User.findLive(req.currentUser!.id);
    if (!user) throw new NotAuthorizedError();
    res.json(presentProfile(user));
  });

  router.patch('/api/users/me', requireAuth, validateBody(profileBody), async (req, res) => {
    const { displayName } = req.body as z.infer<typeof profileBody>;
    const outcome = await User.updateProfile(req.currentUser!.id, displayName);
    if (outcome.kind === 'no-user') throw new NotAuthorizedError();
    res.json(presentProfile(outcome.user));
  });

  // Every other session ends; this one continues under a new session id (a new cookie), so the
  // person who changed the password stays signed in here and nowhere else.
  router.post('/api/users/me/password', requireAuth, validateBody(passwordChangeBody), async (req, res) => {
    const { currentPassword, newPassword: next } = req.body as z.infer<typeof passwordChangeBody>;
    const me = req.currentUser!;
    if (currentPassword === next) throw new BadRequestError('The new password must differ from the current one', 'newPassword');
    const outcome = await User.changePassword(me.id, currentPassword, next);
    if (outcome.kind === 'no-user') throw new NotAuthorizedError();
    if (outcome.kind === 'wrong-password') throw new NotAuthorizedError(WRONG_PASSWORD_MESSAGE);
    const before = Date.now();
    await sessions.revokeUserSessions(me.id, before);
    startSession(req, me, jwtKey, jwtTtlSeconds, before + 1);
    res.json({});
  });

  // The account is erased and user.deleted recorded in one save (see UserAttrs.deletedAt); then
  // every session ends. A crash between the two leaves sessions of an account that no longer
  // exists: auth refuses them (findLive), other services until the JWT expires, and the person can
  // repeat the request (already deleted → 401, so the revocation is written on the retry below).
  router.delete('/api/users/me', requireAuth, validateBody(deleteBody), async (req, res) => {
    const { password } = req.body as z.infer<typeof deleteBody>;
    const me = req.currentUser!;
    const outcome = await User.deleteAccount(me.id, password);
    if (outcome.kind === 'wrong-password') throw new NotAuthorizedError(WRONG_PASSWORD_MESSAGE);
    await sessions.revokeUserSessions(me.id, Date.now());
    endSession(req);
    if (outcome.kind === 'no-user') throw new NotAuthorizedError();
    res.status(204).end();
  });

  router.get('/api/users/currentuser', (req, res) => {
    res.json({ currentUser: req.currentUser ?? null });
  });

  return router;
}
