import type { Metadata } from 'next';
import Link from 'next/link';

export const metadata: Metadata = { title: 'Account deleted' };

/** Where the storefront goes after DELETE /api/users/me succeeded (the session has ended with it). */
export default function AccountDeletedPage() {
  return (
    <div data-testid="account-deleted">
      <h1>Your account is deleted</h1>
      <p>Your sign-in, profile and address book are erased and every session has ended. Thank you for having shopped at jetmart.</p>
      <p>
        <Link href="/">Back to the catalog</Link>
      </p>
    </div>
  );
}
