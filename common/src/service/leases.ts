import { randomUUID } from 'node:crypto';
import type { Connection } from 'mongoose';
import type { Logger } from 'pino';

/**
 * Liveness of the replicas that do one kind of recovery work (`role`), so that a replica can
 * learn that another one died and only then scan for what it may have left behind.
 *
 * Why: crash recovery (the outbox relay's safety net, orders' sweeper) used to scan whole
 * collections every few seconds in every replica, for leftovers that exist only after a crash.
 * FerretDB/SQLite pushes down nothing but `_id` equality, so each scan read every document and
 * the cost per checkout grew with the database (27x at 5,000 orders / 20,000 products,
 * docs/BENCHMARKS.md, issue 21). A live process knows what it left undone itself; what nobody
 * knows is only what a dead process left. Each holder keeps a lease (one small document in
 * `_leases`, renewed every `ttlMs / 3`); a holder that finds another's lease expired removes it
 * and is told (`onPeerLost`), once per dead lease. The cost is two commands on a tiny collection
 * per renewal, whatever the size of the data, and nothing per write.
 *
 * A process that stops cleanly with nothing left over calls `stop({ release: true })`; one that
 * stops with work left keeps its lease so that it expires and a peer recovers the work.
 */
export interface LeaseOptions {
  /** A lease not renewed for this long belongs to a dead holder. */
  ttlMs?: number;
  logger: Logger;
}

interface LeaseDoc {
  _id: string;
  role: string;
  expiresAt: Date;
}

const LEASES = '_leases';
export const DEFAULT_LEASE_TTL_MS = 30_000;

export class RecoveryLease {
  readonly id: string;
  private readonly ttlMs: number;
  private readonly log: Logger;
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private stopped = true;
  private readonly lost = new Set<() => void>();

  constructor(
    private readonly conn: Connection,
    private readonly role: string,
    opts: LeaseOptions,
  ) {
    this.id = `${role}:${randomUUID()}`;
    this.ttlMs = opts.ttlMs ?? DEFAULT_LEASE_TTL_MS;
    this.log = opts.logger.child({ component: 'recovery-lease', role });
  }

  /** `fn` runs (synchronously, keep it cheap: set a flag) each time a dead holder's lease is removed by this one. */
  onPeerLost(fn: () => void): this {
    this.lost.add(fn);
    return this;
  }

  start(): this {
    this.stopped = false;
    this.schedule(0);
    return this;
  }

  /** Stops renewing; `release` removes the lease (nothing of this holder is left for a peer to recover). */
  async stop(opts: { release?: boolean } = {}): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running?.catch(() => undefined);
    if (opts.release) await this.leases().deleteOne({ _id: this.id });
  }

  /** One renewal and look at the others' leases (also what the timer runs). */
  async renew(now = Date.now()): Promise<void> {
    const leases = this.leases();
    // Upsert: a peer that took this holder for dead (a long pause) removed the lease; it is alive.
    await leases.updateOne({ _id: this.id }, { $set: { role: this.role, expiresAt: new Date(now + this.ttlMs) } }, { upsert: true });
    // A filter beyond `_id` scans, but this collection holds one document per live holder.
    const all = await leases.find({ role: this.role }).toArray();
    for (const lease of all) {
      if (lease._id === this.id || lease.expiresAt.getTime() >= now) continue;
      // Conditional on the expiry read: a holder that renewed meanwhile is alive after all.
      const removed = await leases.deleteOne({ _id: lease._id, expiresAt: lease.expiresAt });
      if (removed.deletedCount !== 1) continue;
      this.log.warn(
        { lease: lease._id, expiredAt: lease.expiresAt },
        'a peer stopped renewing its lease: recovering what it may have left',
      );
      for (const fn of this.lost) fn();
    }
  }

  private leases() {
    return this.conn.db!.collection<LeaseDoc>(LEASES);
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.renew()
        .catch((err) => this.log.warn({ err }, 'lease renewal failed; will retry'))
        .finally(() => {
          this.running = undefined;
          this.schedule(Math.max(1, Math.floor(this.ttlMs / 3)));
        });
    }, ms);
    this.timer.unref?.();
  }
}

/**
 * When a crash-recovery worker (the outbox relay, a sweeper) scans its whole collection: only when
 * a scan is owed (start-up, a peer's lease expired, the last scan failed or stopped at its batch
 * size), when asked, or once `intervalMs` has passed since the last one (the net for writers that
 * hold no lease). One place for this schedule so that the workers cannot drift apart: each scan
 * reads every document on FerretDB/SQLite (issue 21), so one scanning too often is costly and one
 * forgetting an owed scan leaves a dead peer's work undone.
 */
export class RecoveryScans {
  // Owed from the start: what a previous run of this process left is found only by a scan.
  private isOwed = true;
  private last = 0;

  constructor(private readonly intervalMs: number) {}

  /** A scan must run on the next pass, whatever the interval. Cheap and synchronous (a lease's `onPeerLost`). */
  owe(): void {
    this.isOwed = true;
  }

  /** A scan is owed and has not run: a worker that stops now keeps its lease, so that a peer scans instead. */
  get owed(): boolean {
    return this.isOwed;
  }

  /**
   * Whether the pass at `now` scans (owed, `forced`, or the interval has passed); if it does, the
   * scan counts as started: no longer owed, and the interval counts from `now`. A scan that then
   * fails or is cut short calls `owe()` so that the next pass scans again.
   */
  due(now: number, opts: { forced?: boolean } = {}): boolean {
    if (!opts.forced && !this.isOwed && now - this.last < this.intervalMs) return false;
    this.isOwed = false;
    this.last = now;
    return true;
  }
}
