import type { Metadata } from 'next';
import Link from 'next/link';
import { redirect } from 'next/navigation';
import type { NotificationFeed } from '@jetmart/common/contracts';
import { ApiErrorNotice } from '@/components/ApiErrorNotice';
import { LocalDateTime } from '@/components/LocalDateTime';
import { NotificationsReadState } from '@/components/NotificationsReadState';
import { NOTIFICATIONS_PATH, feedApiPath, feedPagePath, notificationHref } from '@/lib/notifications';
import { firstParam } from '@/lib/params';
import { signinUrl } from '@/lib/redirect';
import { serverApi } from '@/lib/server-api';

export const metadata: Metadata = { title: 'Notifications' };

type Props = { searchParams: Promise<Record<string, string | string[] | undefined>> };

const HEADING_ID = 'notifications-heading';

/**
 * The signed-in person's notifications, newest first, 20 a page (GET /api/notifications), each
 * linking to the page it is about; the unread ones are marked. Opening the page marks them read
 * (NotificationsReadState, once in the browser).
 */
export default async function NotificationsPage({ searchParams }: Props) {
  const cursor = firstParam((await searchParams).cursor);
  const res = await serverApi<NotificationFeed>(feedApiPath(cursor));
  if (!res.ok && res.status === 401) redirect(signinUrl(feedPagePath(cursor)));

  return (
    <>
      <div className="page-head">
        <h1 id={HEADING_ID} tabIndex={-1}>
          Notifications
        </h1>
        {res.ok ? <NotificationsReadState key={cursor ?? ''} unread={res.data.unread} headingId={HEADING_ID} /> : null}
      </div>
      {!res.ok ? (
        <>
          <ApiErrorNotice title="Could not load your notifications" errors={res.errors} />
          {cursor ? (
            <p>
              <Link href={NOTIFICATIONS_PATH}>Back to the newest</Link>
            </p>
          ) : null}
        </>
      ) : res.data.items.length === 0 ? (
        <div className="empty" data-testid="notifications-empty">
          {cursor ? (
            <p>
              No older notifications. <Link href={NOTIFICATIONS_PATH}>Back to the newest</Link>
            </p>
          ) : (
            <>
              <p>No notifications yet.</p>
              <p className="muted">Orders, payments, shipments, sales and returns are told here (and by email).</p>
            </>
          )}
        </div>
      ) : (
        <>
          <ol className="notification-list" aria-label="Notifications">
            {res.data.items.map((n) => (
              <li
                key={n.id}
                className={n.read ? 'notification' : 'notification notification-unread'}
                data-testid="notification"
                data-notification-id={n.id}
                data-kind={n.kind}
                data-read={String(n.read)}
              >
                <h2 className="notification-title">
                  <Link href={notificationHref(n.link)}>{n.title}</Link>
                  {n.read ? null : (
                    <span className="badge notification-new" data-testid="notification-unread">
                      New
                    </span>
                  )}
                </h2>
                {n.body ? <p className="notification-body">{n.body}</p> : null}
                <p className="muted notification-time">
                  <LocalDateTime iso={n.createdAt} />
                </p>
              </li>
            ))}
          </ol>
          <nav className="pager" aria-label="Pages of notifications">
            {cursor ? <Link href={NOTIFICATIONS_PATH}>← Newest</Link> : <span />}
            {res.data.nextCursor ? (
              <Link href={feedPagePath(res.data.nextCursor)} rel="next">
                Older →
              </Link>
            ) : null}
          </nav>
        </>
      )}
    </>
  );
}
