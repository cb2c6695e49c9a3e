import { randomBytes } from 'node:crypto';
import cookieSession from 'cookie-session';
import jwt from 'jsonwebtoken';
import type { Express, RequestHandler, Response } from 'express';
import { ForbiddenError, NotAuthorizedError } from '../errors';
import type { RevocationCheck, SessionClaims } from '../sessions/revocations';
import type { UserPayload } from './request-context';

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace -- Express's Request is augmented through its global namespace
  namespace Express {
    interface Request {
      /** The verified, unrevoked session behind `currentUser` (auth revokes it by `sid`). */
      sessionClaims?: SessionClaims;
    }
  }
}

/** Where `currentUser` finds the revocations (`app.locals`): startService installs them. */
const REVOCATIONS = 'jetmartSessionRevocations';

/** Makes `currentUser` of `app` refuse revoked sessions (startService does this for every service). */
export function installSessionRevocations(app: Express, revocations: RevocationCheck): void {
  (app.locals as Record<string, unknown>)[REVOCATIONS] = revocations;
}

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

/**
 * A session JWT: the user, a new random session id (`sid`) and the issue time in ms (`at`), so a
 * revocation "every session issued at or before T" can spare one issued a millisecond later.
 * `issuedAt` lets the caller put the new session after such a revocation it has just written.
 * `sid` (with the session's own `issuedAt`) re-issues an existing session with new claims: every
 * revocation of the old cookie still ends the new one, so a copy of the old cookie is never left
 * outside what signing out ends.
 */
export function signSessionToken(
  user: UserPayload,
  key: string,
  ttlSeconds: number,
  issuedAt: number = Date.now(),
  sid: string = randomBytes(16).toString('hex'),
): string {
  return jwt.sign({ id: user.id, email: user.email, emailVerified: user.emailVerified === true, sid, at: issuedAt }, key, {
    algorithm: 'HS256',
    expiresIn: ttlSeconds,
  });
}

/** Starts a session for `user`: the response sets the session cookie. */
export function startSession(
  req: { session?: CookieSessionInterfaces.CookieSessionObject | null },
  user: UserPayload,
  key: string,
  ttlSeconds: number,
  issuedAt?: number,
  sid?: string,
): void {
  req.session = { jwt: signSessionToken(user, key, ttlSeconds, issuedAt, sid) };
}

export function endSession(req: { session?: CookieSessionInterfaces.CookieSessionObject | null }, _res?: Response): void {
  req.session = null;
}

const SID = /^[0-9a-f]{32}$/;

/** The claims of a valid, unexpired HS256 session JWT, else null. */
export function verifySessionToken(token: unknown, key: string): SessionClaims | null {
  if (typeof token !== 'string') return null;
  try {
    const p = jwt.verify(token, key, { algorithms: ['HS256'] }) as jwt.JwtPayload;
    if (typeof p.id !== 'string' || typeof p.email !== 'string' || typeof p.exp !== 'number') return null;
    // Only a literal true counts: tokens from before email verification have no claim (unverified).
    const emailVerified = p.emailVerified === true;
    if (p.sid === undefined && p.at === undefined && typeof p.iat === 'number') {
      // Issued before sessions had ids (they expire within JWT_TTL_SECONDS of the upgrade): only a
      // per-user revocation can end it, so signing it out ends every session of its user issued
      // up to the end of its issue second (see auth's sign-out).
      return { id: p.id, email: p.email, emailVerified, sid: null, at: p.iat * 1000 + 999, exp: p.exp * 1000 };
    }
    if (typeof p.sid !== 'string' || !SID.test(p.sid) || typeof p.at !== 'number' || !Number.isFinite(p.at)) return null;
    return { id: p.id, email: p.email, emailVerified, sid: p.sid, at: p.at, exp: p.exp * 1000 };
  } catch {
    return null; // tampered, expired or foreign token: treated as signed out
  }
}

/**
 * Sets `req.currentUser` from a valid, unexpired HS256 JWT whose session has not been revoked
 * (when the app has revocations installed); anything else means no user.
 */
export function currentUser(key: string): RequestHandler {
  return (req, _res, next) => {
    const claims = verifySessionToken(req.session?.jwt, key);
    const revocations = (req.app.locals as Record<string, unknown>)[REVOCATIONS] as RevocationCheck | undefined;
    if (claims && !revocations?.isRevoked(claims)) {
      req.currentUser = { id: claims.id, email: claims.email, emailVerified: claims.emailVerified };
      req.sessionClaims = claims;
    }
    next();
  };
}

export const requireAuth: RequestHandler = (req, _res, next) => {
  if (!req.currentUser) throw new NotAuthorizedError();
  next();
};

/**
 * Signed in (401 otherwise) and the session's email in `admins` (ADMIN_EMAILS, parsed by
 * `parseAdminEmails`; 403 otherwise). The email is the one auth signed into the JWT, so the caller
 * cannot choose it.
 */
export function requireAdmin(admins: ReadonlySet<string>): RequestHandler {
  return (req, _res, next) => {
    if (!req.currentUser) throw new NotAuthorizedError();
    if (!admins.has(req.currentUser.email.trim().toLowerCase())) throw new ForbiddenError('Admins only');
    next();
  };
}
