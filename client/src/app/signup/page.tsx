import type { Metadata } from 'next';
import { redirect } from 'next/navigation';
import { AuthForm } from '@/components/AuthForm';
import { firstParam } from '@/lib/params';
import { safeNextPath } from '@/lib/redirect';
import { getCurrentUser } from '@/lib/server-api';

export const metadata: Metadata = { title: 'Sign up' };

export default async function SignupPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const next = safeNextPath(firstParam((await searchParams).next));
  if (await getCurrentUser()) redirect(next);
  return <AuthForm mode="signup" next={next} />;
}
