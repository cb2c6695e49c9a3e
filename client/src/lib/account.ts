import type { ApiErrorItem, User } from '@jetmart/common/contracts';

/**
 * The account pages' API paths and the small rules the forms share. Auth answers every request
 * (routes in docs/SPEC.md "Accounts"); the storefront only shows what it says.
 */
export const ACCOUNT_API = {
  me: '/api/users/me',
  password: '/api/users/me/password',
  addresses: '/api/users/me/addresses',
  signoutEverywhere: '/api/users/signout-everywhere',
  export: '/api/users/me/export',
  passwordReset: '/api/users/password-reset',
  passwordResetConfirm: '/api/users/password-reset/confirm',
  verifyEmail: '/api/users/verify-email',
  verifyEmailResend: '/api/users/verify-email/resend',
} as const;

export const addressApiPath = (id: string) => `${ACCOUNT_API.addresses}/${encodeURIComponent(id)}`;

/**
 * GET /api/users/me. `emailVerified` is optional here: an auth from before email verification
 * does not send it, and then the page claims nothing about the address (no notice either way).
 */
export type AccountProfile = User & { displayName: string | null; emailVerified?: boolean };

/** The same bounds as auth's: 1–80 characters after trimming. */
export const DISPLAY_NAME_MAX = 80;
/** The bounds auth puts on a new password. */
export const PASSWORD_MIN = 8;
export const PASSWORD_MAX = 128;
export const NEW_PASSWORD_HINT = `${PASSWORD_MIN} to ${PASSWORD_MAX} characters.`;

/** A new password's problem as the form says it (the API checks again), or undefined when it will do. */
export function newPasswordProblem(password: string): string | undefined {
  if (password.length < PASSWORD_MIN || password.length > PASSWORD_MAX) {
    return `Password must be between ${PASSWORD_MIN} and ${PASSWORD_MAX} characters`;
  }
  return undefined;
}

/**
 * Auth answers a wrong password with 401 and no field ("Password is incorrect"), the same status
 * as a session that has ended. The form needs to tell them apart: a message about the password
 * goes on the password field; any other 401 means the person is no longer signed in.
 */
export function passwordCheckErrors(status: number, errors: ApiErrorItem[], field: string): ApiErrorItem[] {
  if (status !== 401) return errors;
  return errors.map((e) => (!e.field && /password/i.test(e.message) ? { ...e, field } : e));
}

/** Whether a refusal means the session is gone (signed out elsewhere, expired, account deleted). */
export function sessionEnded(status: number, errors: ApiErrorItem[]): boolean {
  return status === 401 && errors.every((e) => !e.field);
}

/** The link in a reset or verification mail carries the token; anything but one non-empty value is no token. */
export function tokenParam(value: string | string[] | undefined): string | undefined {
  if (typeof value !== 'string') return undefined;
  const token = value.trim();
  return token.length > 0 && token.length <= 512 ? token : undefined;
}
