/**
 * Malformed events on every subject payments consumes (SPEC invariant 6), through a real
 * nats-server and the service's real listeners: non-JSON bytes, random JSON, missing fields,
 * wrong types, NoSQL operator objects, huge strings, bad numbers, a wrong subject in the envelope.
 * Every one must end in DEADLETTER (`deadletter.<durable>`), nothing may change in the database
 * (and nothing is refunded), and a valid event afterwards is still applied. Seeded
 * (HOSTILE_EVENTS_SEED, HOSTILE_EVENTS_RUNS).
 * Payloads, publishing and the checks are `useHostileEvents` (@jetmart/common/testing).
 */
import mongoose from 'mongoose';
import { makeEvent, Subjects, type Event, type Subject } from '@jetmart/common';
import { eventually, snapshotModels, useHostileEvents, useTestDatabase } from '@jetmart/common/testing';
import { chargePendingPayment, refundPayment } from '../../charging';
import { SandboxGateway } from '../../gateway/sandbox-gateway';
import { paymentsModels } from '../../models';
import { paymentsListeners } from '../listeners';

const { connection } = useTestDatabase({ clearEachTest: false, prefix: 'payments_hostile_events' });
const models = paymentsModels(connection);
const { Order, Payment } = models;
const oid = () => new mongoose.Types.ObjectId().toHexString();
const gateway = new SandboxGateway();
const buyer = oid();
const paidOrder = oid();
const openOrder = oid();
/** A second charged order, refunded in part by the valid shipment.cancelled and return.received events. */
const partOrder = oid();
/** A charged order with lines (sellers), credited by the valid payment.created and debited by the valid payment.refunded. */
const ledgerOrder = oid();
const ledgerSeller = oid();
let ledgerPaymentId: string;

beforeAll(async () => {
  await Promise.all(Object.values(models).map((m) => m.syncIndexes()));
  // Existing state a wrongly applied event would change: two order replicas, one with a succeeded charge.
  const expiresAt = new Date(Date.now() + 600_000);
  await Order.create({ _id: paidOrder, userId: buyer, status: 'created', totalMinor: 3000, expiresAt, version: 0 });
  await Order.create({ _id: openOrder, userId: buyer, status: 'created', totalMinor: 3000, expiresAt, version: 0 });
  const payment = await Payment.create({
    orderId: paidOrder,
    userId: buyer,
    amountMinor: 3000,
    currency: 'usd',
    status: 'pending',
    attempt: 1,
    token: 'tok_visa',
  });
  await chargePendingPayment({ models, gateway }, payment);
  await Order.create({ _id: partOrder, userId: buyer, status: 'complete', totalMinor: 5000, expiresAt, version: 1 });
  const partPayment = await Payment.create({
    orderId: partOrder,
    userId: buyer,
    amountMinor: 5000,
    currency: 'usd',
    status: 'pending',
    attempt: 1,
    token: 'tok_visa',
  });
  await chargePendingPayment({ models, gateway }, partPayment);
  await Order.create({
    _id: ledgerOrder,
    userId: buyer,
    status: 'complete',
    totalMinor: 2000,
    expiresAt,
    items: [{ productId: 'p9', sellerId: ledgerSeller, priceMinor: 1000, quantity: 2 }],
    version: 1,
  });
  const ledgerPayment = await Payment.create({
    orderId: ledgerOrder,
    userId: buyer,
    amountMinor: 2000,
    currency: 'usd',
    status: 'pending',
    attempt: 1,
    token: 'tok_visa',
  });
  ledgerPaymentId = (await chargePendingPayment({ models, gateway }, ledgerPayment)).id as string;
  await refundPayment(
    { models, gateway },
    {
      orderId: ledgerOrder,
      reason: 'return',
      sourceId: 'ledger-ret',
      amountMinor: 1000,
      items: [{ productId: 'p9', quantity: 1, priceMinor: 1000 }],
    },
  );
}, 60_000);
const hostile = useHostileEvents({
  name: 'payments-hostile',
  listeners: (bus, opts) => paymentsListeners(bus, { models, gateway }, opts),
  snapshot: () => snapshotModels(models),
});
const { attack } = hostile;

// ---- valid events
const created = (id: string) =>
  makeEvent(Subjects.OrderCreated, {
    id,
    userId: buyer,
    status: 'created',
    expiresAt: new Date(Date.now() + 60_000).toISOString(),
    items: [{ productId: 'p1', quantity: 2, title: 'Lamp', priceMinor: 1500 }],
    totalMinor: 3000,
    version: 0,
  });
const shipmentCancelled = (id = oid()) =>
  makeEvent(Subjects.ShipmentCancelled, {
    id,
    orderId: partOrder,
    sellerId: oid(),
    buyerId: buyer,
    items: [{ productId: 'p1', quantity: 1, priceMinor: 1000 }],
    amountMinor: 1000,
    cancelledAt: new Date().toISOString(),
    version: 1,
  });
const returnReceived = (id = oid()) =>
  makeEvent(Subjects.ReturnReceived, {
    id,
    orderId: partOrder,
    shipmentId: oid(),
    sellerId: oid(),
    buyerId: buyer,
    items: [{ productId: 'p1', quantity: 1, priceMinor: 500 }],
    amountMinor: 500,
    restock: false,
    version: 2,
  });
const cancelled = (id: string) =>
  makeEvent(Subjects.OrderCancelled, { id, userId: buyer, reason: 'expired', items: [{ productId: 'p1', quantity: 2 }], version: 1 });
const completed = (id: string) =>
  makeEvent(Subjects.OrderCompleted, { id, userId: buyer, items: [{ productId: 'p1', quantity: 2 }], version: 1 });
const paymentCreated = () =>
  makeEvent(Subjects.PaymentCreated, { id: ledgerPaymentId, orderId: ledgerOrder, userId: buyer, amountMinor: 2000, version: 1 });
const paymentRefunded = () =>
  makeEvent(Subjects.PaymentRefunded, {
    id: 'return-ledger-ret',
    paymentId: ledgerPaymentId,
    orderId: ledgerOrder,
    userId: buyer,
    reason: 'return',
    sourceId: 'ledger-ret',
    amountMinor: 1000,
    items: [{ productId: 'p9', quantity: 1, priceMinor: 1000 }],
    version: 0,
  });
const windowClosed = () =>
  makeEvent(Subjects.ReturnWindowClosed, { shipmentId: oid(), orderId: ledgerOrder, sellerId: ledgerSeller, version: 2 });
const all = (): Event[] => [
  created(oid()),
  cancelled(paidOrder),
  completed(openOrder),
  makeEvent(Subjects.ProductCreated, { id: oid(), title: 'Lamp', priceMinor: 1500, quantity: 3, userId: buyer, version: 0 }),
  makeEvent(Subjects.PaymentCreated, { id: oid(), orderId: paidOrder, userId: buyer, amountMinor: 3000, version: 0 }),
  makeEvent(Subjects.ExpirationComplete, { orderId: paidOrder, version: 0 }),
  shipmentCancelled(),
  returnReceived(),
];
const others = (subject: Subject) => all().filter((e) => e.subject !== subject);
const ids: string[][] = [['id'], ['data', 'id'], ['data', 'userId'], ['data', 'items', '0', 'productId']];
const ledgerIds: string[][] = [['id'], ['data', 'id'], ['data', 'orderId'], ['data', 'userId']];
const refundIds: string[][] = [['id'], ['data', 'id'], ['data', 'orderId'], ['data', 'buyerId'], ['data', 'items', '0', 'productId']];
const replica = (id: string) => Order.findById(id).lean();

describe('payments: hostile events are dead-lettered, change nothing, and the service keeps consuming', () => {
  it('order.created', async () => {
    await attack(Subjects.OrderCreated, created(oid()), others(Subjects.OrderCreated), ids);
    const id = oid();
    await hostile.bus.publish(created(id));
    expect(await eventually(() => replica(id))).toMatchObject({ status: 'created', totalMinor: 3000, version: 0 });
  }, 90_000);

  it('shipment.cancelled', async () => {
    const before = gateway.refunds.length;
    await attack(Subjects.ShipmentCancelled, shipmentCancelled(), others(Subjects.ShipmentCancelled), refundIds);
    expect(gateway.refunds).toHaveLength(before);
    const valid = shipmentCancelled();
    await hostile.bus.publish(valid);
    await eventually(() => models.Refund.findById(`shipment-cancelled-${valid.data.id}`));
    expect(gateway.refunds.slice(before)).toEqual([expect.objectContaining({ amountMinor: 1000 })]);
    // The cancelled part is released (its credits and debits cancel out; nothing stays pending).
    expect(await eventually(() => models.Release.findById(`${partOrder}:${valid.data.sellerId}`).lean())).toMatchObject({
      reason: 'shipment-cancelled',
    });
  }, 90_000);

  it('return.received', async () => {
    const before = gateway.refunds.length;
    await attack(Subjects.ReturnReceived, returnReceived(), others(Subjects.ReturnReceived), refundIds);
    expect(gateway.refunds).toHaveLength(before);
    const valid = returnReceived();
    await hostile.bus.publish(valid);
    await eventually(() => models.Refund.findById(`return-${valid.data.id}`));
    expect(gateway.refunds.slice(before)).toEqual([expect.objectContaining({ amountMinor: 500 })]);
  }, 90_000);

  it('order.cancelled', async () => {
    const before = gateway.refunds.length;
    await attack(Subjects.OrderCancelled, cancelled(paidOrder), others(Subjects.OrderCancelled), ids);
    expect(gateway.refunds).toHaveLength(before);
    await hostile.bus.publish(cancelled(paidOrder));
    await eventually(() => models.Refund.findById(`order-cancelled-${paidOrder}`));
    expect((await Payment.findOne({ orderId: paidOrder }).lean())!.status).toBe('refunded');
    expect((await replica(paidOrder))!.status).toBe('cancelled');
    expect(gateway.refunds).toHaveLength(before + 1);
  }, 90_000);

  it('order.completed', async () => {
    await attack(Subjects.OrderCompleted, completed(openOrder), others(Subjects.OrderCompleted), ids);
    await hostile.bus.publish(completed(openOrder));
    await eventually(async () => (await replica(openOrder))?.status === 'complete');
  }, 90_000);

  // The ledger (sellers' money): payments' own charge and refund events, and the end of return windows.
  // Last, in this order: the refund's entry needs the sale's, and the release makes them available.
  it('payment.created', async () => {
    await attack(Subjects.PaymentCreated, paymentCreated(), others(Subjects.PaymentCreated), ledgerIds);
    expect(await models.LedgerEntry.countDocuments()).toBe(0);
    await hostile.bus.publish(paymentCreated());
    expect(await eventually(() => models.LedgerEntry.findById(`sale-${ledgerPaymentId}-0`).lean())).toMatchObject({
      sellerId: ledgerSeller,
      grossMinor: 2000,
      commissionMinor: 200,
      netMinor: 1800,
    });
  }, 90_000);

  it('payment.refunded', async () => {
    await attack(Subjects.PaymentRefunded, paymentRefunded(), others(Subjects.PaymentRefunded), [
      ...ledgerIds,
      ['data', 'paymentId'],
      ['data', 'sourceId'],
    ]);
    expect(await models.LedgerEntry.countDocuments({ kind: 'refund' })).toBe(0);
    await hostile.bus.publish(paymentRefunded());
    expect(await eventually(() => models.LedgerEntry.findById('refund-return-ledger-ret-0').lean())).toMatchObject({
      grossMinor: -1000,
      commissionMinor: -100,
      netMinor: -900,
    });
  }, 90_000);

  it('expiration.return-window-closed', async () => {
    await attack(Subjects.ReturnWindowClosed, windowClosed(), others(Subjects.ReturnWindowClosed), [
      ['id'],
      ['data', 'shipmentId'],
      ['data', 'orderId'],
      ['data', 'sellerId'],
    ]);
    expect(await models.Release.countDocuments({ orderId: ledgerOrder })).toBe(0);
    await hostile.bus.publish(windowClosed());
    expect(await eventually(() => models.Release.findById(`${ledgerOrder}:${ledgerSeller}`).lean())).toMatchObject({
      reason: 'return-window-closed',
    });
  }, 90_000);
  // A deleted seller's account is closed (their balance is still paid out); malformed ids close nothing.
  it('user.deleted', async () => {
    const good = makeEvent(Subjects.UserDeleted, { id: ledgerSeller, version: 2 });
    await attack(Subjects.UserDeleted, good, all(), [['id'], ['data', 'id']]);
    expect(await models.SellerAccount.countDocuments()).toBe(0);
    await hostile.bus.publish(good);
    expect(await eventually(() => models.SellerAccount.findById(ledgerSeller).lean())).toMatchObject({
      closedAt: expect.any(Date),
      paidOutMinor: 0,
    });
  }, 90_000);
});
