/**
 * The sales read model through a real nats-server and FerretDB: orders' real listeners consume
 * order.completed, shipment.* and return.received delivered twice each, in reverse and shuffled
 * order; the lines converge on the same state whatever the order, and the sales page and the
 * dashboard equal a hand computation.
 */
import request from 'supertest';
import { createLogger, EventBus, makeEvent, Subjects, type Event, type Listener, type Subject } from '@jetmart/common';
import { eventually, signinCookie, startNats, useTestDatabase, type NatsTestServer } from '@jetmart/common/testing';
import { ordersListeners } from '../../events/listeners';
import { newId, syncIndexes, testAddress, testApp } from '../../__tests__/helpers';

const { connection } = useTestDatabase({ clearEachTest: false, prefix: 'orders_sales_model' });
const { app, models } = testApp(connection);
let nats: NatsTestServer;
let bus: EventBus;
let listeners: Listener<Subject>[] = [];
const fast = { backoffMs: 50, maxBackoffMs: 200, ackWaitMs: 5_000 };

beforeAll(async () => {
  await syncIndexes(models);
  nats = await startNats();
  bus = await EventBus.connect({ servers: nats.url, name: 'orders-sales-test', logger: createLogger('orders', { level: 'silent' }) });
  await bus.ensureStreams();
  listeners = ordersListeners(bus, { models }, fast) as Listener<Subject>[];
  for (const l of listeners) await l.start();
}, 60_000);

afterAll(async () => {
  for (const l of listeners) await l.stop();
  await bus?.drain();
  await nats?.destroy();
});

const DAY = 86_400_000;
const sellerA = newId();
const sellerB = newId();
const buyer = newId();
const [pA1, pA2, pB1] = [newId(), newId(), newId()];
const now = Date.now();

type Line = { productId: string; sellerId: string; title: string; priceMinor: number; quantity: number };
function completed(orderId: string, items: Line[], daysAgo: number, city = 'Lyon'): Event {
  const event = makeEvent(Subjects.OrderCompleted, {
    id: orderId,
    userId: buyer,
    items,
    shippingAddress: testAddress({ city }),
    version: 1,
  });
  return { ...event, occurredAt: new Date(now - daysAgo * DAY).toISOString() };
}

const ref = (id: string, orderId: string, sellerId: string) => ({ id, orderId, sellerId, buyerId: buyer });
const at = new Date(now).toISOString();
const shipmentEvents = {
  created: (r: ReturnType<typeof ref>, items: { productId: string; quantity: number }[]) =>
    makeEvent(Subjects.ShipmentCreated, { ...r, items, version: 0 }),
  shipped: (r: ReturnType<typeof ref>) =>
    makeEvent(Subjects.ShipmentShipped, { ...r, carrier: 'DHL', trackingNumber: 'T1', shippedAt: at, autoDeliverAt: at, version: 1 }),
  delivered: (r: ReturnType<typeof ref>) =>
    makeEvent(Subjects.ShipmentDelivered, {
      ...r,
      deliveredAt: at,
      by: 'buyer',
      returnableUntil: new Date(now + 30 * DAY).toISOString(),
      version: 2,
    }),
  cancelled: (r: ReturnType<typeof ref>, items: { productId: string; quantity: number; priceMinor: number }[]) =>
    makeEvent(Subjects.ShipmentCancelled, {
      ...r,
      items,
      amountMinor: items.reduce((s, l) => s + l.priceMinor * l.quantity, 0),
      cancelledAt: at,
      version: 1,
    }),
};

/** A deterministic shuffle (seeded), so a failure reproduces. */
function shuffled<T>(items: T[], seed: number): T[] {
  const out = [...items];
  let s = seed;
  for (let i = out.length - 1; i > 0; i--) {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    const j = s % (i + 1);
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

const o1 = newId();
const o2 = newId();
const o3 = newId();
const o4 = newId();
const sA1 = ref(newId(), o1, sellerA);
const sB1 = ref(newId(), o1, sellerB);
const sA2 = ref(newId(), o2, sellerA);
const sA3 = ref(newId(), o3, sellerA);
const returnA1 = newId();

/**
 * Seller A: o1 (today) 2 × pA1 at 10.00, one returned, + 1 × pA2 at 5.50, delivered; o2 (today)
 * 3 × pA1 at 10.00, pending; o3 (2 days ago) 2 × pA2 at 5.50, cancelled before shipping; o4 (40
 * days ago) 1 × pA1. Seller B: o1 1 × pB1 at 5.00, cancelled.
 */
function allEvents(): Event[] {
  const a1 = { productId: pA1, sellerId: sellerA, title: 'Lamp', priceMinor: 1000 };
  const a2 = { productId: pA2, sellerId: sellerA, title: '=HYPERLINK("x")', priceMinor: 550 };
  const b1 = { productId: pB1, sellerId: sellerB, title: 'Vase', priceMinor: 500 };
  return [
    completed(
      o1,
      [
        { ...a1, quantity: 2 },
        { ...a2, quantity: 1 },
        { ...b1, quantity: 1 },
      ],
      0,
    ),
    completed(o2, [{ ...a1, quantity: 3 }], 0, 'Paris, "Centre"'),
    completed(o3, [{ ...a2, quantity: 2 }], 2),
    completed(o4, [{ ...a1, quantity: 1 }], 40),
    shipmentEvents.created(sA1, [
      { productId: pA1, quantity: 2 },
      { productId: pA2, quantity: 1 },
    ]),
    shipmentEvents.shipped(sA1),
    shipmentEvents.delivered(sA1),
    shipmentEvents.created(sB1, [{ productId: pB1, quantity: 1 }]),
    shipmentEvents.cancelled(sB1, [{ productId: pB1, quantity: 1, priceMinor: 500 }]),
    shipmentEvents.created(sA2, [{ productId: pA1, quantity: 3 }]),
    shipmentEvents.created(sA3, [{ productId: pA2, quantity: 2 }]),
    shipmentEvents.cancelled(sA3, [{ productId: pA2, quantity: 2, priceMinor: 550 }]),
    makeEvent(Subjects.ReturnReceived, {
      id: returnA1,
      orderId: o1,
      shipmentId: sA1.id,
      sellerId: sellerA,
      buyerId: buyer,
      items: [{ productId: pA1, quantity: 1, priceMinor: 1000 }],
      amountMinor: 1000,
      restock: false,
      version: 2,
    }),
  ];
}

const lines = () => models.SaleLine.find({}, { returns: 0 }).sort({ _id: 1 }).lean();
const settledState = async () =>
  (await lines()).map((l) => [l._id, l.shipmentStatus, l.returnedQuantity, l.keptQuantity, l.revenueMinor, l.buyerCity]);

const expected = [
  [`${o1}:${pA1}`, 'delivered', 1, 1, 1000, 'Lyon'],
  [`${o1}:${pA2}`, 'delivered', 0, 1, 550, 'Lyon'],
  [`${o1}:${pB1}`, 'cancelled', 0, 0, 0, 'Lyon'],
  [`${o2}:${pA1}`, 'pending', 0, 3, 3000, 'Paris, "Centre"'],
  [`${o3}:${pA2}`, 'cancelled', 0, 0, 0, 'Lyon'],
  [`${o4}:${pA1}`, undefined, 0, 1, 1000, 'Lyon'],
].sort((a, b) => String(a[0]).localeCompare(String(b[0])));

describe('sales read model through JetStream', () => {
  it('converges under redelivered, reversed and shuffled events (a return that overtakes its sale included)', async () => {
    // Orders stores a received return before publishing it: the catch-up of a late sale reads it.
    await models.Return.create({
      _id: returnA1,
      orderId: o1,
      shipmentId: sA1.id,
      sellerId: sellerA,
      buyerId: buyer,
      items: [{ productId: pA1, title: 'Lamp', priceMinor: 1000, quantity: 1 }],
      reason: 'damaged',
      status: 'received',
      restock: false,
    });
    const events = allEvents();
    // Everything after the sales first (reversed), then shuffled duplicates with fresh event ids.
    for (const e of [...events].reverse()) await bus.publish(e);
    for (const e of shuffled(events, 18)) await bus.publish({ ...e, id: newId() });
    await eventually(async () => JSON.stringify(await settledState()) === JSON.stringify(expected), 30_000);
    // Every duplicate too is consumed, and nothing moved afterwards.
    for (const e of shuffled(events, 7)) await bus.publish({ ...e, id: newId() });
    await new Promise((r) => setTimeout(r, 1500));
    expect(await settledState()).toEqual(expected);
    const a1 = (await models.SaleLine.findById(`${o1}:${pA1}`).lean())!;
    expect(a1.returns).toEqual([returnA1]);
    expect(a1).not.toHaveProperty('buyerId');
  }, 60_000);

  it("GET /api/sales: the seller's own lines only, newest first, with the buyer's city and nothing else about the buyer", async () => {
    const res = await request(app)
      .get('/api/sales')
      .set('Cookie', signinCookie({ id: sellerB }))
      .expect(200);
    expect(res.body).toEqual({
      sales: [
        {
          orderId: o1,
          productId: pB1,
          title: 'Vase',
          quantity: 1,
          price: 5,
          total: 5,
          status: 'cancelled',
          shipmentStatus: 'cancelled',
          buyerCity: 'Lyon',
          soldAt: new Date(now).toISOString(),
        },
      ],
      nextCursor: null,
    });
    const a = await request(app)
      .get('/api/sales')
      .set('Cookie', signinCookie({ id: sellerA }))
      .expect(200);
    expect(a.body.sales.map((s: { orderId: string; productId: string; status: string }) => [s.orderId, s.productId, s.status])).toEqual(
      expect.arrayContaining([
        [o1, pA1, 'partially_returned'],
        [o1, pA2, 'paid'],
        [o2, pA1, 'paid'],
        [o3, pA2, 'cancelled'],
        [o4, pA1, 'paid'],
      ]),
    );
    expect(a.body.sales).toHaveLength(5);
    expect(a.body.sales.at(-1).orderId).toBe(o4); // oldest last
    const text = JSON.stringify(a.body);
    for (const secret of ['Ada Lovelace', 'Analytical Row', 'NW1 6XE', '+44', buyer]) expect(text).not.toContain(secret);
  });

  it('GET /api/sales/dashboard equals the hand computation', async () => {
    const res = await request(app)
      .get('/api/sales/dashboard?days=30')
      .set('Cookie', signinCookie({ id: sellerA }))
      .expect(200);
    const day = (daysAgo: number) => new Date(now - daysAgo * DAY).toISOString().slice(0, 10);
    // Revenue: o1 10.00 (2 × 10.00, one returned) + 5.50; o2 30.00; o3 cancelled 0; o4 out of range.
    expect(res.body).toMatchObject({ revenue: 45.5, ordersCount: 3, averageOrderValue: 15.17 });
    // Returned 1 of the 6 units delivered or on their way (o3's cancelled 2 are not counted).
    expect(res.body.returnRate).toBeCloseTo(1 / 6, 4);
    expect(res.body.topProducts).toEqual([
      { productId: pA1, title: 'Lamp', units: 4, revenue: 40 },
      { productId: pA2, title: '=HYPERLINK("x")', units: 1, revenue: 5.5 },
    ]);
    expect(res.body.days).toHaveLength(30);
    expect(res.body.days[29]).toEqual({ date: day(0), revenue: 45.5, orders: 2 });
    expect(res.body.days[27]).toEqual({ date: day(2), revenue: 0, orders: 1 });
    expect(res.body.days[0].date).toBe(day(29));
    expect(res.body.days.reduce((s: number, d: { revenue: number }) => s + d.revenue, 0)).toBeCloseTo(45.5, 2);
    const year = await request(app)
      .get('/api/sales/dashboard?days=60')
      .set('Cookie', signinCookie({ id: sellerA }))
      .expect(200);
    expect(year.body).toMatchObject({ revenue: 55.5, ordersCount: 4 });
    const b = await request(app)
      .get('/api/sales/dashboard')
      .set('Cookie', signinCookie({ id: sellerB }))
      .expect(200);
    expect(b.body).toMatchObject({ revenue: 0, ordersCount: 1, averageOrderValue: 0, returnRate: 0, topProducts: [] });
  });

  it('CSV export: every line, RFC 4180 quoting and formula cells neutralised', async () => {
    const res = await request(app)
      .get('/api/sales?format=csv&status=paid')
      .set('Cookie', signinCookie({ id: sellerA }))
      .expect(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.headers['content-disposition']).toBe('attachment; filename="sales.csv"');
    const rows = res.text.split('\r\n');
    expect(rows[0]).toBe('orderId,productId,title,quantity,price,total,status,shipmentStatus,buyerCity,soldAt');
    expect(rows.at(-1)).toBe('');
    expect(rows).toHaveLength(1 + 3 + 1);
    expect(rows).toContain(`${o1},${pA2},"'=HYPERLINK(""x"")",1,5.5,5.5,paid,delivered,Lyon,${new Date(now).toISOString()}`);
    expect(rows).toContain(`${o2},${pA1},Lamp,3,10,30,paid,pending,"Paris, ""Centre""",${new Date(now).toISOString()}`);
    expect(rows).toContain(`${o4},${pA1},Lamp,1,10,10,paid,,Lyon,${new Date(now - 40 * DAY).toISOString()}`);
  });
});
