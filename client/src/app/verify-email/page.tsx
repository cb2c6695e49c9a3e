import type { Metadata } from 'next';
import Link from 'next/link';
import { VerifyEmail } from '@/components/account/VerifyEmail';
import { tokenParam } from '@/lib/account';

export const metadata: Metadata = { title: 'Verify email' };

/** The page the sign-up mail links to (`/verify-email?token=…`). */
export default async function VerifyEmailPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const token = tokenParam((await searchParams).token);
  return (
    <>
      <h1>Verify your email address</h1>
      {token ? (
        <VerifyEmail token={token} />
      ) : (
        <div className="form-errors" role="alert">
          <p>
            This link has no verification code. Open the link from the mail again, or ask for a new one on{' '}
            <Link href="/account">your account page</Link>.
          </p>
        </div>
      )}
    </>
  );
}
