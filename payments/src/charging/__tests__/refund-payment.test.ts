/**
 * refundPayment against a real database (FerretDB in the test run, with the document lock): one
 * refund per source, never more than the charge, whatever repeats, races and processor failures.
 */
import mongoose from 'mongoose';
import { useTestDatabase } from '@jetmart/common/testing';
import { GatewayUnavailableError, type PaymentGateway, type RefundRequest } from '../../gateway/payment-gateway';
import { SandboxGateway } from '../../gateway/sandbox-gateway';
import { paymentsModels, type PaymentStatus } from '../../models';
import { refundIfCharged, refundPayment, type RefundPaymentInput } from '..';

const { connection } = useTestDatabase({ prefix: 'payments_refunds' });
const models = paymentsModels(connection);
const { Payment, Refund } = models;
const oid = () => new mongoose.Types.ObjectId().toHexString();

let sandbox: SandboxGateway;
beforeEach(() => {
  sandbox = new SandboxGateway();
});

/** A payment as payOrder leaves it (charged at the sandbox when succeeded). */
async function payment(amountMinor = 5000, status: PaymentStatus = 'succeeded') {
  const orderId = oid();
  const charged =
    status === 'succeeded'
      ? await sandbox.charge({
          amountMinor,
          currency: 'usd',
          token: 'tok_visa',
          idempotencyKey: `c-${orderId}`,
          description: '',
          metadata: {},
        })
      : undefined;
  return Payment.create({
    orderId,
    userId: oid(),
    amountMinor,
    currency: 'usd',
    status,
    attempt: 1,
    chargeId: charged?.outcome === 'succeeded' ? charged.chargeId : undefined,
    token: status === 'pending' ? 'tok_visa' : undefined,
  });
}

const line = { productId: 'p1', quantity: 2, priceMinor: 750 };
const shipmentRefund = (orderId: string, over: Partial<RefundPaymentInput> = {}): RefundPaymentInput => ({
  orderId,
  reason: 'shipment-cancelled',
  sourceId: oid(),
  amountMinor: 1500,
  items: [line],
  ...over,
});

/** The sandbox behind a wrapper: `fail(n)` makes the next n refunds unreachable, `crashAfter(n)` answers n then throws as if the process died. */
function flaky(inner: PaymentGateway) {
  let failing = 0;
  let crashing = 0;
  const keys: string[] = [];
  const gateway: PaymentGateway = {
    name: 'flaky',
    charge: (req) => inner.charge(req),
    transfer: (req) => inner.transfer(req),
    async refund(req: RefundRequest) {
      keys.push(req.idempotencyKey);
      if (failing > 0) {
        failing--;
        throw new GatewayUnavailableError('processor down');
      }
      const answer = await inner.refund(req);
      if (crashing > 0) {
        crashing--;
        // The processor refunded; the process "dies" before step 3 writes anything.
        throw new Error('crashed after the processor answered');
      }
      return answer;
    },
  };
  return { gateway, keys, fail: (n: number) => (failing = n), crashAfter: (n: number) => (crashing = n) };
}

describe('refundPayment', () => {
  it('refunds a cancelled shipment: reserves on the payment, refunds at the processor with the key, records the Refund with payment.refunded', async () => {
    const p = await payment(5000);
    const input = shipmentRefund(p.orderId);
    const outcome = await refundPayment({ models, gateway: sandbox }, input);
    expect(outcome.kind).toBe('refunded');
    const id = `shipment-cancelled-${input.sourceId}`;
    expect(sandbox.refunds).toEqual([{ id: expect.stringMatching(/^re_sandbox_/), chargeId: p.chargeId, amountMinor: 1500 }]);
    expect(await Payment.findById(p.id).lean()).toMatchObject({ status: 'succeeded', refundedMinor: 1500, refundKeys: [id] });
    const refund = await Refund.findById(id).lean();
    expect(refund).toMatchObject({
      paymentId: p.id,
      orderId: p.orderId,
      userId: p.userId,
      reason: 'shipment-cancelled',
      sourceId: input.sourceId,
      amountMinor: 1500,
      items: [line],
      processorRefundId: sandbox.refunds[0].id,
    });
    expect(refund!.outbox.map((e) => e.event)).toEqual([
      expect.objectContaining({
        subject: 'payment.refunded',
        data: {
          id,
          paymentId: p.id,
          orderId: p.orderId,
          userId: p.userId,
          reason: 'shipment-cancelled',
          sourceId: input.sourceId,
          amountMinor: 1500,
          items: [line],
          version: 0,
        },
      }),
    ]);
  });

  it('refunds a return with its lines; a second source of the same order adds up', async () => {
    const p = await payment(5000);
    await refundPayment({ models, gateway: sandbox }, shipmentRefund(p.orderId));
    const returnId = oid();
    const outcome = await refundPayment(
      { models, gateway: sandbox },
      { orderId: p.orderId, reason: 'return', sourceId: returnId, amountMinor: 2250, items: [{ ...line, quantity: 3 }] },
    );
    expect(outcome).toMatchObject({ kind: 'refunded', refund: { _id: `return-${returnId}`, amountMinor: 2250 } });
    expect((await Payment.findById(p.id).lean())!.refundedMinor).toBe(3750);
    expect(sandbox.refunds.map((r) => r.amountMinor)).toEqual([1500, 2250]);
  });

  it('a repeat is already-refunded: one processor refund, one record, refundedMinor counted once', async () => {
    const p = await payment(5000);
    const input = shipmentRefund(p.orderId);
    expect((await refundPayment({ models, gateway: sandbox }, input)).kind).toBe('refunded');
    for (let i = 0; i < 3; i++) expect((await refundPayment({ models, gateway: sandbox }, input)).kind).toBe('already-refunded');
    expect(sandbox.refunds).toHaveLength(1);
    expect(await Refund.countDocuments({ orderId: p.orderId })).toBe(1);
    expect((await Payment.findById(p.id).lean())!.refundedMinor).toBe(1500);
  });

  it('no-charge-yet for an order without a payment, or with a pending or failed one: nothing reserved', async () => {
    expect((await refundPayment({ models, gateway: sandbox }, shipmentRefund(oid()))).kind).toBe('no-charge-yet');
    for (const status of ['pending', 'failed'] as const) {
      const p = await payment(5000, status);
      expect((await refundPayment({ models, gateway: sandbox }, shipmentRefund(p.orderId))).kind).toBe('no-charge-yet');
      expect(await Payment.findById(p.id).lean()).toMatchObject({ refundedMinor: 0, refundKeys: [] });
    }
    expect(sandbox.refunds).toHaveLength(0);
    expect(await Refund.countDocuments()).toBe(0);
  });

  it('would-exceed-charge for more than is left of the charge: nothing reserved, nothing at the processor', async () => {
    const p = await payment(2000);
    expect((await refundPayment({ models, gateway: sandbox }, shipmentRefund(p.orderId, { amountMinor: 1500 }))).kind).toBe('refunded');
    expect((await refundPayment({ models, gateway: sandbox }, shipmentRefund(p.orderId, { amountMinor: 501 }))).kind).toBe(
      'would-exceed-charge',
    );
    expect((await refundPayment({ models, gateway: sandbox }, shipmentRefund(p.orderId, { amountMinor: 2001 }))).kind).toBe(
      'would-exceed-charge',
    );
    expect((await refundPayment({ models, gateway: sandbox }, shipmentRefund(p.orderId, { amountMinor: 500 }))).kind).toBe('refunded');
    expect(await Payment.findById(p.id).lean()).toMatchObject({ refundedMinor: 2000 });
    expect(sandbox.refunds.map((r) => r.amountMinor)).toEqual([1500, 500]);
  });

  it('10 concurrent different refunds whose sum exceeds the charge never refund more than the charge', async () => {
    const p = await payment(5000);
    const inputs = Array.from({ length: 10 }, () =>
      shipmentRefund(p.orderId, { amountMinor: 1000, items: [{ ...line, quantity: 1, priceMinor: 1000 }] }),
    );
    const outcomes = await Promise.all(inputs.map((input) => refundPayment({ models, gateway: sandbox }, input)));
    const kinds = outcomes.map((o) => o.kind);
    expect(kinds.filter((k) => k === 'refunded')).toHaveLength(5);
    expect(kinds.filter((k) => k === 'would-exceed-charge')).toHaveLength(5);
    const stored = await Payment.findById(p.id).lean();
    expect(stored!.refundedMinor).toBe(5000);
    expect(stored!.refundKeys).toHaveLength(5);
    expect(await Refund.countDocuments({ orderId: p.orderId })).toBe(5);
    expect(sandbox.refunds.reduce((sum, r) => sum + r.amountMinor, 0)).toBe(5000);
  });

  it('the same refund from 8 concurrent callers happens once', async () => {
    const p = await payment(5000);
    const input = shipmentRefund(p.orderId);
    const outcomes = await Promise.all(Array.from({ length: 8 }, () => refundPayment({ models, gateway: sandbox }, input)));
    expect(outcomes.every((o) => o.kind === 'refunded' || o.kind === 'already-refunded')).toBe(true);
    expect(outcomes.filter((o) => o.kind === 'refunded')).toHaveLength(1);
    expect(sandbox.refunds).toHaveLength(1);
    expect(await Refund.countDocuments({ orderId: p.orderId })).toBe(1);
    expect(await Payment.findById(p.id).lean()).toMatchObject({
      refundedMinor: 1500,
      refundKeys: [`shipment-cancelled-${input.sourceId}`],
    });
  });

  it('processor-unavailable keeps the reservation; the repeat completes it with the same key, counted once', async () => {
    const p = await payment(5000);
    const input = shipmentRefund(p.orderId);
    const f = flaky(sandbox);
    f.fail(2);
    expect((await refundPayment({ models, gateway: f.gateway }, input)).kind).toBe('processor-unavailable');
    expect((await refundPayment({ models, gateway: f.gateway }, input)).kind).toBe('processor-unavailable');
    expect(await Payment.findById(p.id).lean()).toMatchObject({
      refundedMinor: 1500,
      refundKeys: [`shipment-cancelled-${input.sourceId}`],
    });
    expect(await Refund.countDocuments()).toBe(0);
    expect((await refundPayment({ models, gateway: f.gateway }, input)).kind).toBe('refunded');
    expect(new Set(f.keys)).toEqual(new Set([`jetmart-refund-shipment-cancelled-${input.sourceId}`]));
    expect(f.keys).toHaveLength(3);
    expect(sandbox.refunds).toHaveLength(1);
    expect((await Payment.findById(p.id).lean())!.refundedMinor).toBe(1500);
  });

  // In-process equivalent of the kill -9 test (service-crash.test.ts runs the real process).
  it('a crash between the processor answer and the record: the next call repeats the key, one refund, one record', async () => {
    const p = await payment(5000);
    const input = { orderId: p.orderId, reason: 'return' as const, sourceId: oid(), amountMinor: 2500, items: [line] };
    const f = flaky(sandbox);
    f.crashAfter(1);
    await expect(refundPayment({ models, gateway: f.gateway }, input)).rejects.toThrow('crashed after the processor answered');
    expect(sandbox.refunds).toHaveLength(1);
    expect(await Refund.countDocuments()).toBe(0);
    const outcome = await refundPayment({ models, gateway: f.gateway }, input);
    expect(outcome).toMatchObject({ kind: 'refunded', refund: { processorRefundId: sandbox.refunds[0].id } });
    expect(f.keys).toEqual([`jetmart-refund-return-${input.sourceId}`, `jetmart-refund-return-${input.sourceId}`]);
    expect(sandbox.refunds).toHaveLength(1);
    expect(await Refund.countDocuments()).toBe(1);
    expect((await Payment.findById(p.id).lean())!.refundedMinor).toBe(2500);
  });
});

describe('refundIfCharged (order.cancelled after a charge)', () => {
  it('refunds the whole charge as order-cancelled-<order>, marks the payment refunded, and is idempotent', async () => {
    const p = await payment(3000);
    const first = await refundIfCharged({ models, gateway: sandbox }, p.orderId);
    expect(first).toEqual({ kind: 'refunded', refundId: sandbox.refunds[0].id });
    expect(await refundIfCharged({ models, gateway: sandbox }, p.orderId)).toMatchObject({ kind: 'refunded' });
    expect(sandbox.refunds).toEqual([expect.objectContaining({ chargeId: p.chargeId, amountMinor: 3000 })]);
    expect(await Payment.findById(p.id).lean()).toMatchObject({
      status: 'refunded',
      refundedMinor: 3000,
      refundKeys: [`order-cancelled-${p.orderId}`],
    });
    expect(await Refund.findById(`order-cancelled-${p.orderId}`).lean()).toMatchObject({
      reason: 'order-cancelled',
      sourceId: p.orderId,
      amountMinor: 3000,
      items: [],
    });
  });

  it('completes a whole-order refund whose process died after reserving (payment already marked refunded)', async () => {
    const p = await payment(3000);
    const f = flaky(sandbox);
    f.fail(1);
    expect(await refundIfCharged({ models, gateway: f.gateway }, p.orderId)).toMatchObject({ kind: 'processor-unavailable' });
    expect((await Payment.findById(p.id).lean())!.status).toBe('refunded');
    expect(await refundIfCharged({ models, gateway: f.gateway }, p.orderId)).toMatchObject({ kind: 'refunded' });
    expect(sandbox.refunds).toHaveLength(1);
    expect(await Refund.countDocuments({ orderId: p.orderId })).toBe(1);
  });

  it('leaves alone a payment refunded before refunds were records, a failed one, and none; waits for a pending one', async () => {
    const legacy = await payment(3000);
    await Payment.collection.updateOne(
      { _id: legacy._id },
      { $set: { status: 'refunded', refundId: 're_old' }, $unset: { refundedMinor: '', refundKeys: '' } },
    );
    expect(await refundIfCharged({ models, gateway: sandbox }, legacy.orderId)).toEqual({ kind: 'nothing-charged' });
    expect(await refundIfCharged({ models, gateway: sandbox }, (await payment(3000, 'failed')).orderId)).toEqual({
      kind: 'nothing-charged',
    });
    expect(await refundIfCharged({ models, gateway: sandbox }, oid())).toEqual({ kind: 'nothing-charged' });
    expect(await refundIfCharged({ models, gateway: sandbox }, (await payment(3000, 'pending')).orderId)).toEqual({
      kind: 'charge-in-flight',
    });
    expect(sandbox.refunds).toHaveLength(0);
  });

  it('a payment charged before refunds existed (no refundedMinor stored) can still be refunded in part', async () => {
    const p = await payment(3000);
    await Payment.collection.updateOne({ _id: p._id }, { $unset: { refundedMinor: '', refundKeys: '' } });
    expect((await refundPayment({ models, gateway: sandbox }, shipmentRefund(p.orderId))).kind).toBe('refunded');
    expect(await Payment.findById(p.id).lean()).toMatchObject({ refundedMinor: 1500 });
  });
});
