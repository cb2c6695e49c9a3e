import { PeriodicTask, type BackgroundTask } from '@jetmart/common';
import type { Logger } from 'pino';
import { markPayoutsRefused } from '../models';
import { requestPayout, type PayoutDeps } from '../payouts';

/** Accounts looked at per query; a pass pages through every closed account with a connected account. */
const BATCH = 100;

/**
 * Pays deleted sellers (closed accounts) what the marketplace still owes them: whenever a closed
 * account with a connected account has money available, `requestPayout` sends it, the same
 * exactly-once reservation and keyed transfer as a seller's own request. Money pending at deletion
 * is paid by a later pass, once its return windows close. Safe on every replica at once: of two
 * concurrent requests for one account one reserves and the other finds it `in-progress`. A refused
 * transfer stops the automatic payouts of that account (`payoutsRefusedAt`): its balance is unclaimed.
 */
export class ClosedAccountPayer implements BackgroundTask {
  private readonly log: Logger;
  private readonly task: PeriodicTask;

  constructor(
    private readonly deps: PayoutDeps,
    opts: { logger: Logger; intervalMs?: number },
  ) {
    this.log = opts.logger.child({ component: 'closed-account-payer' });
    this.task = new PeriodicTask('closed account payouts', () => this.sweep(), opts.intervalMs ?? 60_000, this.log);
  }

  start(): this {
    this.task.start();
    return this;
  }

  stop(): Promise<void> {
    return this.task.stop();
  }

  /** One pass; returns how many payouts it sent. */
  async sweep(now: Date = new Date()): Promise<number> {
    let sent = 0;
    let after = '';
    for (;;) {
      const accounts = await this.deps.models.SellerAccount.find(
        { _id: { $gt: after }, closedAt: { $exists: true }, stripeAccountId: { $exists: true }, payoutsRefusedAt: { $exists: false } },
        { _id: 1 },
      )
        .sort({ _id: 1 })
        .limit(BATCH)
        .lean();
      for (const { _id: sellerId } of accounts) {
        const outcome = await requestPayout(this.deps, sellerId, now);
        if (outcome.kind === 'sent') sent++;
        else if (outcome.kind === 'refused') {
          await markPayoutsRefused(this.deps.models.SellerAccount, sellerId, now);
          this.log.warn({ sellerId, err: outcome.message }, 'payout to a closed account refused; its balance is now unclaimed');
        } else if (outcome.kind === 'processor-unavailable')
          this.log.warn({ sellerId, err: outcome.message }, 'processor unavailable; the payout stays reserved and is finished later');
      }
      if (accounts.length < BATCH) return sent;
      after = accounts[accounts.length - 1]._id;
    }
  }
}
