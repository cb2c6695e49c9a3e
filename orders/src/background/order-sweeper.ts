import { RecoverySweep, type BackgroundTask, type Logger } from '@jetmart/common';
import type { OrdersModels } from '../models';
import { PENDING_ORDER_TIMEOUT_MS, withdrawExcessHolds } from '../lifecycle';
import { failPendingOrder, orderCandidates, overheldCandidates, settleHolds, type OrderDoc, type OrderFields } from '../models';

export interface OrderSweeperOptions {
  intervalMs?: number;
  /** Pending orders older than this are abandoned: their process died while holding units. */
  pendingTimeoutMs?: number;
  /** Hold actions left undone for this long are redone (the process died before finishing). */
  settleAfterMs?: number;
  /** How often a pass scans every order regardless of leases (the net for writers without a sweeper). */
  fullScanIntervalMs?: number;
  /** A sweeper whose lease is not renewed for this long is taken for dead, and its leftovers are scanned for. */
  leaseTtlMs?: number;
  logger: Logger;
}

export const ORDER_SWEEP_FULL_SCAN_INTERVAL_MS = 15 * 60_000;

type Candidate = Pick<OrderFields, 'items' | 'holdAction' | 'status' | 'createdAt' | 'updatedAt'> & { _id: OrderDoc['_id'] };
const CANDIDATE_FIELDS = { items: 1, holdAction: 1, status: 1, createdAt: 1, updatedAt: 1 };

/**
 * Crash recovery for orders: fails abandoned pending orders and releases whatever units they
 * held, and finishes hold actions (release/sell) that a process died before completing.
 * Safe to run in every replica at once: every step is conditional or idempotent.
 *
 * What it reads (issue 21, cost after growth): each pass, only the orders and products this
 * process noted as possibly unfinished (models/sweeper-candidates.ts), by `_id`, once their
 * timeout has passed; most are cleared by the write that finishes them and never read. Orders
 * left by a process that died are found by a scan of the orders and replicas, run at start-up,
 * when a peer sweeper's lease expires (`RecoveryLease`), and every `fullScanIntervalMs`; the
 * scan used to run every 10 s and read every order and replica on FerretDB/SQLite.
 */
export class OrderSweeper implements BackgroundTask {
  private readonly run: RecoverySweep;
  private readonly pendingTimeoutMs: number;
  private readonly settleAfterMs: number;
  private readonly log: Logger;

  constructor(
    private readonly models: OrdersModels,
    opts: OrderSweeperOptions,
  ) {
    this.pendingTimeoutMs = opts.pendingTimeoutMs ?? PENDING_ORDER_TIMEOUT_MS;
    this.settleAfterMs = opts.settleAfterMs ?? 10_000;
    this.log = opts.logger.child({ component: 'order-sweeper' });
    this.run = new RecoverySweep(models.Order.db, 'order-sweeper', {
      what: 'order sweep',
      pass: () => this.sweep(),
      unfinished: () => orderCandidates(models.Order).size + overheldCandidates(models.ProductReplica).size,
      intervalMs: opts.intervalMs ?? 10_000,
      fullScanIntervalMs: opts.fullScanIntervalMs ?? ORDER_SWEEP_FULL_SCAN_INTERVAL_MS,
      leaseTtlMs: opts.leaseTtlMs,
      logger: this.log,
    });
  }

  start(): this {
    this.run.start();
    return this;
  }

  /** Stops; the lease is given back only when nothing this process noted is left unfinished. */
  stop(): Promise<void> {
    return this.run.stop();
  }

  /** One periodic pass: a scan when one is owed or due, else the noted candidates whose time has come. */
  async sweep(now = Date.now()): Promise<void> {
    if (this.run.scans.due(now)) {
      try {
        await this.sweepOnce(now);
        await this.withdrawOverheld();
      } catch (err) {
        this.run.scans.owe();
        throw err;
      }
      return;
    }
    await this.sweepNoted(now);
    for (const id of overheldCandidates(this.models.ProductReplica).takeAll()) await this.withdraw(id);
  }

  /**
   * Products held beyond their listed stock that product.updated could not fix at the time (an
   * order still being placed held units then confirmed): cancel the newest unpaid holders.
   * Scans every replica. Returns the ids of the orders cancelled.
   */
  async withdrawOverheld(): Promise<string[]> {
    const overheld = await this.models.ProductReplica.find({ available: { $lt: 0 } }, { _id: 1 })
      .limit(100)
      .lean();
    overheldCandidates(this.models.ProductReplica).takeAll(); // the scan covers them
    const cancelled: string[] = [];
    for (const p of overheld) cancelled.push(...(await this.withdraw(p._id)));
    return cancelled;
  }

  private async withdraw(productId: string): Promise<string[]> {
    const ids = await withdrawExcessHolds({ models: this.models }, productId);
    if (ids.length) this.log.warn({ productId, orderIds: ids }, 'listed quantity below units held: newest unpaid orders cancelled');
    return ids;
  }

  /**
   * A scan of every order that is pending or has a hold action: those old enough are finished,
   * the younger ones are noted and read again by `_id` when their time comes.
   * Returns how many orders it failed and how many hold actions it finished.
   */
  async sweepOnce(now = Date.now()): Promise<{ failed: number; settled: number }> {
    // One query for both kinds of work: FerretDB reads the whole collection for any filter that
    // is not on _id, so two queries would be two full reads of the orders.
    orderCandidates(this.models.Order).takeAll(); // the scan finds what is left of them
    const found = await this.models.Order.find(
      { $or: [{ status: 'pending' }, { holdAction: { $in: ['release', 'sell'] } }] },
      CANDIDATE_FIELDS,
    )
      .limit(1000)
      .lean();
    return this.recover(found as Candidate[], now);
  }

  /** The candidates this process noted whose timeout has passed, each read by `_id`. */
  async sweepNoted(now = Date.now()): Promise<{ failed: number; settled: number }> {
    const { Order } = this.models;
    const due = orderCandidates(Order).takeDue(now, (kind) => (kind === 'pending' ? this.pendingTimeoutMs : this.settleAfterMs));
    const found: Candidate[] = [];
    try {
      for (const id of due) {
        const order = (await Order.findById(id, CANDIDATE_FIELDS).lean()) as Candidate | null;
        if (order) found.push(order);
      }
    } catch (err) {
      for (const id of due) orderCandidates(Order).note(id, 'hold', 0); // read again next pass
      throw err;
    }
    return this.recover(found, now);
  }

  private async recover(orders: Candidate[], now: number): Promise<{ failed: number; settled: number }> {
    const { Order } = this.models;
    const pendingBefore = new Date(now - this.pendingTimeoutMs);
    const settleBefore = new Date(now - this.settleAfterMs);
    let failed = 0;
    let settled = 0;
    for (const [i, order] of orders.entries()) {
      try {
        if (order.status === 'pending') {
          if (order.createdAt > pendingBefore) {
            orderCandidates(Order).note(order._id, 'pending', order.createdAt.getTime());
            continue;
          }
          if (!(await failPendingOrder(Order, order._id))) continue; // confirmed or failed meanwhile
          failed++;
          this.log.warn({ orderId: String(order._id) }, 'abandoned pending order failed; releasing its units');
          await settleHolds(this.models, { _id: order._id, id: String(order._id), items: order.items, holdAction: 'release' });
        } else if (order.holdAction === 'release' || order.holdAction === 'sell') {
          if (order.updatedAt > settleBefore) {
            orderCandidates(Order).note(order._id, 'hold', order.updatedAt.getTime());
            continue;
          }
          await settleHolds(this.models, { _id: order._id, id: String(order._id), items: order.items, holdAction: order.holdAction });
          settled++;
        }
      } catch (err) {
        // This one and the rest are looked at again on the next pass.
        for (const o of orders.slice(i)) orderCandidates(Order).note(o._id, 'hold', 0);
        throw err;
      }
    }
    return { failed, settled };
  }
}
