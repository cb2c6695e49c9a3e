import { readEach } from '@jetmart/common';
import { partIdOf, type LedgerEntryAttrs, type PaymentsModels } from '../models';

/** Opaque page cursor: the (createdAt, _id) of the last entry of the previous page. */
export function encodeLedgerCursor(e: Pick<LedgerEntryAttrs, '_id' | 'createdAt'>): string {
  return Buffer.from(`${e.createdAt.getTime()}|${e._id}`).toString('base64url');
}

const ENTRY_ID = /^(sale|refund|payout)-[A-Za-z0-9-]{1,200}$/;

export function decodeLedgerCursor(cursor: string): { createdAt: Date; id: string } | null {
  if (cursor.length > 400) return null;
  const m = /^(\d{1,15})\|(.+)$/.exec(Buffer.from(cursor, 'base64url').toString());
  if (!m || !ENTRY_ID.test(m[2])) return null;
  return { createdAt: new Date(Number(m[1])), id: m[2] };
}

export interface LedgerPage {
  entries: Array<{ entry: LedgerEntryAttrs; availableAt: Date | null }>;
  nextCursor: string | null;
}

/** One page of a seller's entries, newest first, each with when its money became available. */
export async function ledgerPage(
  models: Pick<PaymentsModels, 'LedgerEntry' | 'Release'>,
  sellerId: string,
  after: { createdAt: Date; id: string } | null,
  limit: number,
): Promise<LedgerPage> {
  const filter = after
    ? { sellerId, $or: [{ createdAt: { $lt: after.createdAt } }, { createdAt: after.createdAt, _id: { $lt: after.id } }] }
    : { sellerId };
  const entries = await models.LedgerEntry.find(filter)
    .sort({ createdAt: -1, _id: -1 })
    .limit(limit + 1)
    .lean<LedgerEntryAttrs[]>();
  const page = entries.slice(0, limit);
  const parts = [...new Set(page.filter((e) => e.orderId).map((e) => partIdOf(e.orderId!, sellerId)))];
  // By _id one at a time: `_id: {$in}` reads every release on FerretDB, on every page.
  const releases = await readEach(parts, (id) => models.Release.findById(id).lean());
  const releasedAt = new Map(releases.filter((r) => r !== null).map((r) => [r._id, r.releasedAt]));
  return {
    entries: page.map((entry) => ({
      entry,
      // A payout's money left when it was made; a sale's or refund's is available once its part is released.
      availableAt: entry.orderId ? (releasedAt.get(partIdOf(entry.orderId, sellerId)) ?? null) : entry.createdAt,
    })),
    nextCursor: entries.length > limit ? encodeLedgerCursor(page[page.length - 1]) : null,
  };
}

/** The platform's commission per UTC day over the last `days` days (today included), oldest first. */
export async function commissionPerDay(
  models: Pick<PaymentsModels, 'LedgerEntry'>,
  days: number,
  now: Date = new Date(),
): Promise<Array<{ date: string; commissionMinor: number }>> {
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  const from = new Date(today - (days - 1) * 86_400_000);
  const out = Array.from({ length: days }, (_, i) => ({
    date: new Date(from.getTime() + i * 86_400_000).toISOString().slice(0, 10),
    commissionMinor: 0,
  }));
  const entries = await models.LedgerEntry.find({ createdAt: { $gte: from } }, { createdAt: 1, commissionMinor: 1 }).lean();
  for (const e of entries) {
    const day = Math.floor((e.createdAt.getTime() - from.getTime()) / 86_400_000);
    if (day >= 0 && day < days) out[day].commissionMinor += e.commissionMinor;
  }
  return out;
}
