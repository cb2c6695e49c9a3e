import mongoose from 'mongoose';
import { useTestDatabase } from '@jetmart/common/testing';
import { chargePendingPayment, refundIfCharged, refundPayment } from '../../charging';
import { SandboxGateway } from '../../gateway/sandbox-gateway';
import { releasePart, type OrderReplicaLine } from '../../models';
import { seedOrder, testModels } from '../../__tests__/support/fixtures';
import { balanceOf, postRefund, postSale } from '..';

useTestDatabase({ prefix: 'payments_ledger' });
const models = testModels();
const { LedgerEntry, Payment } = models;
const oid = () => new mongoose.Types.ObjectId().toHexString();
const gateway = new SandboxGateway();
const deps = { models, commissionPercent: 10 };
const sellerA = oid();
const sellerB = oid();

beforeAll(async () => {
  await Promise.all(Object.values(models).map((m) => m.syncIndexes()));
});

/** A charged order of these lines (total = Σ price × quantity), through the real charge path. */
async function chargedOrder(items: OrderReplicaLine[]) {
  const totalMinor = items.reduce((s, l) => s + l.priceMinor * l.quantity, 0);
  const order = await seedOrder({ items, totalMinor });
  const pending = await Payment.create({
    orderId: order._id,
    userId: order.userId,
    amountMinor: totalMinor,
    currency: 'usd',
    status: 'pending',
    attempt: 1,
    token: 'tok_visa',
  });
  const payment = await chargePendingPayment({ models, gateway }, pending);
  return { order, payment };
}

/** For one order: Σ(net + commission) over its entries, and charged − refunded from the payment. */
async function books(orderId: string) {
  const entries = await LedgerEntry.find({ orderId }).lean();
  const payment = (await Payment.findOne({ orderId }).lean())!;
  return {
    creditsPlusCommission: entries.reduce((s, e) => s + e.netMinor + e.commissionMinor, 0),
    chargedMinusRefunded: payment.amountMinor - payment.refundedMinor,
    commission: entries.reduce((s, e) => s + e.commissionMinor, 0),
  };
}

describe('sale entries', () => {
  it('credit each seller price × quantity − commission, with the percent recorded, once however often posted', async () => {
    const { order, payment } = await chargedOrder([
      { productId: 'pa', sellerId: sellerA, priceMinor: 1999, quantity: 3 },
      { productId: 'pb', sellerId: sellerB, priceMinor: 505, quantity: 1 },
    ]);
    expect(await postSale(deps, payment.id)).toEqual({ kind: 'posted', posted: 2 });
    expect(await postSale(deps, payment.id)).toEqual({ kind: 'posted', posted: 0 });
    const entries = await LedgerEntry.find({ orderId: order._id }).sort({ _id: 1 }).lean();
    expect(entries).toEqual([
      expect.objectContaining({
        _id: `sale-${payment.id}-0`,
        sellerId: sellerA,
        kind: 'sale',
        grossMinor: 5997,
        commissionMinor: 600,
        netMinor: 5397,
        commissionPercent: 10,
      }),
      expect.objectContaining({
        _id: `sale-${payment.id}-1`,
        sellerId: sellerB,
        kind: 'sale',
        grossMinor: 505,
        commissionMinor: 51,
        netMinor: 454,
        commissionPercent: 10,
      }),
    ]);
    expect(await books(order._id)).toMatchObject({ creditsPlusCommission: 6502, chargedMinusRefunded: 6502 });
  });

  it('nothing for a payment that never charged, or an order replicated before the ledger (no lines)', async () => {
    const order = await seedOrder({ items: [{ productId: 'p', sellerId: sellerA, priceMinor: 100, quantity: 1 }], totalMinor: 100 });
    const declined = await Payment.create({
      orderId: order._id,
      userId: order.userId,
      amountMinor: 100,
      currency: 'usd',
      status: 'pending',
      attempt: 1,
      token: 'tok_chargeDeclined',
    });
    await chargePendingPayment({ models, gateway }, declined);
    expect(await postSale(deps, declined.id)).toEqual({ kind: 'not-charged' });
    expect(await postSale(deps, oid())).toEqual({ kind: 'not-charged' });
    const old = await seedOrder({ totalMinor: 100 });
    const p = await Payment.create({
      orderId: old._id,
      userId: old.userId,
      amountMinor: 100,
      currency: 'usd',
      status: 'pending',
      attempt: 1,
      token: 'tok_visa',
    });
    await chargePendingPayment({ models, gateway }, p);
    expect(await postSale(deps, p.id)).toEqual({ kind: 'no-lines', orderId: old._id });
    expect(await LedgerEntry.countDocuments()).toBe(0);
  });
});

describe('refund entries', () => {
  it('a partial return debits its seller and gives back the commission share rounded down; the order balances to the minor unit', async () => {
    // 3 × 5: commission round(1.5) = 2; returning 1 unit gives back floor(2/3) = 0, then 2 units floor(4/3) = 1.
    const { order, payment } = await chargedOrder([
      { productId: 'pa', sellerId: sellerA, priceMinor: 5, quantity: 3 },
      { productId: 'pb', sellerId: sellerB, priceMinor: 1000, quantity: 1 },
    ]);
    await postSale(deps, payment.id);
    const r1 = await refundPayment(
      { models, gateway },
      { orderId: order._id, reason: 'return', sourceId: 'ret-1', amountMinor: 5, items: [{ productId: 'pa', quantity: 1, priceMinor: 5 }] },
    );
    expect(r1.kind).toBe('refunded');
    expect(await postRefund(deps, 'return-ret-1')).toEqual({ kind: 'posted', posted: 1 });
    expect(await postRefund(deps, 'return-ret-1')).toEqual({ kind: 'posted', posted: 0 });
    expect(await LedgerEntry.findById('refund-return-ret-1-0').lean()).toMatchObject({
      sellerId: sellerA,
      kind: 'refund',
      grossMinor: -5,
      commissionMinor: 0,
      netMinor: -5,
      commissionPercent: 10,
    });
    expect(await books(order._id)).toMatchObject({ creditsPlusCommission: 1010, chargedMinusRefunded: 1010 });

    await refundPayment(
      { models, gateway },
      {
        orderId: order._id,
        reason: 'return',
        sourceId: 'ret-2',
        amountMinor: 10,
        items: [{ productId: 'pa', quantity: 2, priceMinor: 5 }],
      },
    );
    await postRefund(deps, 'return-ret-2');
    expect(await LedgerEntry.findById('refund-return-ret-2-0').lean()).toMatchObject({
      grossMinor: -10,
      commissionMinor: -1,
      netMinor: -9,
    });
    // Every unit of pa back: the platform keeps 1 minor unit of its commission on pa (2 taken, 1 given back).
    expect(await books(order._id)).toMatchObject({ creditsPlusCommission: 1000, chargedMinusRefunded: 1000, commission: 100 + 1 });
  });

  it('a whole-order refund (cancelled after the charge) debits every line in full: the order nets to zero', async () => {
    const { order, payment } = await chargedOrder([
      { productId: 'pa', sellerId: sellerA, priceMinor: 333, quantity: 3 },
      { productId: 'pb', sellerId: sellerB, priceMinor: 1, quantity: 1 },
    ]);
    await postSale(deps, payment.id);
    expect(await refundIfCharged({ models, gateway }, order._id)).toMatchObject({ kind: 'refunded' });
    expect(await postRefund(deps, `order-cancelled-${order._id}`)).toEqual({ kind: 'posted', posted: 2 });
    expect(await books(order._id)).toEqual({ creditsPlusCommission: 0, chargedMinusRefunded: 0, commission: 0 });
  });

  it('waits for the sale when the refund is posted first, and ignores orders that are not on the books', async () => {
    const { order, payment } = await chargedOrder([{ productId: 'pa', sellerId: sellerA, priceMinor: 700, quantity: 2 }]);
    await refundPayment(
      { models, gateway },
      {
        orderId: order._id,
        reason: 'shipment-cancelled',
        sourceId: 's-1',
        amountMinor: 1400,
        items: [{ productId: 'pa', quantity: 2, priceMinor: 700 }],
      },
    );
    expect(await postRefund(deps, 'shipment-cancelled-s-1')).toEqual({ kind: 'sale-not-posted', orderId: order._id });
    await postSale(deps, payment.id);
    expect(await postRefund(deps, 'shipment-cancelled-s-1')).toEqual({ kind: 'posted', posted: 1 });
    expect(await postRefund(deps, 'return-nope')).toEqual({ kind: 'unknown-refund' });
  });

  it('a refunded line that matches no sold line is a mismatch (dead-lettered by the listener), and posts nothing', async () => {
    const { order, payment } = await chargedOrder([{ productId: 'pa', sellerId: sellerA, priceMinor: 700, quantity: 1 }]);
    await postSale(deps, payment.id);
    await refundPayment(
      { models, gateway },
      {
        orderId: order._id,
        reason: 'return',
        sourceId: 'odd',
        amountMinor: 100,
        items: [{ productId: 'other', quantity: 1, priceMinor: 100 }],
      },
    );
    expect(await postRefund(deps, 'return-odd')).toMatchObject({ kind: 'mismatch' });
    expect(await LedgerEntry.countDocuments({ kind: 'refund' })).toBe(0);
  });
});

describe('balance', () => {
  it('pending until the part is released; a refund after the release debits available, which may go negative', async () => {
    const { order, payment } = await chargedOrder([
      { productId: 'pa', sellerId: sellerA, priceMinor: 1000, quantity: 2 },
      { productId: 'pb', sellerId: sellerB, priceMinor: 3000, quantity: 1 },
    ]);
    await postSale(deps, payment.id);
    expect(await balanceOf(models, sellerA)).toEqual({ pendingMinor: 1800, availableMinor: 0, paidOutMinor: 0 });
    expect(await releasePart(models.Release, { orderId: order._id, sellerId: sellerA, reason: 'return-window-closed' })).toBe(true);
    expect(await releasePart(models.Release, { orderId: order._id, sellerId: sellerA, reason: 'return-window-closed' })).toBe(false);
    expect(await balanceOf(models, sellerA)).toEqual({ pendingMinor: 0, availableMinor: 1800, paidOutMinor: 0 });
    expect(await balanceOf(models, sellerB)).toEqual({ pendingMinor: 2700, availableMinor: 0, paidOutMinor: 0 });
    // Seller A is paid out, then a return requested inside the window is received after it closed.
    await models.SellerAccount.create({ _id: sellerA, paidOutMinor: 1800 });
    await refundPayment(
      { models, gateway },
      {
        orderId: order._id,
        reason: 'return',
        sourceId: 'late',
        amountMinor: 2000,
        items: [{ productId: 'pa', quantity: 2, priceMinor: 1000 }],
      },
    );
    await postRefund(deps, 'return-late');
    expect(await balanceOf(models, sellerA)).toEqual({ pendingMinor: 0, availableMinor: -1800, paidOutMinor: 1800 });
  });
});
