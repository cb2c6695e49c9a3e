import { PeriodicTask, type BackgroundTask, type Logger } from '@jetmart/common';
import type { OrdersModels } from '../models';
import { PENDING_ORDER_TIMEOUT_MS, withdrawExcessHolds } from '../lifecycle';
import { failPendingOrder, settleHolds } from '../models';

export interface OrderSweeperOptions {
  intervalMs?: number;
  /** Pending orders older than this are abandoned: their process died while holding units. */
  pendingTimeoutMs?: number;
  /** Hold actions left undone for this long are redone (the process died before finishing). */
  settleAfterMs?: number;
  logger: Logger;
}

/**
 * Crash recovery for orders: fails abandoned pending orders and releases whatever units they
 * held, and finishes hold actions (release/sell) that a process died before completing.
 * Safe to run in every replica at once: every step is conditional or idempotent.
 */
export class OrderSweeper implements BackgroundTask {
  private readonly task: PeriodicTask;
  private readonly pendingTimeoutMs: number;
  private readonly settleAfterMs: number;
  private readonly log: Logger;

  constructor(
    private readonly models: OrdersModels,
    opts: OrderSweeperOptions,
  ) {
    // Recovery waits for pendingTimeoutMs (30 s) / settleAfterMs (10 s) anyway; each pass reads every order on FerretDB.
    this.pendingTimeoutMs = opts.pendingTimeoutMs ?? PENDING_ORDER_TIMEOUT_MS;
    this.settleAfterMs = opts.settleAfterMs ?? 10_000;
    this.log = opts.logger.child({ component: 'order-sweeper' });
    this.task = new PeriodicTask(
      'order sweep',
      async () => {
        await this.sweepOnce();
        await this.withdrawOverheld();
      },
      opts.intervalMs ?? 10_000,
      this.log,
    );
  }

  start(): this {
    this.task.start();
    return this;
  }

  stop(): Promise<void> {
    return this.task.stop();
  }

  /**
   * Products held beyond their listed stock that product.updated could not fix at the time (an
   * order still being placed held units then confirmed): cancel the newest unpaid holders.
   * Returns the ids of the orders cancelled.
   */
  async withdrawOverheld(): Promise<string[]> {
    const overheld = await this.models.ProductReplica.find({ available: { $lt: 0 } }, { _id: 1 })
      .limit(100)
      .lean();
    const cancelled: string[] = [];
    for (const p of overheld) {
      const ids = await withdrawExcessHolds({ models: this.models }, p._id);
      if (ids.length)
        this.log.warn({ productId: p._id, orderIds: ids }, 'listed quantity below units held: newest unpaid orders cancelled');
      cancelled.push(...ids);
    }
    return cancelled;
  }

  /** One pass. Returns how many orders it failed and how many hold actions it finished. */
  async sweepOnce(now = Date.now()): Promise<{ failed: number; settled: number }> {
    const { Order } = this.models;
    let failed = 0;
    let settled = 0;
    const pendingBefore = new Date(now - this.pendingTimeoutMs);
    const settleBefore = new Date(now - this.settleAfterMs);
    // One query for both kinds of work: FerretDB reads the whole collection for any filter that
    // is not on _id, so two queries would be two full reads of the orders every pass.
    const candidates = await Order.find(
      {
        $or: [
          { status: 'pending', createdAt: { $lte: pendingBefore } },
          { holdAction: { $in: ['release', 'sell'] }, updatedAt: { $lte: settleBefore } },
        ],
      },
      { items: 1, holdAction: 1, status: 1, createdAt: 1, updatedAt: 1 },
    )
      .limit(1000)
      .lean();
    const abandoned = candidates.filter((o) => o.status === 'pending' && o.createdAt <= pendingBefore);
    const unfinished = candidates.filter((o) => (o.holdAction === 'release' || o.holdAction === 'sell') && o.updatedAt <= settleBefore);
    for (const order of abandoned) {
      if (!(await failPendingOrder(Order, order._id))) continue; // confirmed or failed meanwhile
      failed++;
      this.log.warn({ orderId: String(order._id) }, 'abandoned pending order failed; releasing its units');
      await settleHolds(this.models, { _id: order._id, id: String(order._id), items: order.items, holdAction: 'release' });
    }
    for (const order of unfinished) {
      await settleHolds(this.models, { _id: order._id, id: String(order._id), items: order.items, holdAction: order.holdAction });
      settled++;
    }
    return { failed, settled };
  }
}
