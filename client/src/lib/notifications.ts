import type { NotificationFeed } from '@jetmart/common/contracts';

/** The storefront page listing the signed-in person's notifications. */
export const NOTIFICATIONS_PATH = '/notifications';

/** More than this shows as "99+" on the bell (its accessible name keeps the exact number). */
export const BADGE_MAX = 99;

/** A count the bell can show: a whole number ≥ 0; anything else (an API that answered oddly) is unknown. */
function known(unread: unknown): unread is number {
  return typeof unread === 'number' && Number.isInteger(unread) && unread >= 0;
}

/** The bell's accessible name: "Notifications, 3 unread"; just "Notifications" when none or unknown. */
export function bellLabel(unread: number | null | undefined): string {
  return known(unread) && unread > 0 ? `Notifications, ${unread} unread` : 'Notifications';
}

/** The badge on the bell, or null for no badge (nothing unread, or the count is not known). */
export function badgeText(unread: number | null | undefined): string | null {
  if (!known(unread) || unread === 0) return null;
  return unread > BADGE_MAX ? `${BADGE_MAX}+` : String(unread);
}

/** The unread count in a feed answer, or null when the body is not a feed with a usable count. */
export function unreadFrom(body: unknown): number | null {
  const unread = (body as Partial<NotificationFeed> | null | undefined)?.unread;
  return known(unread) ? unread : null;
}

const withCursor = (path: string, cursor: string | undefined) => (cursor ? `${path}?${new URLSearchParams({ cursor })}` : path);

/** GET /api/notifications for the page after `cursor` (the newest page without one). */
export function feedApiPath(cursor?: string): string {
  return withCursor('/api/notifications', cursor);
}

/** The storefront's page of notifications after `cursor`. */
export function feedPagePath(cursor?: string): string {
  return withCursor(NOTIFICATIONS_PATH, cursor);
}

/**
 * Where a notification leads: its `link` when that is a path on this site; anything else (another
 * host, `//host`, `javascript:`) is never followed and the notification leads to the list itself.
 */
export function notificationHref(link: unknown): string {
  if (typeof link !== 'string' || !link.startsWith('/') || link.startsWith('//') || link.startsWith('/\\')) {
    return NOTIFICATIONS_PATH;
  }
  return link;
}

/**
 * The unread count as the browser knows it, shared by the bell and the notifications page.
 *
 * Answers can overtake each other: the bell may ask for the count just as the page marks everything
 * read, and a read answered by the server before the marking can arrive after it. So every change
 * takes a turn: a read that began before a newer change (a `set`, or a read that began later and
 * already landed) is dropped instead of bringing an old count back.
 *
 * `undefined` means nothing was told to the store yet (the server-rendered count stands).
 */
export interface UnreadStore {
  get(): number | null | undefined;
  /** A count known now (the server's render, or "0" after marking all read): reads begun before it are stale. */
  set(count: number | null): void;
  /** Starts a read; call the returned function with its answer (dropped if something newer landed meanwhile). */
  beginRead(): (count: number | null) => void;
  subscribe(listener: () => void): () => void;
}

export function createUnreadStore(): UnreadStore {
  let count: number | null | undefined;
  let turn = 0;
  let landed = 0;
  const listeners = new Set<() => void>();

  const apply = (at: number, value: number | null) => {
    if (at <= landed) return;
    landed = at;
    if (value === count) return;
    count = value;
    listeners.forEach((l) => l());
  };

  return {
    get: () => count,
    set: (value) => apply(++turn, known(value) ? value : null),
    beginRead() {
      const at = ++turn;
      return (value) => apply(at, known(value) ? value : null);
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

/** The browser's one store (the bell and the notifications page share it). */
export const unreadStore = createUnreadStore();
