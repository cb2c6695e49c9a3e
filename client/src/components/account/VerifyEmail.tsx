'use client';

import Link from 'next/link';
import { useEffect, useRef, useState } from 'react';
import type { ApiErrorItem } from '@jetmart/common/contracts';
import { ACCOUNT_API } from '@/lib/account';
import { callApi } from '@/lib/client-api';

type State = { kind: 'verifying' } | { kind: 'verified' } | { kind: 'failed'; errors: ApiErrorItem[]; status: number };

/**
 * Sends the mailed token to POST /api/users/verify-email from the browser (not while rendering on
 * the server): auth answers with a session cookie that says the email is verified, and only the
 * browser can keep it.
 */
export function VerifyEmail({ token }: { token: string }) {
  const [state, setState] = useState<State>({ kind: 'verifying' });
  const sent = useRef(false);

  useEffect(() => {
    // Once per page: a token is single-use, and a second call would report the first one's success as a failure.
    if (sent.current) return;
    sent.current = true;
    void callApi('POST', ACCOUNT_API.verifyEmail, { token }).then((res) =>
      setState(res.ok ? { kind: 'verified' } : { kind: 'failed', errors: res.errors, status: res.status }),
    );
  }, [token]);

  if (state.kind === 'verifying') {
    return (
      <p role="status" className="loading" data-testid="verify-email-pending">
        Verifying your email address…
      </p>
    );
  }
  if (state.kind === 'verified') {
    return (
      <div role="status" data-testid="email-verified">
        <p className="success">Your email address is verified. Thank you!</p>
        <p>
          <Link href="/account">Go to your account</Link>
        </p>
      </div>
    );
  }
  return (
    <div className="form-errors" role="alert" data-testid="email-not-verified">
      <p>
        {state.status === 400 ? 'This verification link is invalid or has expired.' : state.errors.map((e) => e.message).join(' ')} You can
        ask for a new link on <Link href="/account">your account page</Link> (sign in first).
      </p>
    </div>
  );
}
