'use client';

import { useState } from 'react';
import type { ApiErrorItem } from '@jetmart/common/contracts';
import { ACCOUNT_API } from '@/lib/account';
import { callApi } from '@/lib/client-api';
import { FormErrors } from '../Field';

/**
 * "Email not verified": what waits on it (payouts), and a button that mails a new link
 * (POST /api/users/verify-email/resend, 202).
 */
export function EmailVerificationNotice({ email }: { email: string }) {
  const [errors, setErrors] = useState<ApiErrorItem[]>([]);
  const [sent, setSent] = useState<'sent' | 'already-verified' | null>(null);
  const [busy, setBusy] = useState(false);

  async function resend() {
    setBusy(true);
    setErrors([]);
    setSent(null);
    const res = await callApi<{ status?: string }>('POST', ACCOUNT_API.verifyEmailResend, {});
    setBusy(false);
    // Verified meanwhile (the link opened in another browser): nothing is mailed, and the page says why.
    if (res.ok) setSent(res.data?.status === 'already-verified' ? 'already-verified' : 'sent');
    else setErrors(res.errors);
  }

  return (
    <section className="notice account-verify" aria-labelledby="verify-heading" data-testid="email-unverified">
      <h2 id="verify-heading">Your email address is not verified</h2>
      <p>
        We sent a link to <strong>{email}</strong> when you signed up. Until you open it you can browse, buy and sell, but not receive
        payouts.
      </p>
      <button type="button" className="button-secondary" onClick={() => void resend()} disabled={busy}>
        {busy ? 'Sending…' : 'Resend the link'}
      </button>
      <div role="status">
        {sent === 'sent' ? <p className="success">A new link is on its way to {email}.</p> : null}
        {sent === 'already-verified' ? <p className="success">Your email address is verified already.</p> : null}
      </div>
      <FormErrors messages={errors.map((e) => e.message)} />
    </section>
  );
}
