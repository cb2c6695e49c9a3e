/**
 * `GET /api/shipments/me/export` (shipping's part of the person's data export): only the caller's
 * own shipments as buyer, never another person's address (not even of the orders the caller
 * sells); hostile query strings change nothing, hostile session cookies get 401. Seeded.
 */
import request from 'supertest';
import type { Address } from '@jetmart/common/contracts';
import { expectHostileCookiesRefused, expectQueryStringsChangeNothing, signinCookie, useTestDatabase } from '@jetmart/common/testing';
import { createShipmentsForOrder } from '../fulfilment';
import { oid, orderCompleted, testApp, testModels } from './support/fixtures';

useTestDatabase({ clearEachTest: false, prefix: 'shipping_export' });
const models = testModels();
const app = testApp();
const RUNS = Number(process.env.HOSTILE_RUNS ?? 200);
const as = (id: string) => signinCookie({ id });

const mineAddress: Address = { name: 'Mina Export', line1: '3 Own Road', city: 'Mytown', postalCode: 'M1 1AA', country: 'GB' };
const otherAddress: Address = {
  name: 'Otto Other',
  line1: '9 Their Street',
  city: 'Theirburg',
  postalCode: '99999',
  country: 'DE',
  phone: '+49 30 1234',
};
const me = oid();
const other = oid();
let myOrders: string[] = [];

beforeAll(async () => {
  await models.Shipment.syncIndexes();
  // Two orders of mine from two sellers; one of the other person's bought from me (I am its seller).
  const a = orderCompleted([oid(), oid()], { userId: me, shippingAddress: mineAddress });
  const b = orderCompleted([oid()], { userId: me, shippingAddress: mineAddress });
  const c = orderCompleted([me], { userId: other, shippingAddress: otherAddress });
  for (const o of [a, b, c]) expect((await createShipmentsForOrder(models, o)).kind).toBe('split');
  myOrders = [a.id, a.id, b.id];
});

const exportOf = (cookie: string, qs = '') => request(app).get(`/api/shipments/me/export${qs}`).set('Cookie', cookie);

it("holds the caller's shipments as buyer with their address, and nothing of anyone else's", async () => {
  const res = await exportOf(as(me));
  expect(res.status).toBe(200);
  expect(res.body.shipments.map((s: { orderId: string }) => s.orderId).sort()).toEqual([...myOrders].sort());
  for (const s of res.body.shipments) expect(s).toMatchObject({ buyerId: me, shippingAddress: mineAddress });
  const text = JSON.stringify(res.body);
  for (const v of Object.values(otherAddress).filter((v) => v !== 'DE')) expect(text).not.toContain(v);
  // The other person's export has their one shipment, and nothing of mine.
  const theirs = await exportOf(as(other));
  expect(theirs.body.shipments).toHaveLength(1);
  expect(JSON.stringify(theirs.body)).not.toContain(mineAddress.line1);
  // Someone with no shipments: an empty part.
  expect((await exportOf(as(oid()))).body).toEqual({ shipments: [] });
});

it('hostile query strings never widen or break the export', () =>
  expectQueryStringsChangeNothing({
    get: exportOf,
    cookie: as(me),
    keys: ['buyerId', 'sellerId', 'buyerId[$ne]', 'status', '__proto__', 'orderId[$gt]'],
    otherId: other,
    seed: 1701,
    runs: RUNS,
  }));

it('hostile session cookies → 401 in the error shape', () => expectHostileCookiesRefused({ get: exportOf, seed: 1702, runs: RUNS }));
