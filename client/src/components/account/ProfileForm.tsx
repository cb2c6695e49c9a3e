'use client';

import { useState, type FormEvent } from 'react';
import type { ApiErrorItem } from '@jetmart/common/contracts';
import { ACCOUNT_API, DISPLAY_NAME_MAX, sessionEnded, type AccountProfile } from '@/lib/account';
import { callApi } from '@/lib/client-api';
import { generalMessages, messageFor } from '@/lib/errors';
import { Field, FormErrors } from '../Field';
import { SignedOutNotice } from './SignedOutNotice';

/** The display name (PATCH /api/users/me); the email is shown, not edited. */
export function ProfileForm({ profile }: { profile: AccountProfile }) {
  const [displayName, setDisplayName] = useState(profile.displayName ?? '');
  const [errors, setErrors] = useState<ApiErrorItem[]>([]);
  const [signedOut, setSignedOut] = useState(false);
  const [saved, setSaved] = useState(false);
  const [busy, setBusy] = useState(false);

  async function onSubmit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    setBusy(true);
    setErrors([]);
    setSaved(false);
    const res = await callApi<AccountProfile>('PATCH', ACCOUNT_API.me, { displayName });
    setBusy(false);
    if (res.ok) {
      setDisplayName(res.data.displayName ?? '');
      setSaved(true);
      return;
    }
    if (sessionEnded(res.status, res.errors)) setSignedOut(true);
    else setErrors(res.errors);
  }

  return (
    <form className="form" onSubmit={onSubmit} noValidate aria-labelledby="profile-heading" data-testid="profile-form">
      <h2 id="profile-heading">Profile</h2>
      <p>
        Email: <strong data-testid="account-email">{profile.email}</strong>
      </p>
      <Field
        id="displayName"
        label="Display name"
        autoComplete="nickname"
        value={displayName}
        onChange={(e) => {
          setDisplayName(e.target.value);
          setSaved(false);
        }}
        hint={`How the shop addresses you, 1 to ${DISPLAY_NAME_MAX} characters.`}
        error={messageFor(errors, 'displayName')}
      />
      <FormErrors messages={generalMessages(errors, ['displayName'])} />
      {signedOut ? <SignedOutNotice /> : null}
      <div role="status">{saved ? <p className="success">Your display name is saved.</p> : null}</div>
      <button type="submit" disabled={busy}>
        {busy ? 'Saving…' : 'Save profile'}
      </button>
    </form>
  );
}
