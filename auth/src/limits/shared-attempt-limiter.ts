import { createHash } from 'node:crypto';
import { isKeyValueRace, keyValueBucket, type EventBus, type KeyValueBucket } from '@jetmart/common';

type NatsConnection = EventBus['nc'];

export type AttemptVerdict = { allowed: true } | { allowed: false; retryAfterSeconds: number };

/** Counts attempts per key in fixed windows (in memory: AttemptLimiter; shared: SharedAttemptLimiter). */
export interface AttemptCounter {
  hit(key: string): AttemptVerdict | Promise<AttemptVerdict>;
}

/**
 * Attempt counts live in this JetStream key-value bucket, so every auth replica counts against the
 * same limit. A window's count is one key, changed only by compare-and-set (create when absent,
 * update at the revision read), so two replicas counting at once never both take the last attempt.
 * The bucket's age limit is the longest window the configuration allows; a count whose window has
 * passed is simply started afresh.
 */
export const ATTEMPTS_BUCKET = 'auth-attempts';
const MAX_WINDOW_MS = 24 * 3600 * 1000;
const MAX_ROUNDS = 50;

/** Where the counts are: the bus's connection, and its replica count (JETSTREAM_REPLICAS) for the bucket. */
export type AttemptsBus = Pick<EventBus, 'nc' | 'replicas'>;

let buckets = new WeakMap<NatsConnection, Promise<KeyValueBucket>>();
function bucketOn({ nc, replicas }: AttemptsBus): Promise<KeyValueBucket> {
  let kv = buckets.get(nc);
  if (!kv) {
    kv = keyValueBucket(nc, ATTEMPTS_BUCKET, MAX_WINDOW_MS, replicas);
    // A failed open is not remembered: the next attempt tries again.
    kv.catch(() => (buckets = new WeakMap()));
    buckets.set(nc, kv);
  }
  return kv;
}

export class SharedAttemptLimiter implements AttemptCounter {
  constructor(
    private readonly bus: AttemptsBus,
    /** Names this limit's keys (`signin`, `signup`), so limits never share a count. */
    private readonly scope: string,
    readonly maxAttempts: number,
    readonly windowMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Records one attempt for `key` (hashed: keys hold IPs and emails, and KV keys allow few characters). */
  async hit(key: string): Promise<AttemptVerdict> {
    const kv = await bucketOn(this.bus);
    const k = `${this.scope}.${createHash('sha256').update(key).digest('hex')}`;
    for (let round = 0; round < MAX_ROUNDS; round++) {
      const now = this.now();
      const entry = await kv.get(k);
      const current = entry && entry.operation === 'PUT' ? parseWindow(entry.string()) : null;
      const live = current && current.resetAt > now ? current : null;
      if (live && live.count >= this.maxAttempts) {
        return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((live.resetAt - now) / 1000)) };
      }
      const next = live ? { count: live.count + 1, resetAt: live.resetAt } : { count: 1, resetAt: now + this.windowMs };
      try {
        if (entry) await kv.update(k, JSON.stringify(next), entry.revision);
        else await kv.create(k, JSON.stringify(next));
        return { allowed: true };
      } catch (err) {
        if (!isKeyValueRace(err)) throw err; // another replica counted first: read again
      }
    }
    throw new Error(`the attempt count ${this.scope} kept changing during ${MAX_ROUNDS} rounds`);
  }
}

function parseWindow(raw: string): { count: number; resetAt: number } | null {
  try {
    const v = JSON.parse(raw) as { count?: unknown; resetAt?: unknown };
    return typeof v.count === 'number' && typeof v.resetAt === 'number' ? { count: v.count, resetAt: v.resetAt } : null;
  } catch {
    return null;
  }
}
