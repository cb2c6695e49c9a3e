import { NextResponse, type NextRequest } from 'next/server';
import type { User } from '@jetmart/common/contracts';
import { apiGet } from '@/lib/api-request';
import { signinUrl } from '@/lib/redirect';
import { isAdminEmail } from '@/app/ops/lib/admin';

/**
 * Runs before rendering (Next 16 "proxy", formerly middleware; Node.js runtime).
 *
 * /ops is for admins (ADMIN_EMAILS); everyone else gets a real 404: the request is rewritten to a
 * path no route matches, which renders the ordinary not-found page with status 404 (the page's
 * existence is not revealed). The page keeps its own check.
 *
 * /account, /orders, /returns, /notifications and /sell need an account (/account/deleted does not). A request with no session cookie at all is sent to sign in
 * here, without rendering anything. A cookie that is no longer a valid session is caught by the
 * pages themselves (their redirect() is a server 307 too, since no loading.tsx streams before it).
 */
export async function proxy(request: NextRequest) {
  const { pathname, search } = request.nextUrl;
  if (pathname === '/ops' || pathname.startsWith('/ops/')) {
    if (await isAdmin(request)) return NextResponse.next();
    return NextResponse.rewrite(new URL(NOT_FOUND_PATH, request.url));
  }
  if (!hasSessionCookie(request)) return NextResponse.redirect(new URL(signinUrl(pathname + search), request.url));
  return NextResponse.next();
}

/** No route matches it, so Next renders app/not-found.tsx with HTTP 404. */
const NOT_FOUND_PATH = '/_jetmart/not-found';

/** The services' cookie-session cookie (common's currentUser middleware reads `session`). */
function hasSessionCookie(request: NextRequest): boolean {
  return request.cookies.has('session');
}

async function isAdmin(request: NextRequest): Promise<boolean> {
  if (!process.env.ADMIN_EMAILS || !request.headers.get('cookie')) return false;
  const res = await apiGet<{ currentUser: User | null }>('/api/users/currentuser', request.headers);
  return res.ok && isAdminEmail(res.data?.currentUser?.email);
}

export const config = {
  matcher: ['/ops/:path*', '/account', '/orders/:path*', '/returns/:path*', '/notifications/:path*', '/sell/:path*'],
};
