import { Router } from 'express';
import { z } from 'zod';
import { ConflictError, endSession, NotAuthorizedError, startSession, TooManyRequestsError, validateBody } from '@jetmart/common';
import type { AttemptLimiter } from '../models/attempt-limiter';
import { normalizeEmail, type AuthModels } from '../models';
import { presentUser } from './presenters';

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

/** Same message for unknown email and wrong password: the answer must not reveal who has an account. */
export const BAD_CREDENTIALS_MESSAGE = 'Invalid email or password';

const EMAIL_TAKEN_MESSAGE = 'Email is already in use';

export interface UsersRouterOptions {
  models: AuthModels;
  jwtKey: string;
  jwtTtlSeconds: number;
  signinLimiter: AttemptLimiter;
}

export function usersRouter({ models, jwtKey, jwtTtlSeconds, signinLimiter }: UsersRouterOptions): Router {
  const { User } = models;
  const router = Router();

  router.post('/api/users/signup', validateBody(signupBody), async (req, res) => {
    const { email, password } = req.body as z.infer<typeof signupBody>;
    const outcome = await User.register(email, password);
    if (outcome.kind === 'email-taken') throw new ConflictError(EMAIL_TAKEN_MESSAGE, 'email');
    const user = presentUser(outcome.user);
    startSession(req, user, jwtKey, jwtTtlSeconds);
    res.status(201).json(user);
  });

  router.post('/api/users/signin', validateBody(signinBody), async (req, res) => {
    const { email, password } = req.body as z.infer<typeof signinBody>;
    const verdict = signinLimiter.hit(`${req.ip}|${normalizeEmail(email)}`);
    if (!verdict.allowed) {
      res.setHeader('Retry-After', String(verdict.retryAfterSeconds));
      throw new TooManyRequestsError('Too many sign-in attempts, try again later');
    }
    const found = await User.authenticate(email, password);
    if (!found) throw new NotAuthorizedError(BAD_CREDENTIALS_MESSAGE);
    const user = presentUser(found);
    startSession(req, user, jwtKey, jwtTtlSeconds);
    res.json(user);
  });

  router.post('/api/users/signout', (req, res) => {
    endSession(req);
    res.json({});
  });

  router.get('/api/users/currentuser', (req, res) => {
    res.json({ currentUser: req.currentUser ?? null });
  });

  return router;
}
