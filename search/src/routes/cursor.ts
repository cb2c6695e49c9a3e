import { z } from 'zod';
import { SEARCH_SORTS, type SearchSort } from '@jetmart/common/contracts';
import type { Position } from '../engine/query';

/**
 * The opaque `cursor` of a search page: the sort it belongs to and the last hit's place in that
 * sort's order (two keys and the product id). The next page is everything strictly after it, so
 * paging never repeats or skips a hit while the index stands still.
 */
const cursorShape = z.object({
  s: z.enum(SEARCH_SORTS),
  k: z.tuple([z.number().finite(), z.number().finite()]),
  i: z.string().min(1).max(64),
});

export function encodeCursor(sort: SearchSort, at: Position): string {
  return Buffer.from(JSON.stringify({ s: sort, k: [at.k1, at.k2], i: at.id })).toString('base64url');
}

/** The position a cursor names for this sort, or null when it is not one of ours (or of another sort). */
export function decodeCursor(raw: string, sort: SearchSort): Position | null {
  if (raw.length > 400 || !/^[A-Za-z0-9_-]+$/.test(raw)) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'));
  } catch {
    return null;
  }
  const c = cursorShape.safeParse(parsed);
  if (!c.success || c.data.s !== sort) return null;
  return { k1: c.data.k[0], k2: c.data.k[1], id: c.data.i };
}
