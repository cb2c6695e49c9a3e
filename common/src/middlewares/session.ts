import cookieSession from 'cookie-session';
import jwt from 'jsonwebtoken';
import type { RequestHandler, Response } from 'express';
import { NotAuthorizedError } from '../errors';
import type { UserPayload } from './request-context';

export const SESSION_COOKIE = 'session';

/**
 * cookie-session carrying a JWT. The cookie itself is not signed: the JWT inside is.
 * `secure` follows the request (HTTPS directly or behind a proxy with `trust proxy`), so the
 * cookie is secure whenever the site is served over HTTPS and still works on plain local HTTP.
 */
export function session(maxAgeSeconds: number): RequestHandler[] {
  return [
    cookieSession({ name: SESSION_COOKIE, signed: false, httpOnly: true, sameSite: 'lax', maxAge: maxAgeSeconds * 1000 }),
    (req, _res, next) => {
      if (req.sessionOptions) req.sessionOptions.secure = req.secure;
      next();
    },
  ];
}

export function signSessionToken(user: UserPayload, key: string, ttlSeconds: number): string {
  return jwt.sign({ id: user.id, email: user.email }, key, { algorithm: 'HS256', expiresIn: ttlSeconds });
}

/** Starts a session for `user`: the response sets the session cookie. */
export function startSession(
  req: { session?: CookieSessionInterfaces.CookieSessionObject | null },
  user: UserPayload,
  key: string,
  ttlSeconds: number,
): void {
  req.session = { jwt: signSessionToken(user, key, ttlSeconds) };
}

export function endSession(req: { session?: CookieSessionInterfaces.CookieSessionObject | null }, _res?: Response): void {
  req.session = null;
}

/** Sets `req.currentUser` from a valid, unexpired HS256 JWT; anything else means no user. */
export function currentUser(key: string): RequestHandler {
  return (req, _res, next) => {
    const token = req.session?.jwt;
    if (typeof token === 'string') {
      try {
        const payload = jwt.verify(token, key, { algorithms: ['HS256'] }) as jwt.JwtPayload;
        if (typeof payload.id === 'string' && typeof payload.email === 'string') {
          req.currentUser = { id: payload.id, email: payload.email };
        }
      } catch {
        // tampered, expired or foreign token: treated as signed out
      }
    }
    next();
  };
}

export const requireAuth: RequestHandler = (req, _res, next) => {
  if (!req.currentUser) throw new NotAuthorizedError();
  next();
};
