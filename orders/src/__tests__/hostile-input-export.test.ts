/**
 * `GET /api/orders/me/export` (orders' part of the person's data export): the caller's orders as
 * buyer, with their address and derived states, and the returns they asked for (their notes);
 * never another person's order, address, return or note (not even of the caller's sales); hostile
 * query strings change nothing, hostile session cookies get 401. Seeded.
 */
import request from 'supertest';
import { expectHostileCookiesRefused, expectQueryStringsChangeNothing, signinCookie, useTestDatabase } from '@jetmart/common/testing';
import { requestReturn } from '../returns';
import { newId, paidOrderWithShipment, placed, seedProduct, syncIndexes, testAddress, testApp } from './helpers';

const { connection } = useTestDatabase({ clearEachTest: false, prefix: 'orders_export' });
const { app, models } = testApp(connection);
const RUNS = Number(process.env.HOSTILE_RUNS ?? 200);
const as = (id: string) => signinCookie({ id });

const me = newId();
const other = newId();
const mine = testAddress({ name: 'Mina Export', line1: '3 Own Road', line2: 'Top floor', city: 'Mytown', phone: '+44 1 111' });
const theirs = testAddress({ name: 'Otto Other', line1: '9 Their Street', line2: 'Back door', city: 'Theirburg', phone: '+49 30 999' });
let paidId = '';
let openId = '';

beforeAll(async () => {
  await syncIndexes(models);
  // Mine: a paid and delivered order with a return (and a note), and an unpaid one.
  const paid = await paidOrderWithShipment(models, me);
  paidId = paid.order.id as string;
  await models.Order.updateOne({ _id: paidId }, { $set: { shippingAddress: mine } });
  const asked = await requestReturn(
    { models },
    {
      orderId: paidId,
      buyerId: me,
      items: [{ productId: paid.products[0].id, quantity: 1 }],
      reason: 'damaged',
      note: 'Mina says: cracked',
    },
  );
  expect(asked.kind).toBe('requested');
  const product = await seedProduct(models, { userId: newId() });
  openId = (await placed(models, me, [{ productId: product.id, quantity: 1 }], 900, mine)).id as string;
  // The other person's order bought from me (I am its seller), returned with their note.
  const sold = await paidOrderWithShipment(models, other, { sellerId: me });
  await models.Order.updateOne({ _id: sold.order.id }, { $set: { shippingAddress: theirs } });
  const theirReturn = await requestReturn(
    { models },
    {
      orderId: sold.order.id as string,
      buyerId: other,
      items: [{ productId: sold.products[0].id, quantity: 1 }],
      reason: 'other',
      note: 'Otto says: wrong colour',
    },
  );
  expect(theirReturn.kind).toBe('requested');
});

const exportOf = (cookie: string, qs = '') => request(app).get(`/api/orders/me/export${qs}`).set('Cookie', cookie);

it("holds the caller's orders (address, fulfilment, payment) and returns, and nothing of anyone else's", async () => {
  const res = await exportOf(as(me));
  expect(res.status).toBe(200);
  expect(res.body.orders.map((o: { id: string }) => o.id)).toEqual([paidId, openId]);
  expect(res.body.orders[0]).toMatchObject({
    userId: me,
    status: 'complete',
    fulfillment: 'delivered',
    payment: 'paid',
    shippingAddress: mine,
  });
  expect(res.body.orders[1]).toMatchObject({ status: 'created', shippingAddress: mine });
  expect(res.body.returns).toHaveLength(1);
  expect(res.body.returns[0]).toMatchObject({ orderId: paidId, buyerId: me, note: 'Mina says: cracked' });
  const text = JSON.stringify(res.body);
  for (const v of [theirs.name, theirs.line1, theirs.line2!, theirs.city, theirs.phone!, 'Otto says']) expect(text).not.toContain(v);
  expect(JSON.stringify((await exportOf(as(other))).body)).not.toContain('Mina');
  expect((await exportOf(as(newId()))).body).toEqual({ orders: [], returns: [] });
});

it('hostile query strings never widen or break the export', () =>
  expectQueryStringsChangeNothing({
    get: exportOf,
    cookie: as(me),
    keys: ['userId', 'buyerId', 'userId[$ne]', 'status', '__proto__', 'sellerId[$gt]'],
    otherId: other,
    seed: 1711,
    runs: RUNS,
  }));

it('hostile session cookies → 401 in the error shape', () => expectHostileCookiesRefused({ get: exportOf, seed: 1712, runs: RUNS }));
