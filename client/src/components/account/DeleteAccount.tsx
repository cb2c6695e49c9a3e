'use client';

import { useRef, useState, type FormEvent } from 'react';
import type { ApiErrorItem } from '@jetmart/common/contracts';
import { ACCOUNT_API, passwordCheckErrors, sessionEnded } from '@/lib/account';
import { callApi } from '@/lib/client-api';
import { generalMessages, messageFor } from '@/lib/errors';
import { ConfirmDialog } from '../ConfirmDialog';
import { Field, FormErrors } from '../Field';
import { SignedOutNotice } from './SignedOutNotice';

/**
 * DELETE /api/users/me with the password: the password is asked for first, then a confirmation
 * (ConfirmDialog) says what cannot be undone, and only then is the request sent.
 */
const focusPassword = () => document.getElementById('deletePassword')?.focus();

export function DeleteAccount() {
  const button = useRef<HTMLButtonElement>(null);
  const [password, setPassword] = useState('');
  const [errors, setErrors] = useState<ApiErrorItem[]>([]);
  const [signedOut, setSignedOut] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);

  function onSubmit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    setErrors([]);
    if (!password) {
      setErrors([{ field: 'deletePassword', message: 'Enter your password to delete your account' }]);
      focusPassword();
      return;
    }
    setConfirming(true);
  }

  async function remove() {
    setConfirming(false);
    setBusy(true);
    const res = await callApi('DELETE', ACCOUNT_API.me, { password });
    if (res.ok) {
      // eslint-disable-next-line @next/next/no-location-assign-relative-destination -- a full load on purpose: the session is gone and nothing rendered for the account may stay on screen (header, router cache)
      window.location.assign('/account/deleted');
      return;
    }
    setBusy(false);
    const list = passwordCheckErrors(res.status, res.errors, 'password').map((e) =>
      e.field === 'password' ? { ...e, field: 'deletePassword' } : e,
    );
    if (sessionEnded(res.status, list)) {
      setSignedOut(true);
      return;
    }
    setErrors(list);
    if (messageFor(list, 'deletePassword')) requestAnimationFrame(() => focusPassword());
  }

  return (
    <form className="form account-danger" onSubmit={onSubmit} noValidate aria-labelledby="delete-heading" data-testid="delete-account">
      <h2 id="delete-heading">Delete account</h2>
      <p>
        Your sign-in, profile and address book are erased and your listings leave the catalog. Orders keep only anonymous amounts for the
        sellers&apos; books. Download your data first if you want a copy.
      </p>
      <Field
        id="deletePassword"
        label="Password"
        type="password"
        autoComplete="current-password"
        required
        value={password}
        onChange={(e) => setPassword(e.target.value)}
        hint="Your password confirms it is you."
        error={messageFor(errors, 'deletePassword')}
      />
      <FormErrors messages={generalMessages(errors, ['deletePassword'])} />
      {signedOut ? <SignedOutNotice /> : null}
      <button ref={button} type="submit" className="button-danger" disabled={busy}>
        {busy ? 'Deleting account…' : 'Delete my account'}
      </button>
      {confirming ? (
        <ConfirmDialog
          title="Delete your account?"
          description="Your account is deleted at once and every session ends. This cannot be undone."
          confirmLabel="Yes, delete my account"
          dismissLabel="Keep my account"
          onConfirm={() => void remove()}
          onDismiss={() => {
            setConfirming(false);
            button.current?.focus();
          }}
        />
      ) : null}
    </form>
  );
}
