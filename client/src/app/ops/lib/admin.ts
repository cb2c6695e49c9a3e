import { runtimeEnv } from '@/lib/env';

/** Whether `email` is in ADMIN_EMAILS (comma-separated, case-insensitive), read per request. */
export function isAdminEmail(email: string | undefined | null): boolean {
  if (!email) return false;
  const admins = (runtimeEnv('ADMIN_EMAILS') ?? '')
    .split(',')
    .map((e) => e.trim().toLowerCase())
    .filter(Boolean);
  return admins.includes(email.toLowerCase());
}
