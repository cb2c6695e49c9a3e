/**
 * Paying with the order ticket orders hands out with a placed order (issue 21): a buyer can pay an
 * order whose order.created has not reached payments yet, without waiting for it, and nothing the
 * ticket cannot prove is accepted. Real FerretDB/MongoDB and real JetStream for the listeners.
 */
import fc from 'fast-check';
import mongoose from 'mongoose';
import request from 'supertest';
import {
  createLogger,
  installDatabasePlugins,
  makeEvent,
  signOrderTicket,
  Subjects,
  type EventBus,
  type EventData,
  type Listener,
  type OrderTicketClaims,
  type Subject,
} from '@jetmart/common';
import { eventually, expectErrorShape, signinCookie, useTestBus, useTestDatabase, weirdString } from '@jetmart/common/testing';
import { TEST_SETTINGS, testApp } from '../../__tests__/support/fixtures';
import { paymentsListeners } from '../../events/listeners';
import { SandboxGateway } from '../../gateway/sandbox-gateway';
import { paymentsModels } from '../../models';
import { payOrder } from '../pay-order';
import { postSale } from '../../ledger';

const db = useTestDatabase({ prefix: 'payments_ticket' });
const { connection } = db;
const models = paymentsModels(connection);
const { Order, Payment, Refund } = models;
const logger = createLogger('payments-ticket-test', { level: 'silent' });
const KEY = TEST_SETTINGS.JWT_KEY;

let bus: EventBus;
let gateway: SandboxGateway;
let listeners: Listener<Subject>[] = [];
const jet = useTestBus({
  name: 'payments-ticket-test',
  logger,
  freshStreams: ['ORDERS'],
  beforeDrain: () => Promise.all(listeners.map((l) => l.stop())),
});
beforeAll(async () => {
  await Payment.syncIndexes();
});
let app: ReturnType<typeof testApp>;
beforeEach(() => {
  bus = jet.bus;
  gateway = new SandboxGateway();
  // No wait at all: without its ticket a payment of an order payments has not heard of is a 404.
  app = testApp(gateway, { ORDER_REPLICA_WAIT_MS: 0 });
});
const startListeners = async () => {
  listeners = paymentsListeners(bus, { models, gateway }, { backoffMs: 50 });
  for (const l of listeners) await l.start();
};

const oid = () => new mongoose.Types.ObjectId().toHexString();

/** A placed order as orders' event tells it, and its ticket. */
function placed(over: Partial<OrderTicketClaims> = {}) {
  const claims: OrderTicketClaims = {
    orderId: oid(),
    userId: oid(),
    totalMinor: 3_500,
    expiresAt: new Date(Date.now() + 15 * 60_000).toISOString(),
    items: [
      { productId: oid(), sellerId: oid(), priceMinor: 1_000, quantity: 2 },
      { productId: oid(), sellerId: oid(), priceMinor: 1_500, quantity: 1 },
    ],
    version: 0,
    ...over,
  };
  const event: EventData<typeof Subjects.OrderCreated> = {
    id: claims.orderId,
    userId: claims.userId,
    status: 'created',
    expiresAt: claims.expiresAt,
    items: claims.items.map((l, i) => ({ ...l, title: `Line ${i}` })),
    totalMinor: claims.totalMinor,
    version: 0,
  };
  const cancelled: EventData<typeof Subjects.OrderCancelled> = {
    id: claims.orderId,
    userId: claims.userId,
    reason: 'buyer',
    items: claims.items.map(({ productId, quantity, sellerId }) => ({ productId, quantity, sellerId })),
    version: 1,
  };
  return { claims, event, cancelled, ticket: signOrderTicket(claims, KEY) };
}

const pay = (o: { claims: OrderTicketClaims }, body: Record<string, unknown>, userId = o.claims.userId) =>
  request(app)
    .post('/api/payments')
    .set('Cookie', signinCookie({ id: userId }))
    .send({ orderId: o.claims.orderId, token: 'tok_visa', ...body });

describe('paying an order payments has not heard of yet, with its ticket', () => {
  it('is charged at once (without the ticket: 404), and the replica is the one order.created would write', async () => {
    const o = placed();
    expect((await pay(o, {})).status).toBe(404);
    const res = await pay(o, { orderTicket: o.ticket });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ orderId: o.claims.orderId, amount: 35 });
    expect(gateway.charges).toHaveLength(1);
    const replica = await Order.findById(o.claims.orderId).lean();
    expect(replica).toMatchObject({ userId: o.claims.userId, status: 'created', totalMinor: 3_500, version: 0 });
    expect(replica!.items).toEqual(o.claims.items);
    expect(replica!.expiresAt.toISOString()).toBe(o.claims.expiresAt);
  });

  it('the late order.created is a duplicate and changes nothing; order.completed still applies after it', async () => {
    await startListeners();
    const o = placed();
    expect((await pay(o, { orderTicket: o.ticket })).status).toBe(201);
    const before = await Order.findById(o.claims.orderId).lean();
    await bus.publish(makeEvent(Subjects.OrderCreated, o.event));
    const completed = { id: o.claims.orderId, userId: o.claims.userId, items: o.cancelled.items, version: 1 };
    await bus.publish(makeEvent(Subjects.OrderCompleted, completed));
    await eventually(async () => (await Order.findById(o.claims.orderId).lean())?.status === 'complete');
    const after = await Order.findById(o.claims.orderId).lean();
    expect(after).toEqual({ ...before, status: 'complete', version: 1 });
  });

  it('a ticket cannot bring back an order payments knows to be cancelled: the replica decides', async () => {
    await startListeners();
    const o = placed();
    await bus.publish(makeEvent(Subjects.OrderCreated, o.event));
    await bus.publish(makeEvent(Subjects.OrderCancelled, o.cancelled));
    await eventually(async () => (await Order.findById(o.claims.orderId).lean())?.status === 'cancelled');
    const res = await pay(o, { orderTicket: o.ticket });
    expect(res.status).toBe(409);
    expect(res.body.errors[0].message).toMatch(/cancelled/);
    expect(gateway.charges).toHaveLength(0);
  });

  it('the same client key twice with the ticket charges once and answers the first 201 again', async () => {
    const o = placed();
    const first = await pay(o, { orderTicket: o.ticket }).set('Idempotency-Key', 'k-1');
    const again = await pay(o, { orderTicket: o.ticket }).set('Idempotency-Key', 'k-1');
    expect(first.status).toBe(201);
    expect(again.status).toBe(201);
    expect(again.body).toEqual(first.body);
    expect(gateway.charges).toHaveLength(1);
  });
});

describe('an order cancelled right after it was placed, paid with its ticket before payments saw the cancellation', () => {
  it('charged before the cancellation arrives: refunded in full once it does (never a charge kept)', async () => {
    await startListeners();
    const o = placed();
    expect((await pay(o, { orderTicket: o.ticket })).status).toBe(201);
    await bus.publish(makeEvent(Subjects.OrderCancelled, o.cancelled));
    await bus.publish(makeEvent(Subjects.OrderCreated, o.event));
    const payment = await eventually(async () => {
      const p = await Payment.findOne({ orderId: o.claims.orderId }).lean();
      // The reservation marks the payment refunded before the refund's record is inserted
      // (refundPayment's steps 1 and 3): wait for both.
      return p?.status === 'refunded' && (await Refund.countDocuments({ orderId: o.claims.orderId })) > 0 ? p : undefined;
    });
    expect(payment.refundedMinor).toBe(3_500);
    expect(await Refund.countDocuments({ orderId: o.claims.orderId })).toBe(1);
    expect(gateway.refunds).toEqual([expect.objectContaining({ amountMinor: 3_500 })]);
    expect(await Order.findById(o.claims.orderId).lean()).toMatchObject({ status: 'cancelled', version: 1 });
  });

  it('racing (the cancellation published as the payment is sent): every order ends unpaid or fully refunded', async () => {
    await startListeners();
    const orders = Array.from({ length: 8 }, () => placed());
    // The cancellations first: each waits in its listener for version 0, which the ticket or the
    // late order.created then writes, while the payment races the retry that applies it.
    await Promise.all(orders.map((o) => bus.publish(makeEvent(Subjects.OrderCancelled, o.cancelled))));
    const answers = await Promise.all(orders.map((o) => pay(o, { orderTicket: o.ticket })));
    await Promise.all(orders.map((o) => bus.publish(makeEvent(Subjects.OrderCreated, o.event))));
    for (const [i, o] of orders.entries()) {
      expect([201, 409]).toContain(answers[i].status);
      await eventually(async () => (await Order.findById(o.claims.orderId).lean())?.status === 'cancelled', 15_000);
      if (answers[i].status === 201) {
        const p = await eventually(async () => {
          const found = await Payment.findOne({ orderId: o.claims.orderId }).lean();
          return found?.status === 'refunded' ? found : undefined;
        }, 15_000);
        expect(p.refundedMinor).toBe(3_500);
      } else {
        // Refused before a claim (the replica already cancelled) or at the re-read after it (abandoned).
        const p = await Payment.findOne({ orderId: o.claims.orderId }).lean();
        if (p) expect(p).toMatchObject({ status: 'failed', failureReason: 'order_not_payable' });
      }
    }
    const charged = gateway.charges.reduce((sum, c) => sum + c.amountMinor, 0);
    const refunded = gateway.refunds.reduce((sum, r) => sum + r.amountMinor, 0);
    expect(refunded).toBe(charged);
  });
});

describe('tickets that prove nothing', () => {
  const expectNothingWritten = async (orderId: string) => {
    expect(await Order.findById(orderId).lean()).toBeNull();
    expect(await Payment.findOne({ orderId }).lean()).toBeNull();
    expect(gateway.charges).toHaveLength(0);
  };

  it('signed with another key, tampered with, or another order’s → 400 on orderTicket, nothing written', async () => {
    const o = placed();
    const [v, payload, sig] = o.ticket.split('.');
    const raised = Buffer.from(JSON.stringify({ ...o.claims, totalMinor: 1 })).toString('base64url');
    const other = placed({ userId: o.claims.userId });
    for (const orderTicket of [
      signOrderTicket(o.claims, 'another-key'),
      `${v}.${raised}.${sig}`,
      `${v}.${payload}.${sig.slice(1)}`,
      other.ticket,
    ]) {
      const res = await pay(o, { orderTicket });
      expect(res.status).toBe(400);
      expectErrorShape(res);
      expect(res.body.errors[0].field).toBe('orderTicket');
    }
    await expectNothingWritten(o.claims.orderId);
  });

  it("another buyer's ticket → 404, as another buyer's order", async () => {
    const o = placed();
    const res = await pay(o, { orderTicket: o.ticket }, oid());
    expect(res.status).toBe(404);
    expectErrorShape(res);
    await expectNothingWritten(o.claims.orderId);
  });

  it('expired (the order can no longer be paid) → 409, nothing written', async () => {
    const o = placed({ expiresAt: new Date(Date.now() - 1_000).toISOString() });
    const res = await pay(o, { orderTicket: o.ticket });
    expect(res.status).toBe(409);
    expect(res.body.errors[0].message).toMatch(/expired/);
    await expectNothingWritten(o.claims.orderId);
  });

  it('property: any other string or value as orderTicket → 400 in the documented shape, nothing written', async () => {
    const o = placed();
    const hostile = fc.oneof(
      weirdString,
      fc.string({ maxLength: 200 }).map((s) => `ot1.${s}`),
      fc.tuple(fc.base64String(), fc.base64String()).map(([a, b]) => `ot1.${a.replace(/=/g, '')}.${b.replace(/=/g, '')}`),
      fc.constantFrom(0, 1, true, null, [], {}, { $gt: '' }, 'x'.repeat(20_000), ''),
    );
    await fc.assert(
      fc.asyncProperty(hostile, async (orderTicket) => {
        const res = await pay(o, { orderTicket });
        expect(res.status).toBe(400);
        expectErrorShape(res);
      }),
      { numRuns: Number(process.env.HOSTILE_RUNS ?? 100), seed: 2101 },
    );
    await expectNothingWritten(o.claims.orderId);
  });
});

describe('database commands of a payment with its ticket (issue 21)', () => {
  // A second connection to the same database with the driver's command monitoring, and the
  // models on it: every command payOrder sends is seen, by command and collection.
  let monitored: mongoose.Connection;
  const sent: string[] = [];
  beforeAll(async () => {
    monitored = await mongoose.createConnection(db.url(), { monitorCommands: true }).asPromise();
    installDatabasePlugins(monitored);
    monitored.getClient().on('commandStarted', (e) => sent.push(`${e.commandName} ${String(e.command[e.commandName])}`));
  });
  afterAll(() => monitored.close());

  const payCounting = async (o: ReturnType<typeof placed>) => {
    sent.length = 0;
    const outcome = await payOrder(
      { models: paymentsModels(monitored), gateway, currency: 'usd', ticketKey: KEY },
      { orderId: o.claims.orderId, userId: o.claims.userId, token: 'tok_visa', orderTicket: o.ticket },
    );
    // Reads and writes only (the first use of a model on a connection also creates its collection).
    const onOrders = sent.filter((c) => /^(find|insert|update|delete|findAndModify|aggregate) orders$/.test(c));
    return { outcome, onOrders };
  };

  it('before order.created: the replica is inserted from the ticket without a look-up first; the re-read after the claim stays', async () => {
    const o = placed();
    const { outcome, onOrders } = await payCounting(o);
    expect(outcome.kind).toBe('paid');
    expect(onOrders).toEqual(['insert orders', 'find orders']);
  });

  it('the sale is credited from the lines the payment copied at its claim, without reading the order', async () => {
    const o = placed();
    const { outcome } = await payCounting(o);
    if (outcome.kind !== 'paid') throw new Error(`not paid: ${outcome.kind}`);
    expect((await Payment.findById(outcome.payment.id).lean())!.lines).toEqual(o.claims.items);
    sent.length = 0;
    const posted = await postSale({ models: paymentsModels(monitored), commissionPercent: 10 }, outcome.payment.id as string);
    expect(posted).toEqual({ kind: 'posted', posted: 2 });
    expect(sent.filter((c) => /^(find|aggregate) orders$/.test(c))).toEqual([]);
    const entries = await models.LedgerEntry.find({ orderId: o.claims.orderId }).sort({ _id: 1 }).lean();
    expect(entries.map((e) => [e.sellerId, e.grossMinor])).toEqual(o.claims.items.map((l) => [l.sellerId, l.priceMinor * l.quantity]));
  });

  it('after order.created: the insert is a duplicate, then the replica is read (and decides)', async () => {
    const o = placed();
    await Order.create({ ...o.event, _id: o.claims.orderId, expiresAt: new Date(o.claims.expiresAt), status: 'cancelled', version: 1 });
    const { outcome, onOrders } = await payCounting(o);
    expect(outcome).toEqual({ kind: 'conflict', message: 'Order has been cancelled' });
    expect(onOrders).toEqual(['insert orders', 'find orders']);
    expect(gateway.charges).toHaveLength(0);
  });
});
