import { PeriodicTask, type BackgroundTask } from '@jetmart/common';
import type { Logger } from 'pino';
import { settleOpenPayout, type PayoutDeps } from '../payouts';

/**
 * Finishes payouts whose request died between reserving and settling (the seller may never ask
 * again): transfers them with the same idempotency key and records the result. Safe on every
 * replica at once (each step of `settleOpenPayout` is keyed by the payout id).
 */
export class OpenPayoutSweeper implements BackgroundTask {
  private readonly log: Logger;
  private readonly task: PeriodicTask;

  constructor(
    private readonly deps: PayoutDeps,
    opts: { logger: Logger; intervalMs?: number },
  ) {
    this.log = opts.logger.child({ component: 'open-payout-sweeper' });
    this.task = new PeriodicTask('open payout sweep', () => this.sweep(), opts.intervalMs ?? 15_000, this.log);
  }

  start(): this {
    this.task.start();
    return this;
  }

  stop(): Promise<void> {
    return this.task.stop();
  }

  /** One pass; returns how many open payouts it settled (sent or refused). */
  async sweep(now: Date = new Date()): Promise<number> {
    const staleBefore = new Date(now.getTime() - this.deps.retryAfterMs);
    const accounts = await this.deps.models.SellerAccount.find({ 'openPayout.createdAt': { $lt: staleBefore } })
      .limit(50)
      .lean();
    let settled = 0;
    for (const account of accounts) {
      const outcome = await settleOpenPayout(this.deps, account._id, account.openPayout!);
      if (outcome.kind === 'processor-unavailable')
        this.log.warn({ sellerId: account._id, err: outcome.message }, 'processor unavailable; payout stays open');
      else settled++;
    }
    return settled;
  }
}
