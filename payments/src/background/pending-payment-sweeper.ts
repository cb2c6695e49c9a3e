import { RecoverySweep, type BackgroundTask } from '@jetmart/common';
import type { Logger } from 'pino';
import { chargePendingPayment } from '../charging';
import { GatewayUnavailableError, type PaymentGateway } from '../gateway/payment-gateway';
import { pendingPaymentCandidates, type PaymentDoc, type PaymentsModels } from '../models';

export interface PendingPaymentSweeperOptions {
  /** A pending payment this old has lost its request (crash, timeout) and is charged again. */
  retryAfterMs: number;
  intervalMs?: number;
  batchSize?: number;
  /** How often a pass scans every payment regardless of leases (the net for writers without a sweeper). */
  fullScanIntervalMs?: number;
  /** A sweeper whose lease is not renewed for this long is taken for dead, and its leftovers are scanned for. */
  leaseTtlMs?: number;
  logger: Logger;
}

export const PENDING_PAYMENT_FULL_SCAN_INTERVAL_MS = 15 * 60_000;

/**
 * Finishes attempts whose request died between claiming the order and recording the charge:
 * charges them again with the same idempotency key (the processor returns the first charge if
 * there was one) and records the result, with its event. Safe on every replica at once.
 *
 * What it reads (issue 21, cost after growth): each pass, the payments this process left pending
 * (`pendingPaymentCandidates`), by `_id`, once `retryAfterMs` has passed; most are settled by
 * their request first and never read. A scan of the pending payments (every payment on
 * FerretDB/SQLite, where it used to run every 10 s) finds what a dead process left: at start-up,
 * when a peer sweeper's lease expires (`RecoveryLease`), and every `fullScanIntervalMs`.
 */
export class PendingPaymentSweeper implements BackgroundTask {
  private readonly log: Logger;
  private readonly run: RecoverySweep;

  constructor(
    private readonly deps: { models: PaymentsModels; gateway: PaymentGateway },
    private readonly opts: PendingPaymentSweeperOptions,
  ) {
    this.log = opts.logger.child({ component: 'pending-payment-sweeper' });
    this.run = new RecoverySweep(deps.models.Payment.db, 'pending-payment-sweeper', {
      what: 'pending payment sweep',
      pass: () => this.sweep(),
      unfinished: () => pendingPaymentCandidates(deps.models.Payment).size,
      intervalMs: opts.intervalMs ?? 10_000,
      fullScanIntervalMs: opts.fullScanIntervalMs ?? PENDING_PAYMENT_FULL_SCAN_INTERVAL_MS,
      leaseTtlMs: opts.leaseTtlMs,
      logger: this.log,
    });
  }

  start(): this {
    this.run.start();
    return this;
  }

  /** Stops; the lease is given back only when no payment this process left pending remains. */
  stop(): Promise<void> {
    return this.run.stop();
  }

  /** One pass (a scan when one is owed or due, else the noted payments); returns how many payments it settled. */
  async sweep(now = Date.now()): Promise<number> {
    const { Payment } = this.deps.models;
    const candidates = pendingPaymentCandidates(Payment);
    const staleBefore = new Date(now - this.opts.retryAfterMs);
    let stale: PaymentDoc[];
    if (this.run.scans.due(now)) {
      candidates.takeAll(); // the scan finds what is left of them
      try {
        const pending = await Payment.find({ status: 'pending' })
          .sort({ updatedAt: 1 })
          .limit(this.opts.batchSize ?? 50);
        stale = pending.filter((p) => p.updatedAt < staleBefore);
        // The young ones: read again by `_id` when their time comes.
        for (const p of pending) if (p.updatedAt >= staleBefore) candidates.note(p._id, 'pending', p.updatedAt.getTime());
        if (pending.length >= (this.opts.batchSize ?? 50)) this.run.scans.owe(); // more beyond the batch: scan again next pass
      } catch (err) {
        this.run.scans.owe();
        throw err;
      }
    } else {
      stale = [];
      const due = candidates.takeDue(now, () => this.opts.retryAfterMs);
      try {
        for (const id of due) {
          const p = await Payment.findById(id);
          if (p?.status !== 'pending') continue;
          if (p.updatedAt < staleBefore) stale.push(p);
          else candidates.note(p._id, 'pending', p.updatedAt.getTime());
        }
      } catch (err) {
        for (const id of due) candidates.note(id, 'pending', 0); // read again next pass
        throw err;
      }
    }
    let settled = 0;
    for (const payment of stale) {
      try {
        const after = await chargePendingPayment(this.deps, payment);
        this.log.info({ paymentId: payment.id, orderId: payment.orderId, status: after.status }, 'pending payment settled');
        settled++;
      } catch (err) {
        pendingPaymentCandidates(this.deps.models.Payment).note(payment._id, 'pending', 0); // try again next pass
        if (err instanceof GatewayUnavailableError)
          this.log.warn({ err: err.message, orderId: payment.orderId }, 'processor unavailable; payment stays pending');
        else this.log.error({ err, orderId: payment.orderId }, 'settling a pending payment failed');
      }
    }
    return settled;
  }
}
