'use client';

import { useRouter } from 'next/navigation';
import { useEffect, useRef, useState } from 'react';
import type { ApiErrorItem } from '@jetmart/common/contracts';
import { callApi } from '@/lib/client-api';
import { unreadStore } from '@/lib/notifications';
import { FormErrors } from './Field';

const READ_ALL = '/api/notifications/read-all';

/**
 * Opening the notifications page marks them read: once the page is in the browser (never while the
 * server renders it, so a prefetch or a crawler marks nothing) it posts read-all, and the bell goes
 * to no count. The list keeps its "New" marks for this visit, so the person still sees what was new;
 * "Mark all read" clears them (and marks any that arrived since the page was opened).
 *
 * Something that arrives between the page's render and the automatic read-all is marked read
 * without having been listed; the bell counts it until then, and the next visit lists it.
 */
export function NotificationsReadState({ unread, headingId }: { unread: number; headingId: string }) {
  const router = useRouter();
  const [errors, setErrors] = useState<ApiErrorItem[]>([]);
  const [busy, setBusy] = useState(false);
  const opened = useRef(false);

  useEffect(() => {
    if (unread === 0 || opened.current) return;
    opened.current = true;
    void (async () => {
      const res = await callApi<{ marked: number; unread: number }>('POST', READ_ALL);
      if (res.ok) unreadStore.set(0);
      else setErrors(res.errors);
    })();
  }, [unread]);

  async function markAllRead() {
    setBusy(true);
    setErrors([]);
    const res = await callApi<{ marked: number; unread: number }>('POST', READ_ALL);
    if (!res.ok) {
      setErrors(res.errors);
      setBusy(false);
      return;
    }
    unreadStore.set(0);
    router.refresh();
    // The button goes away with the marks; the focus goes to the page's heading rather than being lost.
    document.getElementById(headingId)?.focus();
    setBusy(false);
  }

  if (unread === 0) return null;
  return (
    <div className="actions notifications-actions">
      <button type="button" className="button-secondary" onClick={() => void markAllRead()} disabled={busy}>
        {busy ? 'Marking…' : 'Mark all read'}
      </button>
      <FormErrors messages={errors.map((e) => e.message)} />
    </div>
  );
}
