'use client';

import Link from 'next/link';
import { useState, type FormEvent } from 'react';
import type { ApiErrorItem } from '@jetmart/common/contracts';
import { ACCOUNT_API } from '@/lib/account';
import { callApi } from '@/lib/client-api';
import { generalMessages, messageFor } from '@/lib/errors';
import { Field, FormErrors } from '../Field';

/**
 * POST /api/users/password-reset. Auth answers the same whether or not the email has an account,
 * and so does this page: the message never tells who is registered.
 */
export function ForgotPasswordForm() {
  const [errors, setErrors] = useState<ApiErrorItem[]>([]);
  const [sentTo, setSentTo] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function onSubmit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const email = String(new FormData(e.currentTarget).get('email') ?? '').trim();
    setErrors([]);
    setSentTo(null);
    if (!email) {
      setErrors([{ field: 'email', message: 'Email is required' }]);
      document.getElementById('email')?.focus();
      return;
    }
    setBusy(true);
    const res = await callApi('POST', ACCOUNT_API.passwordReset, { email });
    setBusy(false);
    if (res.ok) setSentTo(email);
    else setErrors(res.errors);
  }

  return (
    <form className="form" onSubmit={onSubmit} noValidate aria-labelledby="forgot-title" data-testid="forgot-password-form">
      <h1 id="forgot-title">Forgot your password?</h1>
      <p>Type the email you signed up with. If it has an account, we mail it a link to choose a new password.</p>
      <Field id="email" label="Email" type="email" autoComplete="email" required error={messageFor(errors, 'email')} />
      <FormErrors messages={generalMessages(errors, ['email'])} />
      <div role="status">
        {sentTo ? (
          <p className="success" data-testid="reset-requested">
            If {sentTo} has an account here, a link to reset its password is on its way. The link works once, for one hour.
          </p>
        ) : null}
      </div>
      <button type="submit" disabled={busy}>
        {busy ? 'Sending…' : 'Send reset link'}
      </button>
      <p className="muted">
        Remembered it? <Link href="/signin">Sign in</Link>
      </p>
    </form>
  );
}
