import mongoose from 'mongoose';
import { createLogger } from '@jetmart/common';
import { useTestDatabase } from '@jetmart/common/testing';
import { GatewayUnavailableError, type ChargeRequest, type ChargeResult, type PaymentGateway } from '../../gateway/payment-gateway';
import { SandboxGateway } from '../../gateway/sandbox-gateway';
import { chargeIdempotencyKey, paymentsModels, pendingPaymentCandidates } from '../../models';
import { PendingPaymentSweeper } from '../pending-payment-sweeper';

const { connection } = useTestDatabase({ prefix: 'payments_sweeper' });
const models = paymentsModels(connection);
const { Payment } = models;
const logger = createLogger('payments-test', { level: 'silent' });
const sweeper = (gateway: PaymentGateway) => new PendingPaymentSweeper({ models, gateway }, { retryAfterMs: 30_000, logger });

/** The fields of a first attempt that has claimed its order and not yet recorded a charge; `over` overrides fields. */
const pendingFields = (over: { userId?: string; amountMinor?: number; token?: string } = {}) => ({
  orderId: new mongoose.Types.ObjectId().toHexString(),
  userId: 'u1',
  amountMinor: 1200,
  currency: 'usd',
  status: 'pending' as const,
  attempt: 1,
  token: 'tok_visa',
  ...over,
});

/** A pending payment as a request leaves it when its process dies before recording the charge. */
async function orphanedPending(token = 'tok_visa', ageMs = 60_000) {
  const p = await Payment.create(pendingFields({ token }));
  await Payment.collection.updateOne({ _id: p._id }, { $set: { updatedAt: new Date(Date.now() - ageMs) } });
  return p;
}

describe('PendingPaymentSweeper', () => {
  it('finishes a crashed attempt whose charge went through: same idempotency key, no second charge, payment.created recorded', async () => {
    const gateway = new SandboxGateway();
    const p = await orphanedPending();
    // The crashed request had charged already.
    await gateway.charge({
      amountMinor: 1200,
      currency: 'usd',
      token: 'tok_visa',
      idempotencyKey: chargeIdempotencyKey(p.orderId, 1),
      description: '',
      metadata: {},
    });
    expect(await sweeper(gateway).sweep()).toBe(1);
    const after = await Payment.findById(p.id).lean();
    expect(after).toMatchObject({ status: 'succeeded', chargeId: gateway.charges[0].id });
    expect(after!.outbox.map((e) => e.subject)).toEqual(['payment.created']);
    expect(gateway.charges).toHaveLength(1);
  });

  it('records a decline for a crashed attempt so the buyer can try again', async () => {
    const gateway = new SandboxGateway();
    const p = await orphanedPending('tok_chargeDeclined');
    await sweeper(gateway).sweep();
    const after = await Payment.findById(p.id).lean();
    expect(after).toMatchObject({ status: 'failed', failureReason: 'declined' });
    // No payment.created; orders learns that the attempt ended without a charge.
    expect(after!.outbox.map((e) => [e.subject, (e.event.data as { reason?: string }).reason])).toEqual([['payment.failed', 'declined']]);
  });

  it('leaves young pending payments to their request', async () => {
    const gateway = new SandboxGateway();
    const p = await orphanedPending('tok_visa', 1_000);
    expect(await sweeper(gateway).sweep()).toBe(0);
    expect((await Payment.findById(p.id).lean())!.status).toBe('pending');
    expect(gateway.charges).toHaveLength(0);
  });

  it('keeps the payment pending while the processor is unreachable', async () => {
    const down = {
      name: 'down',
      charge: async (_req: ChargeRequest): Promise<ChargeResult> => {
        throw new GatewayUnavailableError('connection refused');
      },
      refund: async () => {
        throw new GatewayUnavailableError('connection refused');
      },
      transfer: async () => {
        throw new GatewayUnavailableError('connection refused');
      },
    };
    const p = await orphanedPending();
    expect(await sweeper(down).sweep()).toBe(0);
    expect(await Payment.findById(p.id).lean()).toMatchObject({ status: 'pending', token: 'tok_visa' });
  });

  it('after its start-up scan, reads only the payments this process left pending, once they are old enough', async () => {
    const gateway = new SandboxGateway();
    const s = new PendingPaymentSweeper({ models, gateway }, { retryAfterMs: 30_000, logger, fullScanIntervalMs: 3_600_000 });
    expect(await s.sweep()).toBe(0); // the start-up scan
    // This process's attempt, whose request then died (noted by its save).
    const mine = await Payment.create(pendingFields());
    // A dead process's, written straight into the collection: only a scan finds it.
    const theirs = new Payment(pendingFields({ userId: 'u2', amountMinor: 900 }));
    await Payment.collection.insertOne({ ...theirs.toObject(), updatedAt: new Date(Date.now() - 60_000) } as never);

    expect(await s.sweep(Date.now() + 1_000)).toBe(0); // too young: not read yet
    expect(await s.sweep(Date.now() + 31_000)).toBe(1);
    expect((await Payment.findById(mine.id).lean())!.status).toBe('succeeded');
    expect((await Payment.findById(theirs.id).lean())!.status).toBe('pending');
    expect(gateway.charges).toHaveLength(1);
  });

  it("scans for what a dead peer left once the peer's lease has expired", async () => {
    const gateway = new SandboxGateway();
    // Another process's attempt whose request died: saved as usual, then forgotten by this process.
    const leftover = async () => {
      const p = await orphanedPending();
      pendingPaymentCandidates(Payment).forget(p._id);
      return p.id as string;
    };
    const settled = async (id: string) => (await Payment.findById(id).lean())?.status === 'succeeded';
    const waitFor = async (id: string) => {
      for (let i = 0; i < 250 && !(await settled(id)); i++) await new Promise((r) => setTimeout(r, 20));
    };
    const first = await leftover(); // found by the start-up scan
    const running = new PendingPaymentSweeper(
      { models, gateway },
      { retryAfterMs: 30_000, logger, intervalMs: 20, leaseTtlMs: 300, fullScanIntervalMs: 3_600_000 },
    ).start();
    try {
      await waitFor(first);
      expect(await settled(first)).toBe(true);
      const theirs = await leftover();
      const leases = mongoose.connection.db!.collection('_leases');
      await leases.insertOne({
        _id: 'pending-payment-sweeper:dead-peer' as never,
        role: 'pending-payment-sweeper',
        expiresAt: new Date(Date.now() - 1_000),
      });
      await waitFor(theirs);
      expect(await settled(theirs)).toBe(true);
    } finally {
      await running.stop();
    }
  });

  it('two sweepers racing over one payment charge once and record one event', async () => {
    const gateway = new SandboxGateway();
    const p = await orphanedPending();
    const a = sweeper(gateway);
    const b = sweeper(gateway);
    await Promise.all([a.sweep(), b.sweep()]);
    const after = await Payment.findById(p.id).lean();
    expect(after!.status).toBe('succeeded');
    expect(after!.outbox).toHaveLength(1);
    expect(gateway.charges).toHaveLength(1);
  });
});
