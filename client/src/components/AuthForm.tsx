'use client';

import Link from 'next/link';
import { useState, type FormEvent } from 'react';
import { callApi } from '@/lib/client-api';
import { generalMessages, messageFor } from '@/lib/errors';
import type { ApiErrorItem, User } from '@jetmart/common/contracts';
import { Field, FormErrors } from './Field';

const FIELDS = ['email', 'password'];

export function AuthForm({ mode, next }: { mode: 'signin' | 'signup'; next: string }) {
  const [errors, setErrors] = useState<ApiErrorItem[]>([]);
  const [notCreated, setNotCreated] = useState(false);
  const [busy, setBusy] = useState(false);
  const isSignup = mode === 'signup';
  const keepNext = next === '/' ? '' : `?next=${encodeURIComponent(next)}`;

  async function onSubmit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    setBusy(true);
    setErrors([]);
    setNotCreated(false);
    const res = await callApi<User>('POST', `/api/users/${mode}`, {
      email: String(form.get('email') ?? '').trim(),
      password: String(form.get('password') ?? ''),
    });
    if (res.ok) {
      // A full navigation: the header and every server-rendered page pick up the new session.
      window.location.assign(next);
      return;
    }
    // 409 means the email has an account. Saying so would tell anyone who has an account here, so
    // the page says only that no account was made, and where to go if it is theirs.
    if (isSignup && res.status === 409) setNotCreated(true);
    else setErrors(res.errors);
    setBusy(false);
  }

  return (
    // noValidate: the API's messages are the ones shown, next to their fields.
    <form className="form" onSubmit={onSubmit} noValidate aria-labelledby="auth-title">
      <h1 id="auth-title">{isSignup ? 'Create your account' : 'Sign in'}</h1>
      <Field id="email" label="Email" type="email" autoComplete="email" required error={messageFor(errors, 'email')} />
      <Field
        id="password"
        label="Password"
        type="password"
        autoComplete={isSignup ? 'new-password' : 'current-password'}
        required
        hint={isSignup ? '8 to 128 characters.' : undefined}
        error={messageFor(errors, 'password')}
      />
      {isSignup ? null : (
        <p className="forgot-password">
          <Link href="/forgot-password">Forgot password?</Link>
        </p>
      )}
      <FormErrors messages={generalMessages(errors, FIELDS)} />
      {notCreated ? (
        <div className="form-errors" role="alert" data-testid="form-error">
          <p>
            We couldn&apos;t create an account with these details. If you already have one, <Link href={`/signin${keepNext}`}>sign in</Link>{' '}
            instead.
          </p>
        </div>
      ) : null}
      <button type="submit" disabled={busy}>
        {busy ? (isSignup ? 'Creating account…' : 'Signing in…') : isSignup ? 'Sign up' : 'Sign in'}
      </button>
      <p className="muted">
        {isSignup ? (
          <>
            Already have an account? <Link href={`/signin${keepNext}`}>Sign in</Link>
          </>
        ) : (
          <>
            New to jetmart? <Link href={`/signup${keepNext}`}>Create an account</Link>
          </>
        )}
      </p>
    </form>
  );
}
