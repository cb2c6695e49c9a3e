import { PeriodicTask, type BackgroundTask } from '@jetmart/common';
import type { Logger } from 'pino';
import { chargePendingPayment } from '../charging';
import { GatewayUnavailableError, type PaymentGateway } from '../gateway/payment-gateway';
import type { PaymentsModels } from '../models';

export interface PendingPaymentSweeperOptions {
  /** A pending payment this old has lost its request (crash, timeout) and is charged again. */
  retryAfterMs: number;
  intervalMs?: number;
  batchSize?: number;
  logger: Logger;
}

/**
 * Finishes attempts whose request died between claiming the order and recording the charge:
 * charges them again with the same idempotency key (the processor returns the first charge if
 * there was one) and records the result, with its event. Safe on every replica at once.
 */
export class PendingPaymentSweeper implements BackgroundTask {
  private readonly log: Logger;
  private readonly task: PeriodicTask;

  constructor(
    private readonly deps: { models: PaymentsModels; gateway: PaymentGateway },
    private readonly opts: PendingPaymentSweeperOptions,
  ) {
    this.log = opts.logger.child({ component: 'pending-payment-sweeper' });
    // retryAfterMs is 30 s: a rarer pass (a full read of payments on FerretDB) delays little.
    this.task = new PeriodicTask('pending payment sweep', () => this.sweep(), opts.intervalMs ?? 10_000, this.log);
  }

  start(): this {
    this.task.start();
    return this;
  }

  stop(): Promise<void> {
    return this.task.stop();
  }

  /** One pass; returns how many payments it settled. */
  async sweep(): Promise<number> {
    const staleBefore = new Date(Date.now() - this.opts.retryAfterMs);
    const stale = await this.deps.models.Payment.find({ status: 'pending', updatedAt: { $lt: staleBefore } })
      .sort({ updatedAt: 1 })
      .limit(this.opts.batchSize ?? 50);
    let settled = 0;
    for (const payment of stale) {
      try {
        const after = await chargePendingPayment(this.deps, payment);
        this.log.info({ paymentId: payment.id, orderId: payment.orderId, status: after.status }, 'pending payment settled');
        settled++;
      } catch (err) {
        if (err instanceof GatewayUnavailableError)
          this.log.warn({ err: err.message, orderId: payment.orderId }, 'processor unavailable; payment stays pending');
        else this.log.error({ err, orderId: payment.orderId }, 'settling a pending payment failed');
      }
    }
    return settled;
  }
}
