import { baseEnv, intInRange, readEnv } from '@jetmart/common';
import { DEFAULT_TOKEN_TTL_SECONDS } from './models/account-token';

/**
 * Generous on purpose: many people behind one address (an office, a carrier's NAT) sign up, and
 * the e2e and load runs sign up hundreds of accounts from one host. It bounds scripted account
 * creation; lower it where that matters more.
 */
export const DEFAULT_SIGNUP_LIMIT = { maxAttempts: 1000, windowSeconds: 3600 } as const;

/**
 * Reset mails per address: a few an hour is all a person needs, and it bounds how many mails a
 * stranger can send to someone else's inbox. Verification resends count against the same
 * per-address allowance (scope `verify-resend`, per account).
 */
export const DEFAULT_RESET_LIMIT = { maxPerEmail: 5, maxPerIp: 100, windowSeconds: 3600 } as const;

/**
 * EXPORT_SOURCES: the URLs of every other service's part of a data export (`GET …/me/export`),
 * comma-separated http(s) URLs. Production has no default, so a forgotten setting stops auth from
 * starting instead of giving partial exports.
 */
export function parseExportSources(raw: string): string[] {
  const urls = raw
    .split(',')
    .map((u) => u.trim())
    .filter(Boolean);
  for (const url of urls) {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new Error(`"${url}" is not a URL`);
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new Error(`"${url}" is not http(s)`);
  }
  return urls;
}

/** The local platform's services (scripts/platform.js ports). */
const LOCAL_EXPORT_SOURCES = [
  'http://127.0.0.1:3002/api/products/me/export',
  'http://127.0.0.1:3003/api/orders/me/export',
  'http://127.0.0.1:3004/api/payments/me/export',
  'http://127.0.0.1:3007/api/shipments/me/export',
  'http://127.0.0.1:3008/api/notifications/me/export',
].join(',');

/** Everything auth reads from the environment; `loadConfig()` fails with every problem listed. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env) {
  return readEnv(
    {
      ...baseEnv('auth', 3001),
      SIGNIN_MAX_ATTEMPTS: {
        describe: 'sign-in attempts allowed per client IP and email within SIGNIN_WINDOW_SECONDS',
        default: '10',
        parse: intInRange(1, 10_000),
      },
      SIGNIN_WINDOW_SECONDS: {
        describe: 'length of the sign-in rate-limit window in seconds',
        default: '60',
        parse: intInRange(1, 24 * 3600),
      },
      SIGNUP_MAX_ATTEMPTS: {
        describe: 'sign-ups allowed per client IP within SIGNUP_WINDOW_SECONDS (counted across all auth replicas)',
        default: String(DEFAULT_SIGNUP_LIMIT.maxAttempts),
        parse: intInRange(1, 1_000_000),
      },
      SIGNUP_WINDOW_SECONDS: {
        describe: 'length of the sign-up rate-limit window in seconds',
        default: String(DEFAULT_SIGNUP_LIMIT.windowSeconds),
        parse: intInRange(1, 24 * 3600),
      },
      EXPORT_SOURCES: {
        describe: "every other service's data-export part, comma-separated URLs (e.g. http://orders:3000/api/orders/me/export,...)",
        devDefault: LOCAL_EXPORT_SOURCES,
        parse: parseExportSources,
      },
      EXPORT_TIMEOUT_MS: {
        describe: 'how long a data export waits for each part before answering 503',
        default: '10000',
        parse: intInRange(100, 120_000),
      },
      PASSWORD_RESET_MAX_PER_EMAIL: {
        describe:
          'password-reset requests allowed per email address within PASSWORD_RESET_WINDOW_SECONDS (bounds the mails one address gets)',
        default: String(DEFAULT_RESET_LIMIT.maxPerEmail),
        parse: intInRange(1, 10_000),
      },
      PASSWORD_RESET_MAX_PER_IP: {
        describe: 'password-reset requests allowed per client IP within PASSWORD_RESET_WINDOW_SECONDS',
        default: String(DEFAULT_RESET_LIMIT.maxPerIp),
        parse: intInRange(1, 1_000_000),
      },
      PASSWORD_RESET_WINDOW_SECONDS: {
        describe: 'length of the password-reset (and verification resend) rate-limit window in seconds',
        default: String(DEFAULT_RESET_LIMIT.windowSeconds),
        parse: intInRange(1, 24 * 3600),
      },
      RESET_TOKEN_TTL_SECONDS: {
        describe: 'how long a password-reset link works, in seconds',
        default: String(DEFAULT_TOKEN_TTL_SECONDS),
        parse: intInRange(1, 24 * 3600),
      },
      VERIFY_TOKEN_TTL_SECONDS: {
        describe: 'how long an email-verification link works, in seconds',
        default: String(DEFAULT_TOKEN_TTL_SECONDS),
        parse: intInRange(1, 7 * 24 * 3600),
      },
    },
    env,
  );
}

export type AuthConfig = ReturnType<typeof loadConfig>;
