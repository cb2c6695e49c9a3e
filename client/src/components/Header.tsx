import Link from 'next/link';
import { isAdminEmail } from '@/app/ops/lib/admin';
import type { User } from '@jetmart/common/contracts';
import { CartCount } from './CartCount';
import { NotificationBell } from './NotificationBell';
import { SignOutButton } from './SignOutButton';

/** `unread`: the signed-in person's unread notifications, null when not known (the bell shows no count). */
export function Header({ user, unread = null }: { user: User | null; unread?: number | null }) {
  return (
    <header className="site-header">
      <div className="container header-row">
        <Link href="/" className="brand">
          jetmart
        </Link>
        <nav aria-label="Main" className="main-nav">
          <Link href="/">Catalog</Link>
          <Link href="/cart">
            Cart <CartCount />
          </Link>
          {user ? (
            <>
              <Link href="/orders">My orders</Link>
              <Link href="/returns">My returns</Link>
              <Link href="/sell">Sell</Link>
              <Link href="/sell/shipments">To ship</Link>
              <Link href="/sell/returns">Returns to handle</Link>
              {isAdminEmail(user.email) ? <Link href="/ops">Ops</Link> : null}
            </>
          ) : null}
        </nav>
        <div className="account" role="group" aria-label="Account">
          {user ? (
            <>
              <NotificationBell initialUnread={unread} />
              <span className="current-user" data-testid="current-user" title={user.email}>
                {user.email}
              </span>
              <Link href="/account">Account</Link>
              <SignOutButton />
            </>
          ) : (
            <>
              <Link href="/signin">Sign in</Link>
              <Link href="/signup" className="button button-small">
                Sign up
              </Link>
            </>
          )}
        </div>
      </div>
    </header>
  );
}
