import { Types } from 'mongoose';

/** Opaque page cursor: the (createdAt, _id) of the last product on the previous page. */
export function encodeCursor(createdAt: Date, id: string): string {
  return Buffer.from(`${createdAt.getTime()}|${id}`).toString('base64url');
}

export function decodeCursor(cursor: string): { createdAt: Date; id: Types.ObjectId } | null {
  const m = /^(\d{1,15})\|([a-f0-9]{24})$/.exec(Buffer.from(cursor, 'base64url').toString());
  if (!m) return null;
  return { createdAt: new Date(Number(m[1])), id: new Types.ObjectId(m[2]) };
}

const escapeRegex = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Every word of `q` must start a word of the title, case-insensitively ("red sh" finds
 * "Red Shoes"). Regex metacharacters in `q` are matched literally.
 */
export function titleWordsFilter(q: string | undefined): Record<string, unknown> {
  const words = (q ?? '').split(/\s+/).filter(Boolean).slice(0, 10);
  if (!words.length) return {};
  return { $and: words.map((w) => ({ title: { $regex: `(^|[^a-z0-9])${escapeRegex(w)}`, $options: 'i' } })) };
}
