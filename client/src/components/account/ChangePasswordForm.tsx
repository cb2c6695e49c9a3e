'use client';

import { useRef, useState, type FormEvent } from 'react';
import type { ApiErrorItem } from '@jetmart/common/contracts';
import { ACCOUNT_API, NEW_PASSWORD_HINT, newPasswordProblem, passwordCheckErrors, sessionEnded } from '@/lib/account';
import { callApi } from '@/lib/client-api';
import { generalMessages, messageFor } from '@/lib/errors';
import { Field, FormErrors } from '../Field';
import { SignedOutNotice } from './SignedOutNotice';

const FIELDS = ['currentPassword', 'newPassword'];

/**
 * POST /api/users/me/password. Auth ends every other session and gives this browser a new cookie,
 * so the person stays signed in here; the page says so, since it is the part they cannot see.
 */
export function ChangePasswordForm() {
  const form = useRef<HTMLFormElement>(null);
  const [errors, setErrors] = useState<ApiErrorItem[]>([]);
  const [signedOut, setSignedOut] = useState(false);
  const [changed, setChanged] = useState(false);
  const [busy, setBusy] = useState(false);

  function show(list: ApiErrorItem[]) {
    setErrors(list);
    const first = FIELDS.find((f) => messageFor(list, f));
    if (first) requestAnimationFrame(() => form.current?.querySelector<HTMLElement>(`#${first}`)?.focus());
  }

  async function onSubmit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const data = new FormData(e.currentTarget);
    const currentPassword = String(data.get('currentPassword') ?? '');
    const newPassword = String(data.get('newPassword') ?? '');
    setErrors([]);
    setChanged(false);
    setSignedOut(false);
    const local: ApiErrorItem[] = [];
    if (!currentPassword) local.push({ field: 'currentPassword', message: 'Current password is required' });
    const problem = newPasswordProblem(newPassword);
    if (problem) local.push({ field: 'newPassword', message: problem });
    if (local.length > 0) return show(local);

    setBusy(true);
    const res = await callApi('POST', ACCOUNT_API.password, { currentPassword, newPassword });
    setBusy(false);
    if (res.ok) {
      form.current?.reset();
      setChanged(true);
      return;
    }
    const list = passwordCheckErrors(res.status, res.errors, 'currentPassword');
    if (sessionEnded(res.status, list)) setSignedOut(true);
    else show(list);
  }

  return (
    <form ref={form} className="form" onSubmit={onSubmit} noValidate aria-labelledby="password-heading" data-testid="password-form">
      <h2 id="password-heading">Change password</h2>
      <Field
        id="currentPassword"
        label="Current password"
        type="password"
        autoComplete="current-password"
        required
        error={messageFor(errors, 'currentPassword')}
      />
      <Field
        id="newPassword"
        label="New password"
        type="password"
        autoComplete="new-password"
        required
        hint={NEW_PASSWORD_HINT}
        error={messageFor(errors, 'newPassword')}
      />
      <FormErrors messages={generalMessages(errors, FIELDS)} />
      {signedOut ? <SignedOutNotice /> : null}
      <div role="status">
        {changed ? (
          <p className="success" data-testid="password-changed">
            Your password is changed. Every other session has ended: other browsers and devices must sign in again with the new password.
            You stay signed in here.
          </p>
        ) : null}
      </div>
      <button type="submit" disabled={busy}>
        {busy ? 'Changing password…' : 'Change password'}
      </button>
    </form>
  );
}
