import type { Metadata } from 'next';
import { redirect } from 'next/navigation';
import { AuthForm } from '@/components/AuthForm';
import { firstParam } from '@/lib/params';
import { safeNextPath } from '@/lib/redirect';
import { getCurrentUser } from '@/lib/server-api';

export const metadata: Metadata = { title: 'Sign in' };

export default async function SigninPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const params = await searchParams;
  const next = safeNextPath(firstParam(params.next));
  if (await getCurrentUser()) redirect(next);
  return (
    <>
      {firstParam(params.signedout) === 'everywhere' ? (
        <p className="success" role="status" data-testid="signed-out-everywhere">
          You are signed out everywhere: every session of your account has ended.
        </p>
      ) : null}
      <AuthForm mode="signin" next={next} />
    </>
  );
}
