import { Types } from 'mongoose';
import type { NotificationFields, NotificationsModels } from '../models';

export const FEED_PAGE_SIZE = 20;

type Deps = { models: NotificationsModels };
export type StoredEntry = Pick<NotificationFields, 'kind' | 'title' | 'body' | 'link' | 'read' | 'createdAt'> & { _id: Types.ObjectId };

/** Opaque page cursor: the (createdAt, _id) of the last entry on the previous page. */
export function encodeCursor(createdAt: Date, id: string): string {
  return Buffer.from(`${createdAt.getTime()}|${id}`).toString('base64url');
}

export function decodeCursor(cursor: string): { createdAt: Date; id: Types.ObjectId } | null {
  const m = /^(\d{1,15})\|([a-f0-9]{24})$/.exec(Buffer.from(cursor, 'base64url').toString());
  if (!m) return null;
  return { createdAt: new Date(Number(m[1])), id: new Types.ObjectId(m[2]) };
}

export type FeedOutcome = { kind: 'page'; items: StoredEntry[]; unread: number; nextCursor: string | null } | { kind: 'bad-cursor' };

/** A person's in-app entries, newest first, a page at a time; with the count of every unread one. */
export async function readFeed(deps: Deps, userId: string, cursor?: string): Promise<FeedOutcome> {
  const { Notification } = deps.models;
  const filter: Record<string, unknown> = { userId, channel: 'in-app' };
  if (cursor !== undefined) {
    const at = decodeCursor(cursor);
    if (!at) return { kind: 'bad-cursor' };
    filter.$or = [{ createdAt: { $lt: at.createdAt } }, { createdAt: at.createdAt, _id: { $lt: at.id } }];
  }
  const [found, unread] = await Promise.all([
    Notification.find(filter, { kind: 1, title: 1, body: 1, link: 1, read: 1, createdAt: 1 })
      .sort({ createdAt: -1, _id: -1 })
      .limit(FEED_PAGE_SIZE + 1)
      .lean<StoredEntry[]>(),
    Notification.countDocuments({ userId, channel: 'in-app', read: false }),
  ]);
  const items = found.slice(0, FEED_PAGE_SIZE);
  const last = items[items.length - 1];
  const nextCursor = found.length > FEED_PAGE_SIZE && last ? encodeCursor(last.createdAt, String(last._id)) : null;
  return { kind: 'page', items, unread, nextCursor };
}

export type MarkReadOutcome = { kind: 'read'; entry: StoredEntry } | { kind: 'not-found' };

/** One entry read (again is a repeat); only its person's own. */
export async function markRead(deps: Deps, userId: string, id: string): Promise<MarkReadOutcome> {
  const { Notification } = deps.models;
  if (!Types.ObjectId.isValid(id) || !/^[a-f0-9]{24}$/i.test(id)) return { kind: 'not-found' };
  const filter = { _id: new Types.ObjectId(id), userId, channel: 'in-app' as const };
  const res = await Notification.updateOne(filter, { $set: { read: true } });
  if (res.matchedCount === 0) return { kind: 'not-found' };
  const entry = await Notification.findOne(filter, { kind: 1, title: 1, body: 1, link: 1, read: 1, createdAt: 1 }).lean<StoredEntry>();
  return entry ? { kind: 'read', entry } : { kind: 'not-found' };
}

/**
 * Every entry of the person read. updateMany is not locked per document on FerretDB; that is safe
 * here: an in-app entry is written once, and afterwards only `read` is ever set, to true, by this
 * call or markRead (racing writes of the same value), or it is deleted with its person.
 */
export async function markAllRead(deps: Deps, userId: string): Promise<{ kind: 'read'; marked: number }> {
  const res = await deps.models.Notification.updateMany({ userId, channel: 'in-app', read: false }, { $set: { read: true } });
  return { kind: 'read', marked: res.modifiedCount };
}
