'use client';

import Link from 'next/link';
import { usePathname } from 'next/navigation';
import { useEffect, useRef, useSyncExternalStore } from 'react';
import type { NotificationFeed } from '@jetmart/common/contracts';
import { callApi } from '@/lib/client-api';
import { NOTIFICATIONS_PATH, badgeText, bellLabel, unreadStore, unreadFrom } from '@/lib/notifications';

const serverSnapshot = () => undefined;

/**
 * The bell in the header: a link to /notifications named with the unread count ("Notifications,
 * 3 unread"), with a badge when there is any. The server renders it with the count it read; the
 * root layout is not rendered again on client-side navigation, so the browser asks again after
 * each navigation and when the tab comes back into view. When the count cannot be read the bell
 * stays, without a number.
 */
export function NotificationBell({ initialUnread }: { initialUnread: number | null }) {
  const stored = useSyncExternalStore(unreadStore.subscribe, unreadStore.get, serverSnapshot);
  const unread = stored === undefined ? initialUnread : stored;
  const pathname = usePathname();
  const firstPath = useRef(pathname);

  // What the server rendered is the newest count whenever it renders the layout (a full load, router.refresh()).
  useEffect(() => unreadStore.set(initialUnread), [initialUnread]);

  useEffect(() => {
    if (pathname === firstPath.current) return; // the server's count is fresh for the page it rendered
    firstPath.current = pathname;
    void refresh();
  }, [pathname]);

  useEffect(() => {
    const onVisible = () => {
      if (document.visibilityState === 'visible') void refresh();
    };
    document.addEventListener('visibilitychange', onVisible);
    return () => document.removeEventListener('visibilitychange', onVisible);
  }, []);

  const badge = badgeText(unread);
  return (
    <Link
      href={NOTIFICATIONS_PATH}
      className="bell"
      aria-label={bellLabel(unread)}
      data-testid="notification-bell"
      aria-current={pathname === NOTIFICATIONS_PATH ? 'page' : undefined}
    >
      <svg className="bell-icon" viewBox="0 0 24 24" width="22" height="22" aria-hidden="true" focusable="false">
        <path
          d="M12 22a2.5 2.5 0 0 0 2.45-2h-4.9A2.5 2.5 0 0 0 12 22Zm7-6V11a7 7 0 0 0-5.5-6.84V3.5a1.5 1.5 0 0 0-3 0v.66A7 7 0 0 0 5 11v5l-2 2v1h18v-1l-2-2Z"
          fill="currentColor"
        />
      </svg>
      {badge ? (
        <span className="badge bell-badge" data-testid="notification-count" aria-hidden="true">
          {badge}
        </span>
      ) : null}
    </Link>
  );
}

/** Reads the count again; an answer overtaken by a newer change (the page marked all read) is dropped. */
async function refresh(): Promise<void> {
  const settle = unreadStore.beginRead();
  const res = await callApi<NotificationFeed>('GET', '/api/notifications');
  if (res.ok) settle(unreadFrom(res.data));
  else if (res.status === 401) settle(null);
}
