import type { KV, KvWatchEntry } from '@nats-io/kv';
import type { NatsConnection, QueuedIterator } from '@nats-io/nats-core';
import type { Logger } from 'pino';
import { isKeyValueRace, keyValueBucket } from './kv';

/**
 * Session revocations shared by every service (SPEC v2 invariant 13, issue 17).
 *
 * A session JWT names its session (`sid`), its user (`id`) and when it was issued (`at`, ms).
 * Auth writes revocations into the JetStream key-value bucket `sessions-revoked`:
 * - `sid.<sid>`: that one session is over (sign-out). Value `{until}`: the JWT's expiry.
 * - `user.<userId>`: every session of the user issued at or before `before` is over (sign out
 *   everywhere, password change, account deletion). Value `{before, until}`.
 * Every service watches the bucket and keeps the entries in memory, so a request is checked with
 * a map lookup, without calling auth; a new revocation reaches every watcher in milliseconds.
 *
 * An entry is needed only while a JWT it refuses can still be valid: `until` says when that ends
 * (the watcher forgets it then), and the bucket's age limit is the longest JWT lifetime any
 * service accepts (JWT_TTL_SECONDS is at most 30 days), so the bucket never grows without bound
 * and every service can create it with the same configuration, whichever starts first.
 */
export const SESSIONS_BUCKET = 'sessions-revoked';
export const MAX_SESSION_TTL_SECONDS = 30 * 24 * 3600;

/** What a session JWT says, once verified. */
export interface SessionClaims {
  id: string;
  email: string;
  /** False for a JWT issued before email verification existed (it has no such claim). */
  emailVerified: boolean;
  /** Null for a JWT issued before sessions had ids (see verifySessionToken). */
  sid: string | null;
  /** Issued at, ms since the epoch (the JWT's `iat` has only seconds). */
  at: number;
  /** Expiry, ms since the epoch. */
  exp: number;
}

const SAFE_KEY_PART = /^[A-Za-z0-9_-]{1,128}$/;

interface UserMarker {
  before: number;
  until: number;
}

/** Read access: what `currentUser` asks on every request. */
export interface RevocationCheck {
  isRevoked(claims: Pick<SessionClaims, 'id' | 'sid' | 'at'>): boolean;
}

export class SessionRevocations implements RevocationCheck {
  private readonly sids = new Map<string, number>();
  private readonly users = new Map<string, UserMarker>();
  private watcher?: QueuedIterator<KvWatchEntry>;
  private lastRevision = 0;
  private stopped = false;
  private pruneTimer?: NodeJS.Timeout;
  private watching?: Promise<void>;

  private constructor(
    private readonly kv: KV,
    private readonly logger: Logger,
    private readonly now: () => number,
  ) {}

  /**
   * Opens (creating it when missing) the bucket and resolves once every revocation stored in it
   * is in memory. Throws when the bucket cannot be reached: a service must not serve requests
   * while it cannot tell revoked sessions from valid ones (runService retries, then fails start).
   */
  static async open(
    nc: NatsConnection,
    logger: Logger,
    now: () => number = Date.now,
    /** Copies of the bucket (the bus's JETSTREAM_REPLICAS): every service reads it, so it must outlive a node. */
    replicas = 1,
  ): Promise<SessionRevocations> {
    const kv = await keyValueBucket(nc, SESSIONS_BUCKET, MAX_SESSION_TTL_SECONDS * 1000, replicas);
    const r = new SessionRevocations(kv, logger, now);
    await r.startWatching();
    r.pruneTimer = setInterval(() => r.prune(), 60_000);
    r.pruneTimer.unref();
    return r;
  }

  isRevoked(claims: Pick<SessionClaims, 'id' | 'sid' | 'at'>): boolean {
    const now = this.now();
    const until = claims.sid === null ? undefined : this.sids.get(claims.sid);
    if (until !== undefined && until > now) return true;
    const marker = this.users.get(claims.id);
    return marker !== undefined && marker.until > now && claims.at <= marker.before;
  }

  /** Ends one session (sign-out); `until` is its JWT's expiry (ms). */
  async revokeSession(sid: string, until: number): Promise<void> {
    if (!SAFE_KEY_PART.test(sid)) return; // no session with such an id can exist (see currentUser)
    await this.kv.put(`sid.${sid}`, JSON.stringify({ until }));
    this.applyLocal(`sid.${sid}`, { until });
  }

  /**
   * Ends every session of `userId` issued at or before `before` (ms). The stored moment only moves
   * forward (compare-and-set), so a late write from a replica with a slower clock never revives
   * sessions an earlier revocation ended.
   */
  async revokeUserSessions(userId: string, before: number): Promise<void> {
    if (!SAFE_KEY_PART.test(userId)) throw new Error(`not a user id: ${JSON.stringify(userId)}`);
    const key = `user.${userId}`;
    for (let round = 0; round < 20; round++) {
      const current = await this.kv.get(key);
      const existing = current && current.operation === 'PUT' ? parseMarker(current.string()) : null;
      const value: UserMarker = {
        before: Math.max(before, existing?.before ?? 0),
        until: Math.max(before + MAX_SESSION_TTL_SECONDS * 1000, existing?.until ?? 0),
      };
      try {
        if (current) await this.kv.update(key, JSON.stringify(value), current.revision);
        else await this.kv.create(key, JSON.stringify(value));
        this.applyLocal(key, value);
        return;
      } catch (err) {
        if (!isKeyValueRace(err)) throw err;
      }
    }
    throw new Error(`the revocation of ${userId}'s sessions kept racing other writes`);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.pruneTimer) clearInterval(this.pruneTimer);
    this.watcher?.stop();
    await this.watching?.catch(() => undefined);
  }

  /** The writer applies its own write at once, so its next request already sees it. */
  private applyLocal(key: string, value: unknown) {
    this.apply(key, JSON.stringify(value));
  }

  private apply(key: string, raw: string) {
    if (key.startsWith('sid.')) {
      const v = parseSid(raw);
      if (v) this.sids.set(key.slice(4), Math.max(v.until, this.sids.get(key.slice(4)) ?? 0));
    } else if (key.startsWith('user.')) {
      const v = parseMarker(raw);
      const id = key.slice(5);
      const old = this.users.get(id);
      if (v) this.users.set(id, { before: Math.max(v.before, old?.before ?? 0), until: Math.max(v.until, old?.until ?? 0) });
    }
  }

  private prune() {
    const now = this.now();
    for (const [k, until] of this.sids) if (until <= now) this.sids.delete(k);
    for (const [k, m] of this.users) if (m.until <= now) this.users.delete(k);
  }

  /** Resolves when the stored entries are loaded; keeps watching (and re-watching) afterwards. */
  private async startWatching(): Promise<void> {
    let loaded!: () => void;
    const initial = new Promise<void>((resolve) => (loaded = resolve));
    const watchOnce = async () => {
      const w = await this.kv.watch(this.lastRevision ? { resumeFromRevision: this.lastRevision + 1 } : {});
      this.watcher = w;
      // An empty bucket delivers nothing before the first update: nothing to load.
      if ((await this.kv.status()).values === 0) loaded();
      for await (const e of w) {
        this.lastRevision = Math.max(this.lastRevision, e.revision);
        if (e.operation === 'PUT') this.apply(e.key, e.string());
        // The entry that completes the stored snapshot is the first marked as an update.
        if (e.isUpdate) loaded();
      }
    };
    this.watching = (async () => {
      let first = true;
      while (!this.stopped) {
        try {
          const run = watchOnce();
          if (first) {
            first = false;
            // A failure to start the first watch is the caller's failure to open.
            await Promise.race([run, initial]);
          }
          await run;
        } catch (err) {
          if (!this.watcher && !this.lastRevision) throw err;
          this.logger.warn({ err }, 'session revocation watch ended; watching again');
        }
        if (!this.stopped) await new Promise((r) => setTimeout(r, 500));
      }
    })();
    await Promise.race([initial, this.watching]);
  }
}

function parseSid(raw: string): { until: number } | null {
  try {
    const v = JSON.parse(raw) as { until?: unknown };
    return typeof v.until === 'number' ? { until: v.until } : null;
  } catch {
    return null;
  }
}

function parseMarker(raw: string): UserMarker | null {
  try {
    const v = JSON.parse(raw) as { before?: unknown; until?: unknown };
    return typeof v.before === 'number' && typeof v.until === 'number' ? { before: v.before, until: v.until } : null;
  } catch {
    return null;
  }
}
