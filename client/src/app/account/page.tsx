import type { Metadata } from 'next';
import { redirect } from 'next/navigation';
import type { SavedAddress } from '@jetmart/common/contracts';
import { ApiErrorNotice } from '@/components/ApiErrorNotice';
import { AddressBook } from '@/components/account/AddressBook';
import { ChangePasswordForm } from '@/components/account/ChangePasswordForm';
import { DeleteAccount } from '@/components/account/DeleteAccount';
import { EmailVerificationNotice } from '@/components/account/EmailVerificationNotice';
import { ProfileForm } from '@/components/account/ProfileForm';
import { SignOutEverywhere } from '@/components/account/SignOutEverywhere';
import { ACCOUNT_API, type AccountProfile } from '@/lib/account';
import { signinUrl } from '@/lib/redirect';
import { serverApi } from '@/lib/server-api';
import './account.css';

export const metadata: Metadata = { title: 'Your account' };

/**
 * The signed-in person's account: profile, address book, password, sessions, their data, and
 * deleting the account. Signed out (or a session that has ended) → sign in first, then back here.
 */
export default async function AccountPage() {
  const [profile, book] = await Promise.all([serverApi<AccountProfile>(ACCOUNT_API.me), serverApi<SavedAddress[]>(ACCOUNT_API.addresses)]);
  if (!profile.ok && profile.status === 401) redirect(signinUrl('/account'));

  return (
    <div className="account-page" data-testid="account-page">
      <h1>Your account</h1>
      {!profile.ok ? (
        <ApiErrorNotice title="Could not load your account" errors={profile.errors} />
      ) : (
        <>
          {profile.data.emailVerified === false ? <EmailVerificationNotice email={profile.data.email} /> : null}
          <ProfileForm profile={profile.data} />
          {book.ok && Array.isArray(book.data) ? (
            <AddressBook initial={book.data} />
          ) : (
            <section aria-labelledby="addresses-heading" className="account-section">
              <h2 id="addresses-heading">Address book</h2>
              <ApiErrorNotice title="Could not load your address book" errors={book.ok ? [] : book.errors} />
            </section>
          )}
          <ChangePasswordForm />
          <SignOutEverywhere />
          <section aria-labelledby="data-heading" className="account-section">
            <h2 id="data-heading">Your data</h2>
            <p>
              One JSON file with everything jetmart holds about you: your account, addresses, orders, returns, shipments, payments, listings
              and notifications.
            </p>
            {/* A plain link, not next/link: it is a download from the API, not a page. */}
            <a href={ACCOUNT_API.export} download className="button button-secondary" data-testid="export-link">
              Download my data
            </a>
          </section>
          <DeleteAccount />
        </>
      )}
    </div>
  );
}
