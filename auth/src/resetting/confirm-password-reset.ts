import type { SessionRevocations } from '@jetmart/common';
import type { AuthModels } from '../models';
import { hashPassword } from '../models/password';

export interface PasswordResetDeps {
  models: AuthModels;
  sessions: Pick<SessionRevocations, 'revokeUserSessions'>;
  logger: { warn(obj: object, msg: string): void };
}

/** How opening a reset link with a new password ended; the route turns each into its answer. */
export type PasswordResetOutcome =
  | { kind: 'password-changed'; userId: string }
  /** Unknown, used, replaced or expired: they look alike to the caller. */
  | { kind: 'invalid-link' };

/**
 * Sets a new password through a reset link. Order: the new password is derived first (the slow
 * part), then every session of the account is revoked, then the one conditional write of
 * `User.resetPassword` decides whether the token is used. A crash after the revocation only signs
 * the person out; the password never changes while old sessions live. A second revocation after
 * the write ends any session signed in with the old password in the milliseconds between the two.
 */
export async function confirmPasswordReset(deps: PasswordResetDeps, token: string, password: string): Promise<PasswordResetOutcome> {
  const { User } = deps.models;
  const candidate = await User.findResetCandidate(token);
  if (candidate.kind === 'invalid') return { kind: 'invalid-link' };
  const passwordHash = await hashPassword(password);
  await deps.sessions.revokeUserSessions(candidate.userId, Date.now());
  const outcome = await User.resetPassword(candidate.userId, candidate.tokenHash, passwordHash);
  if (outcome.kind === 'invalid') return { kind: 'invalid-link' };
  await deps.sessions.revokeUserSessions(candidate.userId, Date.now()).catch((err: Error) => {
    // The first revocation already ended every session from before the request.
    deps.logger.warn({ err: err.message, userId: candidate.userId }, 'second revocation after a password reset failed');
  });
  return { kind: 'password-changed', userId: candidate.userId };
}
