'use client';

import { useState } from 'react';
import type { ApiErrorItem } from '@jetmart/common/contracts';
import { ACCOUNT_API, sessionEnded } from '@/lib/account';
import { callApi } from '@/lib/client-api';
import { FormErrors } from '../Field';
import { SignedOutNotice } from './SignedOutNotice';

/** POST /api/users/signout-everywhere: every session of the account ends, this one too. */
export function SignOutEverywhere() {
  const [errors, setErrors] = useState<ApiErrorItem[]>([]);
  const [signedOut, setSignedOut] = useState(false);
  const [busy, setBusy] = useState(false);

  async function signOutEverywhere() {
    setBusy(true);
    setErrors([]);
    const res = await callApi('POST', ACCOUNT_API.signoutEverywhere, {});
    if (res.ok) {
      // eslint-disable-next-line @next/next/no-location-assign-relative-destination -- a full load on purpose: the header and every server-rendered part (and the router cache) must see that this session ended too
      window.location.assign('/signin?signedout=everywhere');
      return;
    }
    setBusy(false);
    if (sessionEnded(res.status, res.errors)) setSignedOut(true);
    else setErrors(res.errors);
  }

  return (
    <section aria-labelledby="sessions-heading" className="account-section">
      <h2 id="sessions-heading">Sessions</h2>
      <p>Signed in on a computer you no longer use, or lost a phone? End every session of your account, this one included.</p>
      <button type="button" className="button-secondary" onClick={() => void signOutEverywhere()} disabled={busy}>
        {busy ? 'Signing out everywhere…' : 'Sign out everywhere'}
      </button>
      <FormErrors messages={errors.map((e) => e.message)} />
      {signedOut ? <SignedOutNotice /> : null}
    </section>
  );
}
