/**
 * Returns through the HTTP API on a real database (FerretDB here): the request rules, the guarded
 * steps and their repeats, the units reserved and given back on the shipment replica, and the
 * order's derived payment. The events' delivery is in events/__tests__/returns-flow.test.ts.
 */
import request from 'supertest';
import { signinCookie, useTestDatabase } from '@jetmart/common/testing';
import { applyPaymentRefunded, closeReturnWindow, returnableKey } from '../../models';
import { newId, paidOrderWithShipment, syncIndexes, testApp } from '../../__tests__/helpers';

const { connection } = useTestDatabase({ prefix: 'orders_returns' });
const { app, models } = testApp(connection);
beforeEach(() => syncIndexes(models));

const buyer = { id: newId() };
const asBuyer = signinCookie(buyer);
const returnable = async (shipmentId: string, productId: string) =>
  ((await models.ShipmentReplica.findById(shipmentId).lean())!.returnable ?? {})[returnableKey(productId)];
const ask = (orderId: string, body: object, cookie = asBuyer) =>
  request(app).post(`/api/orders/${orderId}/returns`).set('Cookie', cookie).send(body);
const step = (id: string, name: string, cookie: string, body: object = {}) =>
  request(app).post(`/api/returns/${id}/${name}`).set('Cookie', cookie).send(body);

describe('POST /api/orders/:id/returns', () => {
  it('201: a requested return of delivered units at version 0 with return.requested; the units are no longer returnable', async () => {
    const { order, shipmentId, sellerId, products } = await paidOrderWithShipment(models, buyer.id, {
      lines: [{ quantity: 3, priceMinor: 1250 }],
    });
    const res = await ask(order.id, { items: [{ productId: products[0].id, quantity: 2 }], reason: 'damaged', note: 'cracked' }).expect(
      201,
    );
    expect(res.body).toMatchObject({
      orderId: order.id,
      shipmentId,
      sellerId,
      buyerId: buyer.id,
      status: 'requested',
      items: [{ productId: products[0].id, title: 'Lamp', price: 12.5, quantity: 2 }],
      amount: 25,
      reason: 'damaged',
      note: 'cracked',
      version: 0,
    });
    const stored = (await models.Return.findById(res.body.id).lean())!;
    expect(stored.outbox.map((e) => [e.subject, e.event.data])).toEqual([
      [
        'return.requested',
        {
          id: res.body.id,
          orderId: order.id,
          shipmentId,
          sellerId,
          buyerId: buyer.id,
          items: [{ productId: products[0].id, quantity: 2, priceMinor: 1250 }],
          reason: 'damaged',
          note: 'cracked',
          version: 0,
        },
      ],
    ]);
    expect(await returnable(shipmentId, products[0].id)).toBe(1);
    // One more unit is left; two are not.
    await ask(order.id, { items: [{ productId: products[0].id, quantity: 2 }], reason: 'other' }).expect(409);
    await ask(order.id, { items: [{ productId: products[0].id, quantity: 1 }], reason: 'other' }).expect(201);
    expect(await returnable(shipmentId, products[0].id)).toBe(0);
  });

  it('409 before delivery and once the window closed; 404 for a stranger or an unknown order; nothing reserved', async () => {
    const shipped = await paidOrderWithShipment(models, buyer.id, { final: 'shipped' });
    const items = [{ productId: shipped.products[0].id, quantity: 1 }];
    const notYet = await ask(shipped.order.id, { items, reason: 'damaged' }).expect(409);
    expect(notYet.body.errors[0].message).toMatch(/not been delivered/);

    const delivered = await paidOrderWithShipment(models, buyer.id);
    await closeReturnWindow(models.ShipmentReplica, delivered.shipmentId);
    const closed = await ask(delivered.order.id, {
      items: [{ productId: delivered.products[0].id, quantity: 1 }],
      reason: 'damaged',
    }).expect(409);
    expect(closed.body.errors[0].message).toMatch(/return window closed on \d{4}-\d{2}-\d{2}/);
    expect(await returnable(delivered.shipmentId, delivered.products[0].id)).toBe(2);

    await ask(delivered.order.id, { items, reason: 'damaged' }, signinCookie({ id: newId() })).expect(404);
    await ask(newId(), { items, reason: 'damaged' }).expect(404);
    await ask('not-an-id', { items, reason: 'damaged' }).expect(404);
    expect(await models.Return.countDocuments()).toBe(0);
  });

  it('400: a product not on the order, lines of two sellers, a bad body (the field named)', async () => {
    const a = await paidOrderWithShipment(models, buyer.id, { lines: [{ quantity: 1 }, { quantity: 1 }] });
    const unknown = await ask(a.order.id, { items: [{ productId: newId(), quantity: 1 }], reason: 'damaged' }).expect(400);
    expect(unknown.body.errors[0]).toMatchObject({ field: 'items.0.productId' });

    // An order of two sellers: one return per seller's part.
    const sellerB = newId();
    const mixed = await paidOrderWithShipment(models, buyer.id, { lines: [{ quantity: 1 }, { quantity: 1 }] });
    await models.Order.updateOne({ _id: mixed.order.id }, { $set: { 'items.1.sellerId': sellerB } });
    const several = await ask(mixed.order.id, {
      items: [
        { productId: mixed.products[0].id, quantity: 1 },
        { productId: mixed.products[1].id, quantity: 1 },
      ],
      reason: 'other',
    }).expect(400);
    expect(several.body.errors[0]).toMatchObject({ field: 'items.1.productId' });

    for (const [body, field] of [
      [{ items: [], reason: 'damaged' }, 'items'],
      [{ items: [{ productId: a.products[0].id, quantity: 0 }], reason: 'damaged' }, 'items.0.quantity'],
      [{ items: [{ productId: a.products[0].id, quantity: 1 }], reason: 'bored' }, 'reason'],
      [{ items: [{ productId: a.products[0].id, quantity: 1 }], reason: 'other', note: 'x'.repeat(501) }, 'note'],
      [
        {
          items: [
            { productId: a.products[0].id, quantity: 1 },
            { productId: a.products[0].id, quantity: 1 },
          ],
          reason: 'other',
        },
        'items.1.productId',
      ],
    ] as const) {
      const res = await ask(a.order.id, body).expect(400);
      expect(res.body.errors.map((e: { field?: string }) => e.field)).toContain(field);
    }
    expect(await models.Return.countDocuments()).toBe(0);
  });

  it('10 concurrent requests for the same line never return more units than were bought', async () => {
    const { order, shipmentId, products } = await paidOrderWithShipment(models, buyer.id, { lines: [{ quantity: 3 }] });
    const answers = await Promise.all(
      Array.from({ length: 10 }, () => ask(order.id, { items: [{ productId: products[0].id, quantity: 1 }], reason: 'changed_mind' })),
    );
    const statuses = answers.map((r) => r.status).sort();
    expect(statuses).toEqual([...Array(3).fill(201), ...Array(7).fill(409)]);
    expect(await models.Return.countDocuments({ orderId: order.id })).toBe(3);
    expect(await returnable(shipmentId, products[0].id)).toBe(0);
  });
});

describe('the steps of a return', () => {
  async function requested(quantity = 2) {
    const setup = await paidOrderWithShipment(models, buyer.id, { lines: [{ quantity: 2, priceMinor: 1000 }] });
    const res = await ask(setup.order.id, { items: [{ productId: setup.products[0].id, quantity }], reason: 'wrong_item' }).expect(201);
    return { ...setup, id: res.body.id as string, asSeller: signinCookie({ id: setup.sellerId }) };
  }
  const subjects = async (id: string) =>
    (await models.Return.findById(id).lean())!.outbox.map((e) => [e.subject, (e.event.data as { version?: number }).version]);

  it('approve → receive: each once with its event; repeats answer 200; steps from the wrong state 409 naming the state', async () => {
    const r = await requested();
    await step(r.id, 'receive', r.asSeller, { restock: true }).expect(409, /requested/);
    await step(r.id, 'approve', asBuyer).expect(404); // only the seller approves
    expect((await step(r.id, 'approve', r.asSeller).expect(200)).body).toMatchObject({ status: 'approved', version: 1 });
    expect((await step(r.id, 'approve', r.asSeller).expect(200)).body).toMatchObject({ status: 'approved', version: 1 });
    await step(r.id, 'reject', r.asSeller, { message: 'no' }).expect(409, /approved/);
    await step(r.id, 'cancel', asBuyer).expect(409, /approved/);
    const received = await step(r.id, 'receive', r.asSeller, { restock: true }).expect(200);
    expect(received.body).toMatchObject({ status: 'received', restock: true, amount: 20, version: 2 });
    await step(r.id, 'receive', r.asSeller, { restock: false }).expect(200);
    await step(r.id, 'approve', r.asSeller).expect(200);
    expect(await subjects(r.id)).toEqual([
      ['return.requested', 0],
      ['return.approved', 1],
      ['return.received', 2],
    ]);
    const event = (await models.Return.findById(r.id).lean())!.outbox[2].event.data;
    expect(event).toMatchObject({
      amountMinor: 2000,
      restock: true,
      items: [{ productId: r.products[0].id, quantity: 2, priceMinor: 1000 }],
    });
    // Received units stay out of returnable.
    expect(await returnable(r.shipmentId, r.products[0].id)).toBe(0);
  });

  it('reject (seller) and cancel (buyer) give the units back once, also when repeated', async () => {
    const r = await requested(2);
    expect(await returnable(r.shipmentId, r.products[0].id)).toBe(0);
    await step(r.id, 'reject', asBuyer, { message: 'mine' }).expect(404);
    await step(r.id, 'reject', r.asSeller, { message: '' }).expect(400);
    expect((await step(r.id, 'reject', r.asSeller, { message: 'Used' }).expect(200)).body).toMatchObject({
      status: 'rejected',
      message: 'Used',
    });
    await step(r.id, 'reject', r.asSeller, { message: 'Used' }).expect(200);
    expect(await returnable(r.shipmentId, r.products[0].id)).toBe(2);
    await step(r.id, 'approve', r.asSeller).expect(409, /rejected/);

    const again = await ask(r.order.id, { items: [{ productId: r.products[0].id, quantity: 1 }], reason: 'other' }).expect(201);
    await step(again.body.id, 'cancel', r.asSeller).expect(404); // only the buyer cancels
    expect((await step(again.body.id, 'cancel', asBuyer).expect(200)).body.status).toBe('cancelled');
    await step(again.body.id, 'cancel', asBuyer).expect(200);
    expect(await returnable(r.shipmentId, r.products[0].id)).toBe(2);
    expect(await subjects(again.body.id)).toEqual([
      ['return.requested', 0],
      ['return.cancelled', 1],
    ]);
  });

  it("lists: the order's returns, the buyer's and the seller's (newest first, by status); one return for its buyer and seller only", async () => {
    const r = await requested(1);
    const second = await ask(r.order.id, { items: [{ productId: r.products[0].id, quantity: 1 }], reason: 'other' }).expect(201);
    await step(r.id, 'approve', r.asSeller).expect(200);
    const ofOrder = await request(app).get(`/api/orders/${r.order.id}/returns`).set('Cookie', asBuyer).expect(200);
    expect(ofOrder.body.map((x: { id: string }) => x.id)).toEqual([second.body.id, r.id]);
    await request(app).get(`/api/orders/${r.order.id}/returns`).set('Cookie', r.asSeller).expect(404);
    const mine = await request(app).get('/api/returns').set('Cookie', asBuyer).expect(200);
    expect(mine.body.map((x: { id: string }) => x.id)).toEqual([second.body.id, r.id]);
    const toHandle = await request(app).get('/api/returns?role=seller&status=requested').set('Cookie', r.asSeller).expect(200);
    expect(toHandle.body.map((x: { id: string }) => x.id)).toEqual([second.body.id]);
    expect((await request(app).get('/api/returns?role=seller').set('Cookie', asBuyer).expect(200)).body).toEqual([]);
    await request(app).get('/api/returns?role=admin').set('Cookie', asBuyer).expect(400);
    await request(app).get(`/api/returns/${r.id}`).set('Cookie', asBuyer).expect(200);
    await request(app).get(`/api/returns/${r.id}`).set('Cookie', r.asSeller).expect(200);
    await request(app)
      .get(`/api/returns/${r.id}`)
      .set('Cookie', signinCookie({ id: newId() }))
      .expect(404);
  });
});

describe('orders and their money', () => {
  it("a paid order's payment and refunded are derived from its refunds; DELETE of a paid order names the way", async () => {
    const { order, shipmentId } = await paidOrderWithShipment(models, buyer.id, {
      lines: [{ quantity: 2, priceMinor: 1000 }],
      final: 'pending',
    });
    const get = async () => (await request(app).get(`/api/orders/${order.id}`).set('Cookie', asBuyer).expect(200)).body;
    expect(await get()).toMatchObject({ payment: 'paid', refunded: 0 });
    const refund = {
      id: `return-${newId()}`,
      paymentId: newId(),
      orderId: order.id as string,
      userId: buyer.id,
      reason: 'return' as const,
      sourceId: newId(),
      amountMinor: 1000,
      items: [],
      version: 0,
    };
    await applyPaymentRefunded(models.RefundReplica, refund);
    await applyPaymentRefunded(models.RefundReplica, refund); // a redelivery
    expect(await get()).toMatchObject({ payment: 'partially_refunded', refunded: 10 });
    await applyPaymentRefunded(models.RefundReplica, {
      ...refund,
      id: `shipment-cancelled-${shipmentId}`,
      reason: 'shipment-cancelled',
      amountMinor: 1000,
    });
    expect(await get()).toMatchObject({ payment: 'refunded', refunded: 20 });
    const list = await request(app).get('/api/orders').set('Cookie', asBuyer).expect(200);
    expect(list.body.find((o: { id: string }) => o.id === order.id)).toMatchObject({ payment: 'refunded', refunded: 20 });

    const del = await request(app).delete(`/api/orders/${order.id}`).set('Cookie', asBuyer).expect(409);
    expect(del.body.errors[0].message).toMatch(/POST \/api\/shipments\/\{id\}\/cancel/);
  });
});
