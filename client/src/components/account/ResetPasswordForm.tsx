'use client';

import Link from 'next/link';
import { useState, type FormEvent } from 'react';
import type { ApiErrorItem } from '@jetmart/common/contracts';
import { ACCOUNT_API, NEW_PASSWORD_HINT, newPasswordProblem } from '@/lib/account';
import { callApi } from '@/lib/client-api';
import { generalMessages, messageFor } from '@/lib/errors';
import { Field, FormErrors } from '../Field';

/**
 * The new password for the token in the mailed link (POST /api/users/password-reset/confirm).
 * Auth ends every session of the account on success, so the page sends the person to sign in.
 */
export function ResetPasswordForm({ token }: { token: string }) {
  const [errors, setErrors] = useState<ApiErrorItem[]>([]);
  const [changed, setChanged] = useState(false);
  const [busy, setBusy] = useState(false);

  async function onSubmit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const password = String(new FormData(e.currentTarget).get('password') ?? '');
    setErrors([]);
    const problem = newPasswordProblem(password);
    if (problem) {
      setErrors([{ field: 'password', message: problem }]);
      document.getElementById('password')?.focus();
      return;
    }
    setBusy(true);
    const res = await callApi('POST', ACCOUNT_API.passwordResetConfirm, { token, password });
    setBusy(false);
    if (res.ok) setChanged(true);
    else setErrors(res.errors);
  }

  if (changed) {
    return (
      <div role="status" data-testid="password-reset-done">
        <h1>Your password is changed</h1>
        <p className="success">Every session of your account has ended. Sign in with your new password.</p>
        <p>
          <Link href="/signin" className="button">
            Sign in
          </Link>
        </p>
      </div>
    );
  }

  const general = generalMessages(errors, ['password']);
  return (
    <form className="form" onSubmit={onSubmit} noValidate aria-labelledby="reset-title" data-testid="reset-password-form">
      <h1 id="reset-title">Choose a new password</h1>
      <Field
        id="password"
        label="New password"
        type="password"
        autoComplete="new-password"
        required
        hint={NEW_PASSWORD_HINT}
        error={messageFor(errors, 'password')}
      />
      <FormErrors messages={general} />
      {general.length > 0 ? (
        <p>
          <Link href="/forgot-password">Ask for a new link</Link>
        </p>
      ) : null}
      <button type="submit" disabled={busy}>
        {busy ? 'Saving…' : 'Set new password'}
      </button>
    </form>
  );
}
