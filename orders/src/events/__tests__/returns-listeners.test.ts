/**
 * The listeners of issue 15 (returns and refunds), their handlers called directly on a real
 * database (delivery, retries and dead-lettering are the Listener's, tested in common; the
 * delivery of these subjects end to end is returns-flow.test.ts).
 */
import request from 'supertest';
import { createLogger, EventBus, RetryLater, type EventData, type Subjects } from '@jetmart/common';
import { signinCookie, startNats, useTestDatabase, type NatsTestServer } from '@jetmart/common/testing';
import {
  ExpirationCompleteListener,
  PaymentCreatedListener,
  PaymentFailedListener,
  PaymentRefundedListener,
  PaymentStartedListener,
  ReturnReceivedListener,
  ReturnWindowClosedListener,
  ShipmentCancelledListener,
} from '../listeners';
import { restockUnits } from '../../models';
import { newId, paidOrderWithShipment, placed, seedProduct, syncIndexes, testAddress, testApp } from '../../__tests__/helpers';

const { connection } = useTestDatabase();
const { app, models } = testApp(connection);
let nats: NatsTestServer;
let bus: EventBus;
const log = createLogger('orders');
const ctx = { log } as never;
let l: {
  cancelled: ShipmentCancelledListener;
  windowClosed: ReturnWindowClosedListener;
  started: PaymentStartedListener;
  failed: PaymentFailedListener;
  refunded: PaymentRefundedListener;
  received: ReturnReceivedListener;
  expiry: ExpirationCompleteListener;
  paid: PaymentCreatedListener;
};

beforeAll(async () => {
  nats = await startNats();
  bus = await EventBus.connect({ servers: nats.url, name: 'orders-returns-test', logger: log });
  const deps = { models };
  l = {
    cancelled: new ShipmentCancelledListener(bus, deps),
    windowClosed: new ReturnWindowClosedListener(bus, models.ShipmentReplica),
    started: new PaymentStartedListener(bus, models.Order),
    failed: new PaymentFailedListener(bus, models.Order),
    refunded: new PaymentRefundedListener(bus, deps),
    received: new ReturnReceivedListener(bus, deps),
    expiry: new ExpirationCompleteListener(bus, deps),
    paid: new PaymentCreatedListener(bus, deps),
  };
});
beforeEach(() => syncIndexes(models));
afterAll(async () => {
  await bus?.drain();
  await nats?.destroy();
});

const buyer = { id: newId() };
const product = (id: string) => models.ProductReplica.findById(id).lean();
const shipment = (id: string) => models.ShipmentReplica.findById(id).lean();
const invariant = (p: { quantity: number; available: number; sold: number; holds: { quantity: number }[] }) =>
  p.available + p.sold + p.holds.reduce((s, h) => s + h.quantity, 0) === p.quantity;

describe('restockUnits (FerretDB: $ne on an array of strings)', () => {
  it('puts units back on sale once per source; another source restocks again', async () => {
    const { products } = await paidOrderWithShipment(models, buyer.id, { lines: [{ quantity: 3 }] });
    const id = products[0].id;
    expect(await product(id)).toMatchObject({ available: 7, sold: 3 });
    expect(await restockUnits(models.ProductReplica, id, 'source-a', 2)).toBe(true);
    expect(await restockUnits(models.ProductReplica, id, 'source-a', 2)).toBe(false);
    expect(await product(id)).toMatchObject({ available: 9, sold: 1, restocks: ['source-a'] });
    expect(await restockUnits(models.ProductReplica, id, 'source-b', 1)).toBe(true);
    const p = (await product(id))!;
    expect(p).toMatchObject({ available: 10, sold: 0, restocks: ['source-a', 'source-b'] });
    expect(invariant(p)).toBe(true);
  });

  it('concurrent repeats of one restock count once', async () => {
    const { products } = await paidOrderWithShipment(models, buyer.id, { lines: [{ quantity: 4 }] });
    const results = await Promise.all(Array.from({ length: 8 }, () => restockUnits(models.ProductReplica, products[0].id, 'same', 4)));
    expect(results.filter(Boolean)).toHaveLength(1);
    expect(await product(products[0].id)).toMatchObject({ available: 10, sold: 0 });
  });

  it('1 unit restocked, 10 concurrent orders for it: exactly one gets it (invariant 1)', async () => {
    const seller = newId();
    const { products } = await paidOrderWithShipment(models, buyer.id, { sellerId: seller, lines: [{ quantity: 1 }] });
    const id = products[0].id;
    // Everything else sold out: only the restocked unit is left.
    await models.ProductReplica.updateOne({ _id: id }, { $set: { quantity: 1, available: 0, sold: 1 } });
    await restockUnits(models.ProductReplica, id, newId(), 1);
    const answers = await Promise.all(
      Array.from({ length: 10 }, () =>
        request(app)
          .post('/api/orders')
          .set('Cookie', signinCookie({ id: newId() }))
          .send({ items: [{ productId: id, quantity: 1 }], shippingAddress: testAddress() }),
      ),
    );
    expect(answers.map((r) => r.status).sort()).toEqual([201, ...Array(9).fill(409)]);
    const p = (await product(id))!;
    expect(p).toMatchObject({ available: 0, sold: 0 });
    expect(p.holds).toHaveLength(1);
    expect(invariant(p)).toBe(true);
  });
});

describe('shipment.cancelled', () => {
  const cancelledEvent = (
    s: { shipmentId: string; order: { id: string }; sellerId: string },
    lines: { productId: string; quantity: number }[],
  ) =>
    ({
      id: s.shipmentId,
      orderId: s.order.id,
      sellerId: s.sellerId,
      buyerId: buyer.id,
      items: lines.map((x) => ({ ...x, priceMinor: 1999 })),
      amountMinor: 1999 * lines.reduce((n, x) => n + x.quantity, 0),
      cancelledAt: new Date().toISOString(),
      version: 1,
    }) satisfies EventData<typeof Subjects.ShipmentCancelled>;

  it('shows the part cancelled and restocks every line once (a redelivery changes nothing); the order reads cancelled', async () => {
    const s = await paidOrderWithShipment(models, buyer.id, { lines: [{ quantity: 2 }, { quantity: 1 }], final: 'pending' });
    const event = cancelledEvent(s, [
      { productId: s.products[0].id, quantity: 2 },
      { productId: s.products[1].id, quantity: 1 },
    ]);
    await l.cancelled.onMessage(event, ctx);
    await l.cancelled.onMessage(event, ctx);
    expect(await shipment(s.shipmentId)).toMatchObject({ status: 'cancelled', version: 1 });
    expect(await product(s.products[0].id)).toMatchObject({ available: 10, sold: 0, restocks: [s.shipmentId] });
    expect(await product(s.products[1].id)).toMatchObject({ available: 10, sold: 0 });
    const order = await request(app).get(`/api/orders/${s.order.id}`).set('Cookie', signinCookie(buyer)).expect(200);
    expect(order.body).toMatchObject({ status: 'complete', fulfillment: 'cancelled' });
  });

  it('waits (RetryLater) when its shipment has not reached the replica yet', async () => {
    const ref = { shipmentId: newId(), order: { id: newId() }, sellerId: newId() };
    await expect(l.cancelled.onMessage(cancelledEvent(ref, [{ productId: newId(), quantity: 1 }]), ctx)).rejects.toBeInstanceOf(RetryLater);
  });
});

describe('expiration.return-window-closed', () => {
  it('closes the window (idempotent): a later return request is refused; a replica not here yet waits', async () => {
    const s = await paidOrderWithShipment(models, buyer.id);
    const event = { shipmentId: s.shipmentId, orderId: s.order.id, sellerId: s.sellerId, version: 2 };
    await l.windowClosed.onMessage(event, ctx);
    await l.windowClosed.onMessage(event, ctx);
    expect(await shipment(s.shipmentId)).toMatchObject({ returnWindowClosed: true, status: 'delivered', version: 2 });
    await request(app)
      .post(`/api/orders/${s.order.id}/returns`)
      .set('Cookie', signinCookie(buyer))
      .send({ items: [{ productId: s.products[0].id, quantity: 1 }], reason: 'other' })
      .expect(409, /return window closed/);
    await expect(l.windowClosed.onMessage({ ...event, shipmentId: newId() }, ctx)).rejects.toBeInstanceOf(RetryLater);
  });
});

describe('payment in progress vs expiry', () => {
  async function expiredOrder() {
    const p = await seedProduct(models, { quantity: 5 });
    const order = await placed(models, buyer.id, [{ productId: p.id, quantity: 1 }], 1);
    await models.Order.updateOne({ _id: order._id }, { $set: { expiresAt: new Date(Date.now() - 1) } });
    return order;
  }
  const attempt = (orderId: string, n: number) => ({ id: newId(), orderId, userId: buyer.id, attempt: n, version: 0 });
  const stored = (id: string) => models.Order.findById(id).lean();

  it('an expiry while an attempt is in progress waits (RetryLater) and the payment completes the order', async () => {
    const order = await expiredOrder();
    await l.started.onMessage(attempt(order.id, 1), ctx);
    await expect(l.expiry.onMessage({ orderId: order.id, version: 0 }, ctx)).rejects.toBeInstanceOf(RetryLater);
    expect(await stored(order.id)).toMatchObject({ status: 'created', version: 0, paymentStartedAttempt: 1 });
    await l.paid.onMessage({ id: newId(), orderId: order.id, userId: buyer.id, amountMinor: 1999, version: 0 }, ctx);
    await l.expiry.onMessage({ orderId: order.id, version: 0 }, ctx);
    expect(await stored(order.id)).toMatchObject({ status: 'complete', version: 1 });
  });

  it('after payment.failed the expiry cancels; the attempts are maxima and never move the version', async () => {
    const order = await expiredOrder();
    await l.started.onMessage(attempt(order.id, 2), ctx);
    await l.started.onMessage(attempt(order.id, 1), ctx); // older, late
    await l.failed.onMessage({ ...attempt(order.id, 1), reason: 'declined' }, ctx);
    // attempt 2 is still running
    await expect(l.expiry.onMessage({ orderId: order.id, version: 0 }, ctx)).rejects.toBeInstanceOf(RetryLater);
    await l.failed.onMessage({ ...attempt(order.id, 2), reason: 'declined' }, ctx);
    await l.failed.onMessage({ ...attempt(order.id, 2), reason: 'declined' }, ctx);
    expect(await stored(order.id)).toMatchObject({ status: 'created', version: 0, paymentStartedAttempt: 2, paymentFailedAttempt: 2 });
    expect((await stored(order.id))!.outbox).toHaveLength(1);
    await l.expiry.onMessage({ orderId: order.id, version: 0 }, ctx);
    expect(await stored(order.id)).toMatchObject({ status: 'cancelled', cancelReason: 'expired', version: 1 });
  });
});

describe('payment.refunded and return.received', () => {
  async function receivedReturn(restock: boolean) {
    const s = await paidOrderWithShipment(models, buyer.id, { lines: [{ quantity: 2, priceMinor: 1500 }] });
    const asSeller = signinCookie({ id: s.sellerId });
    const ret = await request(app)
      .post(`/api/orders/${s.order.id}/returns`)
      .set('Cookie', signinCookie(buyer))
      .send({ items: [{ productId: s.products[0].id, quantity: 2 }], reason: 'damaged' })
      .expect(201);
    await request(app).post(`/api/returns/${ret.body.id}/approve`).set('Cookie', asSeller).expect(200);
    const refund = {
      id: `return-${ret.body.id}`,
      paymentId: newId(),
      orderId: s.order.id as string,
      userId: buyer.id,
      reason: 'return' as const,
      sourceId: ret.body.id as string,
      amountMinor: 3000,
      items: [{ productId: s.products[0].id, quantity: 2, priceMinor: 1500 }],
      version: 0,
    };
    return {
      ...s,
      id: ret.body.id as string,
      asSeller,
      refund,
      receive: () => request(app).post(`/api/returns/${ret.body.id}/receive`).set('Cookie', asSeller).send({ restock }).expect(200),
    };
  }
  const ret = (id: string) => models.Return.findById(id).lean();

  it('a refund before the return is received waits; then received → refunded once with return.refunded; the refund is kept once', async () => {
    const r = await receivedReturn(false);
    await expect(l.refunded.onMessage(r.refund, ctx)).rejects.toBeInstanceOf(RetryLater);
    await r.receive();
    await l.refunded.onMessage(r.refund, ctx);
    await l.refunded.onMessage(r.refund, ctx);
    const stored = (await ret(r.id))!;
    expect(stored).toMatchObject({ status: 'refunded', refundId: r.refund.id, version: 3 });
    expect(stored.outbox.map((e) => e.subject)).toEqual(['return.requested', 'return.approved', 'return.received', 'return.refunded']);
    expect(stored.outbox[3].event.data).toMatchObject({ refundId: r.refund.id, amountMinor: 3000, version: 3 });
    expect(await models.RefundReplica.countDocuments({ orderId: r.order.id })).toBe(1);
    const order = await request(app).get(`/api/orders/${r.order.id}`).set('Cookie', signinCookie(buyer)).expect(200);
    expect(order.body).toMatchObject({ payment: 'refunded', refunded: 30 });
    const shown = await request(app).get(`/api/returns/${r.id}`).set('Cookie', signinCookie(buyer)).expect(200);
    expect(shown.body).toMatchObject({ status: 'refunded', restock: false });
  });

  it('return.received restocks only when asked, once per return', async () => {
    for (const restock of [true, false]) {
      const r = await receivedReturn(restock);
      await r.receive();
      const data = (await ret(r.id))!.outbox[2].event.data as EventData<typeof Subjects.ReturnReceived>;
      await l.received.onMessage(data, ctx);
      await l.received.onMessage(data, ctx);
      expect(await product(r.products[0].id)).toMatchObject(restock ? { available: 10, sold: 0 } : { available: 8, sold: 2 });
    }
  });

  it('an order-cancelled refund makes a cancelled order read refunded', async () => {
    const p = await seedProduct(models, { quantity: 5 });
    const order = await placed(models, buyer.id, [{ productId: p.id, quantity: 1 }]);
    await request(app).delete(`/api/orders/${order.id}`).set('Cookie', signinCookie(buyer)).expect(200);
    await l.refunded.onMessage(
      {
        id: `order-cancelled-${order.id}`,
        paymentId: newId(),
        orderId: order.id,
        userId: buyer.id,
        reason: 'order-cancelled',
        sourceId: order.id,
        amountMinor: 1999,
        items: [],
        version: 0,
      },
      ctx,
    );
    const shown = await request(app).get(`/api/orders/${order.id}`).set('Cookie', signinCookie(buyer)).expect(200);
    expect(shown.body).toMatchObject({ status: 'cancelled', payment: 'refunded', refunded: 19.99 });
  });
});
