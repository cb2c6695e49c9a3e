import request from 'supertest';
import { signinCookie, useTestDatabase } from '@jetmart/common/testing';
import { refundIfCharged, refundPayment } from '../../charging';
import { SandboxGateway } from '../../gateway/sandbox-gateway';
import { newPaymentAttempt } from '../../models';
import { seedOrder, testApp, testModels } from '../../__tests__/support/fixtures';

useTestDatabase({ prefix: 'payments_routes' });
const { Payment, Refund } = testModels();

let gateway: SandboxGateway;
let app: ReturnType<typeof testApp>;
beforeEach(() => {
  gateway = new SandboxGateway();
  app = testApp(gateway);
});

const pay = (cookie: string | undefined, body: unknown, key?: string) => {
  let r = request(app).post('/api/payments');
  if (cookie) r = r.set('Cookie', cookie);
  if (key !== undefined) r = r.set('Idempotency-Key', key);
  return r.send(body as object);
};

describe('POST /api/payments', () => {
  it('201: charges the order total and answers {id, orderId, amount, refunded: 0, refunds: []}', async () => {
    const order = await seedOrder({ totalMinor: 4250 });
    const res = await pay(signinCookie({ id: order.userId }), { orderId: order._id, token: 'tok_visa' });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({ id: expect.any(String), orderId: order._id, amount: 42.5, refunded: 0, refunds: [] });
    expect(gateway.charges).toEqual([expect.objectContaining({ amountMinor: 4250, currency: 'usd', token: 'tok_visa' })]);
  });

  it('records payment.started with the claim (version 0) and payment.created in the same write as the succeeded payment, with the stored version', async () => {
    const order = await seedOrder();
    const res = await pay(signinCookie({ id: order.userId }), { orderId: order._id, token: 'tok_visa' });
    const stored = await Payment.findById(res.body.id).lean();
    expect(stored).toMatchObject({ status: 'succeeded', orderId: order._id, chargeId: gateway.charges[0].id });
    expect(stored!.token).toBeUndefined();
    // No relay runs here, so both entries are still in the outbox, in the order they were written.
    expect(stored!.outbox.map((e) => e.event)).toEqual([
      expect.objectContaining({
        subject: 'payment.started',
        data: { id: res.body.id, orderId: order._id, userId: order.userId, attempt: 1, version: 0 },
      }),
      expect.objectContaining({
        subject: 'payment.created',
        data: { id: res.body.id, orderId: order._id, userId: order.userId, amountMinor: order.totalMinor, version: stored!.version },
      }),
    ]);
    expect(stored!.version).toBe(1);
  });

  it('401 when not signed in', async () => {
    const order = await seedOrder();
    const res = await pay(undefined, { orderId: order._id, token: 'tok_visa' });
    expect(res.status).toBe(401);
    expect(res.body.errors[0].message).toBeDefined();
  });

  it.each([
    [{}, ['orderId', 'token']],
    [{ orderId: 'x' }, ['token']],
    [{ orderId: '', token: 'tok_visa' }, ['orderId']],
    [{ orderId: { $gt: '' }, token: 'tok_visa' }, ['orderId']],
    [{ orderId: 'x', token: 42 }, ['token']],
  ])('400 for body %j naming %j', async (body, fields) => {
    const res = await pay(signinCookie(), body);
    expect(res.status).toBe(400);
    expect(res.body.errors.map((e: { field?: string }) => e.field).sort()).toEqual(fields);
  });

  it('400 for a malformed JSON body', async () => {
    const res = await request(app)
      .post('/api/payments')
      .set('Cookie', signinCookie())
      .set('Content-Type', 'application/json')
      .send('{"orderId":');
    expect(res.status).toBe(400);
    expect(res.body.errors).toHaveLength(1);
  });

  it('400 for an unknown card token, and the buyer can then pay with a valid one', async () => {
    const order = await seedOrder();
    const cookie = signinCookie({ id: order.userId });
    const bad = await pay(cookie, { orderId: order._id, token: 'tok_bogus' });
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].field).toBe('token');
    expect((await pay(cookie, { orderId: order._id, token: 'tok_visa' })).status).toBe(201);
    expect(gateway.charges).toHaveLength(1);
  });

  it('400 for an Idempotency-Key over 255 characters', async () => {
    const order = await seedOrder();
    const res = await pay(signinCookie({ id: order.userId }), { orderId: order._id, token: 'tok_visa' }, 'x'.repeat(256));
    expect(res.status).toBe(400);
    expect(res.body.errors[0].field).toBe('Idempotency-Key');
    expect(gateway.charges).toHaveLength(0);
  });

  it('404 for an unknown order', async () => {
    const res = await pay(signinCookie(), { orderId: '0123456789abcdef01234567', token: 'tok_visa' });
    expect(res.status).toBe(404);
  });

  it("404 for another user's order, without charging", async () => {
    const order = await seedOrder();
    const res = await pay(signinCookie(), { orderId: order._id, token: 'tok_visa' });
    expect(res.status).toBe(404);
    expect(gateway.charges).toHaveLength(0);
    expect(await Payment.countDocuments()).toBe(0);
  });

  it('409 for a cancelled order', async () => {
    const order = await seedOrder({ status: 'cancelled', version: 1 });
    const res = await pay(signinCookie({ id: order.userId }), { orderId: order._id, token: 'tok_visa' });
    expect(res.status).toBe(409);
    expect(res.body.errors[0].message).toMatch(/cancelled/);
    expect(gateway.charges).toHaveLength(0);
  });

  it('409 for an expired order whose cancellation has not arrived yet', async () => {
    const order = await seedOrder({ expiresAt: new Date(Date.now() - 1000) });
    const res = await pay(signinCookie({ id: order.userId }), { orderId: order._id, token: 'tok_visa' });
    expect(res.status).toBe(409);
    expect(res.body.errors[0].message).toMatch(/expired/);
    expect(gateway.charges).toHaveLength(0);
  });

  it('409 for an order that is already paid, without a second charge', async () => {
    const order = await seedOrder();
    const cookie = signinCookie({ id: order.userId });
    expect((await pay(cookie, { orderId: order._id, token: 'tok_visa' })).status).toBe(201);
    const again = await pay(cookie, { orderId: order._id, token: 'tok_visa' });
    expect(again.status).toBe(409);
    expect(again.body.errors[0].message).toMatch(/already been paid/);
    expect(gateway.charges).toHaveLength(1);
  });

  it('409 for an order the replica already knows is complete', async () => {
    const order = await seedOrder({ status: 'complete', version: 1 });
    const res = await pay(signinCookie({ id: order.userId }), { orderId: order._id, token: 'tok_visa' });
    expect(res.status).toBe(409);
  });

  it('402 when the card is declined; nothing charged; another card then succeeds (attempt 2)', async () => {
    const order = await seedOrder();
    const cookie = signinCookie({ id: order.userId });
    const declined = await pay(cookie, { orderId: order._id, token: 'tok_chargeDeclined' });
    expect(declined.status).toBe(402);
    expect(declined.body).toEqual({ errors: [{ message: 'Your card was declined.' }] });
    const failed = await Payment.findOne({ orderId: order._id }).lean();
    expect(failed).toMatchObject({ status: 'failed', failureReason: 'declined', version: 1 });
    const base = { id: String(failed!._id), orderId: order._id, userId: order.userId };
    expect(failed!.outbox.map((e) => [e.event.subject, e.event.data])).toEqual([
      ['payment.started', { ...base, attempt: 1, version: 0 }],
      ['payment.failed', { ...base, attempt: 1, reason: 'declined', version: 1 }],
    ]);

    const paid = await pay(cookie, { orderId: order._id, token: 'tok_visa' });
    expect(paid.status).toBe(201);
    expect(gateway.charges).toEqual([expect.objectContaining({ idempotencyKey: `jetmart-order-${order._id}-attempt-2` })]);
    // Attempt 2 started (version 2) and succeeded (version 3); no payment.created for attempt 1.
    const stored = await Payment.findById(failed!._id).lean();
    expect(stored!.outbox.slice(2).map((e) => [e.event.subject, e.event.data])).toEqual([
      ['payment.started', { ...base, attempt: 2, version: 2 }],
      ['payment.created', { ...base, amountMinor: order.totalMinor, version: 3 }],
    ]);
    expect(stored!.version).toBe(3);
  });

  it('records payment.failed (order_not_payable) when the attempt is abandoned because the order ended', async () => {
    // payOrder abandons a claimed attempt whose order turned out to be cancelled or expired on the re-read.
    const order = await seedOrder({ totalMinor: 1200 });
    const payment = await newPaymentAttempt(Payment, {
      orderId: order._id,
      userId: order.userId,
      amountMinor: 1200,
      currency: 'usd',
      token: 'tok_visa',
      clientKey: undefined,
    }).save();
    payment.abandon('Order has expired');
    await payment.save();
    const stored = await Payment.findOne({ orderId: order._id }).lean();
    expect(stored).toMatchObject({ status: 'failed', failureReason: 'order_not_payable', version: 1 });
    expect(stored!.outbox.map((e) => [e.event.subject, e.event.data])).toEqual([
      ['payment.started', { id: payment.id, orderId: order._id, userId: order.userId, attempt: 1, version: 0 }],
      ['payment.failed', { id: payment.id, orderId: order._id, userId: order.userId, attempt: 1, reason: 'order_not_payable', version: 1 }],
    ]);
    expect(gateway.charges).toHaveLength(0);
  });

  it('same Idempotency-Key twice: the same 201 body, one charge', async () => {
    const order = await seedOrder();
    const cookie = signinCookie({ id: order.userId });
    const first = await pay(cookie, { orderId: order._id, token: 'tok_visa' }, 'client-key-1');
    const second = await pay(cookie, { orderId: order._id, token: 'tok_visa' }, 'client-key-1');
    expect(first.status).toBe(201);
    expect(second.status).toBe(201);
    expect(second.body).toEqual(first.body);
    expect(gateway.charges).toHaveLength(1);
    // Another key for the paid order is a new payment attempt: refused.
    expect((await pay(cookie, { orderId: order._id, token: 'tok_visa' }, 'client-key-2')).status).toBe(409);
  });

  it('concurrent requests for one order: exactly one charge and one 201', async () => {
    const order = await seedOrder();
    const cookie = signinCookie({ id: order.userId });
    const results = await Promise.all(Array.from({ length: 8 }, () => pay(cookie, { orderId: order._id, token: 'tok_visa' })));
    const statuses = results.map((r) => r.status).sort();
    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
    expect(statuses.filter((s) => s !== 201).every((s) => s === 409)).toBe(true);
    expect(gateway.charges).toHaveLength(1);
    expect(await Payment.countDocuments({ orderId: order._id })).toBe(1);
  });

  it('concurrent requests with the same Idempotency-Key: one charge; the rest get 201 with the same body or 409 while in flight', async () => {
    const order = await seedOrder();
    const cookie = signinCookie({ id: order.userId });
    const results = await Promise.all(Array.from({ length: 5 }, () => pay(cookie, { orderId: order._id, token: 'tok_visa' }, 'same-key')));
    const created = results.filter((r) => r.status === 201);
    expect(created.length).toBeGreaterThanOrEqual(1);
    expect(new Set(created.map((r) => r.body.id)).size).toBe(1);
    expect(results.every((r) => r.status === 201 || r.status === 409)).toBe(true);
    expect(gateway.charges).toHaveLength(1);
  });
});

describe('GET /api/payments?orderId=', () => {
  const list = (cookie: string | undefined, query: string) => {
    const r = request(app).get(`/api/payments${query}`);
    return cookie ? r.set('Cookie', cookie) : r;
  };

  it("200 [{id, orderId, amount, refunded, refunds}]: the caller's succeeded payment of the order, as POST answered it", async () => {
    const order = await seedOrder({ totalMinor: 1999 });
    const cookie = signinCookie({ id: order.userId });
    const paid = await pay(cookie, { orderId: order._id, token: 'tok_visa' });
    expect(paid.status).toBe(201);
    const res = await list(cookie, `?orderId=${order._id}`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual([paid.body]);
    expect(res.body).toEqual([{ id: expect.any(String), orderId: order._id, amount: 19.99, refunded: 0, refunds: [] }]);
  });

  it('200 [] for an order not paid yet, a declined attempt, and an unknown order', async () => {
    const order = await seedOrder();
    const cookie = signinCookie({ id: order.userId });
    expect((await list(cookie, `?orderId=${order._id}`)).body).toEqual([]);
    expect((await pay(cookie, { orderId: order._id, token: 'tok_chargeDeclined' })).status).toBe(402);
    const declined = await list(cookie, `?orderId=${order._id}`);
    expect(declined.status).toBe(200);
    expect(declined.body).toEqual([]);
    const unknown = await list(cookie, '?orderId=0123456789abcdef01234567');
    expect(unknown.status).toBe(200);
    expect(unknown.body).toEqual([]);
  });

  it("200 [] for another user's paid order: ids reveal nothing", async () => {
    const order = await seedOrder();
    expect((await pay(signinCookie({ id: order.userId }), { orderId: order._id, token: 'tok_visa' })).status).toBe(201);
    const res = await list(signinCookie(), `?orderId=${order._id}`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual([]);
  });

  it('200 with refunded and refunds once the whole payment was refunded (the order was cancelled after the charge)', async () => {
    const order = await seedOrder({ totalMinor: 1999 });
    const cookie = signinCookie({ id: order.userId });
    const paid = await pay(cookie, { orderId: order._id, token: 'tok_visa' });
    expect(await refundIfCharged({ models: testModels(), gateway }, order._id)).toMatchObject({ kind: 'refunded' });
    const res = await list(cookie, `?orderId=${order._id}`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual([
      {
        ...paid.body,
        refunded: 19.99,
        refunds: [
          {
            id: `order-cancelled-${order._id}`,
            reason: 'order-cancelled',
            sourceId: order._id,
            amount: 19.99,
            createdAt: expect.any(String),
          },
        ],
      },
    ]);
  });

  it('200 with the partial refunds recorded so far, oldest first, summed in refunded', async () => {
    const order = await seedOrder({ totalMinor: 5000 });
    const cookie = signinCookie({ id: order.userId });
    expect((await pay(cookie, { orderId: order._id, token: 'tok_visa' })).status).toBe(201);
    const deps = { models: testModels(), gateway };
    const line = { productId: 'p1', quantity: 1, priceMinor: 1250 };
    const shipmentId = '0123456789abcdef01234567';
    const returnId = '0123456789abcdef01234568';
    await refundPayment(deps, { orderId: order._id, reason: 'shipment-cancelled', sourceId: shipmentId, amountMinor: 1250, items: [line] });
    await refundPayment(deps, {
      orderId: order._id,
      reason: 'return',
      sourceId: returnId,
      amountMinor: 2500,
      items: [{ ...line, quantity: 2 }],
    });
    const res = await list(cookie, `?orderId=${order._id}`);
    expect(res.body).toHaveLength(1);
    expect(res.body[0]).toMatchObject({
      amount: 50,
      refunded: 37.5,
      refunds: [
        { id: `shipment-cancelled-${shipmentId}`, reason: 'shipment-cancelled', sourceId: shipmentId, amount: 12.5 },
        { id: `return-${returnId}`, reason: 'return', sourceId: returnId, amount: 25 },
      ],
    });
    expect(await Refund.countDocuments()).toBe(2);
    // Another buyer still sees nothing.
    expect((await list(signinCookie(), `?orderId=${order._id}`)).body).toEqual([]);
  });

  it('401 when not signed in', async () => {
    const order = await seedOrder();
    const res = await list(undefined, `?orderId=${order._id}`);
    expect(res.status).toBe(401);
    expect(res.body.errors[0].message).toBeDefined();
  });

  it.each([
    ['no orderId', ''],
    ['an empty orderId', '?orderId='],
    ['an orderId that is not an order id', '?orderId=not-an-id'],
    ['a 25-character orderId', '?orderId=0123456789abcdef012345678'],
    ['two orderIds', '?orderId=0123456789abcdef01234567&orderId=0123456789abcdef01234568'],
    ['an operator in the key', '?orderId[$ne]=x'],
  ])('400 naming orderId for %s', async (_what, query) => {
    const res = await list(signinCookie(), query);
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([expect.objectContaining({ field: 'orderId', message: expect.any(String) })]);
  });
});
