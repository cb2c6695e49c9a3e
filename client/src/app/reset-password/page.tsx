import type { Metadata } from 'next';
import Link from 'next/link';
import { ResetPasswordForm } from '@/components/account/ResetPasswordForm';
import { tokenParam } from '@/lib/account';

export const metadata: Metadata = { title: 'Reset password' };

/** The page the reset mail links to (`/reset-password?token=…`). */
export default async function ResetPasswordPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const token = tokenParam((await searchParams).token);
  if (!token) {
    return (
      <>
        <h1>Reset password</h1>
        <div className="form-errors" role="alert">
          <p>
            This link has no reset code. Open the link from the mail again, or <Link href="/forgot-password">ask for a new one</Link>.
          </p>
        </div>
      </>
    );
  }
  return <ResetPasswordForm token={token} />;
}
