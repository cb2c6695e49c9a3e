import { createHash, randomBytes } from 'node:crypto';
import { ACCOUNT_TOKEN_PATTERN } from '@jetmart/common';

/**
 * The secret of a password-reset or verification link: 32 random bytes (256 bits) as base64url.
 * Only its SHA-256 is stored: a copy of the database gives nobody a working link. A plain hash is
 * enough (no salt, no slow derivation) because the token is random and long, not a chosen password.
 */
export interface AccountToken {
  token: string;
  hash: string;
  expiresAt: Date;
}

/** The contract's lifetime of a reset or verification link: one hour. */
export const DEFAULT_TOKEN_TTL_SECONDS = 3600;

export const hashAccountToken = (token: string) => createHash('sha256').update(token).digest('hex');

export function newAccountToken(ttlSeconds: number, now = Date.now()): AccountToken {
  const token = randomBytes(32).toString('base64url');
  return { token, hash: hashAccountToken(token), expiresAt: new Date(now + ttlSeconds * 1000) };
}

/** Whether `token` can be one auth made (anything else is refused without a database read). */
export const isAccountTokenShaped = (token: string) => ACCOUNT_TOKEN_PATTERN.test(token);
