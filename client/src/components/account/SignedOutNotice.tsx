import Link from 'next/link';
import { signinUrl } from '@/lib/redirect';

/** Shown when the API says the session is gone (signed out elsewhere, or the account deleted): nothing was changed. */
export function SignedOutNotice() {
  return (
    <div className="form-errors" role="alert" data-testid="signed-out">
      <p>
        You are no longer signed in here, so nothing was changed. <Link href={signinUrl('/account')}>Sign in again</Link>
      </p>
    </div>
  );
}
