import type { NotificationFeed, NotificationRecord } from '@jetmart/common/contracts';
import type { StoredEntry } from '../notify';

/** An in-app entry as the API shows it to its person. */
export function presentNotification(doc: StoredEntry): NotificationRecord {
  return {
    id: String(doc._id),
    kind: doc.kind,
    title: doc.title,
    body: doc.body,
    link: doc.link,
    read: doc.read,
    createdAt: doc.createdAt.toISOString(),
  };
}

export function presentFeed(items: StoredEntry[], unread: number, nextCursor: string | null): NotificationFeed {
  return { items: items.map(presentNotification), unread, nextCursor };
}
