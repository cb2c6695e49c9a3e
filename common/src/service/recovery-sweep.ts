import type { Connection } from 'mongoose';
import type { Logger } from 'pino';
import { RecoveryLease, RecoveryScans } from './leases';
import { PeriodicTask } from './periodic';
import type { BackgroundTask } from './run';

export interface RecoverySweepOptions {
  /** What the passes are called in logs ("order sweep"). */
  what: string;
  /** One pass: a scan when `scans.due(now)` says so, else the work this process noted. */
  pass: () => Promise<unknown>;
  /** How much noted work this process still has unfinished (decides whether stop gives the lease back). */
  unfinished: () => number;
  intervalMs: number;
  fullScanIntervalMs: number;
  leaseTtlMs?: number;
  logger: Logger;
}

/**
 * The running of a crash-recovery sweeper (orders' abandoned orders, payments' pending charges):
 * its periodic pass, its lease, and the scans those owe. What a sweeper does in a pass is its own;
 * when it scans, and when it may give its lease back, is the same for all, and lives here once:
 * - at start a scan is owed (what a previous run of this process left is found only by a scan);
 * - a peer whose lease expired owes a scan (its leftovers are nobody's noted work);
 * - at stop the lease is given back only if no scan is owed and nothing noted is unfinished;
 *   otherwise it is kept to expire, so that a peer scans for what this process leaves.
 */
export class RecoverySweep implements BackgroundTask {
  readonly scans: RecoveryScans;
  private readonly lease: RecoveryLease;
  private readonly task: PeriodicTask;
  private readonly unfinished: () => number;

  constructor(conn: Connection, role: string, opts: RecoverySweepOptions) {
    this.scans = new RecoveryScans(opts.fullScanIntervalMs);
    this.lease = new RecoveryLease(conn, role, { ttlMs: opts.leaseTtlMs, logger: opts.logger }).onPeerLost(() => this.scans.owe());
    this.task = new PeriodicTask(opts.what, opts.pass, opts.intervalMs, opts.logger);
    this.unfinished = opts.unfinished;
  }

  start(): this {
    this.scans.owe();
    this.lease.start();
    this.task.start();
    return this;
  }

  /** Waits for the pass under way; gives the lease back only when nothing is left for a peer. */
  async stop(): Promise<void> {
    await this.task.stop();
    await this.lease.stop({ release: !this.scans.owed && this.unfinished() === 0 }).catch(() => undefined);
  }
}
