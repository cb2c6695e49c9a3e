import { NextResponse, type NextRequest } from 'next/server';
import { apiGet } from '@/lib/api-request';
import type { User } from '@jetmart/common/contracts';
import { isAdminEmail } from '@/app/ops/lib/admin';

/**
 * Runs before rendering (Next 16 "proxy", formerly middleware; Node.js runtime), only for /ops.
 *
 * The operations page is for admins (ADMIN_EMAILS). The page checks this itself, but by then the
 * root loading.tsx has started streaming, so its notFound() can only produce the not-found page
 * with HTTP 200. Deciding here, before anything is rendered, lets everyone else get a real 404:
 * the request is rewritten to a path no route matches, which renders the ordinary not-found page
 * with status 404 (the page's existence is not revealed). The page keeps its own check.
 */
export async function proxy(request: NextRequest) {
  if (await isAdmin(request)) return NextResponse.next();
  return NextResponse.rewrite(new URL(NOT_FOUND_PATH, request.url));
}

/** No route matches it, so Next renders app/not-found.tsx with HTTP 404. */
const NOT_FOUND_PATH = '/_jetmart/not-found';

async function isAdmin(request: NextRequest): Promise<boolean> {
  if (!process.env.ADMIN_EMAILS || !request.headers.get('cookie')) return false;
  const res = await apiGet<{ currentUser: User | null }>('/api/users/currentuser', request.headers);
  return res.ok && isAdminEmail(res.data?.currentUser?.email);
}

export const config = {
  matcher: ['/ops/:path*'],
};
