import type { RequestHandler } from 'express';
import { ForbiddenError, NotAuthorizedError } from '@jetmart/common';

/**
 * Signed in (401 otherwise) and the session's email in ADMIN_EMAILS (403 otherwise). The email is
 * the one auth signed into the JWT, so it cannot be chosen by the caller.
 */
export function requireAdmin(admins: ReadonlySet<string>): RequestHandler {
  return (req, _res, next) => {
    if (!req.currentUser) throw new NotAuthorizedError();
    if (!admins.has(req.currentUser.email.trim().toLowerCase())) throw new ForbiddenError('Admins only');
    next();
  };
}
