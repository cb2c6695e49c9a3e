/**
 * Hostile input at the sales routes (SPEC invariant 6): hostile query strings (operators, repeated
 * and bracketed keys, unicode, long strings, weird numbers, forged cursors) and session cookies.
 * Every answer is 200, 400 or 401 (never 5xx), errors in the documented shape, and a 200 only ever
 * shows the caller's own lines. Reading changes nothing. Seeded, so a failure reproduces.
 */
import fc from 'fast-check';
import request from 'supertest';
import {
  expectErrorShape,
  expectNever5xx,
  hostileCookie,
  percentEncode,
  signinCookie,
  snapshotModels,
  useTestDatabase,
  weirdNumber,
  weirdString,
} from '@jetmart/common/testing';
import { insertSaleLine } from '../models';
import { newId, syncIndexes, testApp } from './helpers';

const { connection } = useTestDatabase({ clearEachTest: false, prefix: 'orders_hostile_sales' });
const { app, models } = testApp(connection);
const seller = { id: newId() };
const other = newId();

beforeAll(async () => {
  await syncIndexes(models);
  for (const [i, sellerId] of [seller.id, seller.id, other].entries()) {
    await insertSaleLine(models.SaleLine, {
      orderId: newId(),
      productId: newId(),
      sellerId,
      title: `Line ${i}`,
      quantity: 1,
      priceMinor: 100,
      soldAt: new Date(Date.UTC(2026, 5, 1 + i)),
      buyerCity: 'Rome',
    });
  }
});

const RUNS = Number(process.env.HOSTILE_RUNS ?? 200);
const params = (seed: number) => ({ numRuns: RUNS, seed });
const forgedCursor = fc
  .tuple(
    fc.oneof(fc.integer(), weirdNumber.map(String)),
    fc.oneof(
      weirdString.filter((v) => v.length < 300),
      fc.constant(`${other}:x`),
    ),
  )
  .map(([t, id]) => Buffer.from(`${t}|${id}`).toString('base64url'));
const value = fc.oneof(
  weirdString.filter((v) => v.length < 500),
  fc.constantFrom('paid', 'returned', 'csv', 'json', '2026-06-01', '2026-13-01', '', '[$ne]=x', 'true'),
  weirdNumber.map(String),
  forgedCursor,
);
const keys = fc.constantFrom('from', 'to', 'status', 'cursor', 'limit', 'format', 'sellerId', 'status[$ne]', 'from[]', '$where', 'days');

function queryString(pairs: [string, string][]): string {
  return pairs.map(([k, v]) => `${percentEncode(k)}=${percentEncode(v)}`).join('&');
}

describe("sales: hostile input never answers 5xx and shows only the caller's lines", () => {
  it('GET /api/sales (JSON and CSV) with hostile query strings → 200 or 400', async () => {
    const before = await snapshotModels(models);
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(keys, value), { maxLength: 5 }), async (pairs) => {
        const res = await request(app)
          .get(`/api/sales?${queryString(pairs)}`)
          .set('Cookie', signinCookie(seller));
        expectNever5xx(res);
        expect([200, 400]).toContain(res.status);
        if (res.status >= 400) expectErrorShape(res);
        else if (/^text\/csv/.test(String(res.headers['content-type']))) expect(res.text).not.toContain(other);
        else for (const s of res.body.sales) expect(s.title).not.toBe('Line 2');
      }),
      params(1801),
    );
    expect(await snapshotModels(models)).toEqual(before);
  });

  it("GET /api/sales/dashboard with hostile query strings → 200 or 400; the figures are the caller's", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(keys, value), { maxLength: 4 }), async (pairs) => {
        const res = await request(app)
          .get(`/api/sales/dashboard?${queryString(pairs)}`)
          .set('Cookie', signinCookie(seller));
        expectNever5xx(res);
        expect([200, 400]).toContain(res.status);
        if (res.status >= 400) expectErrorShape(res);
        else expect(JSON.stringify(res.body)).not.toContain(other);
      }),
      params(1802),
    );
  });

  it('hostile session cookies are treated as signed out (401), never 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(
        hostileCookie,
        fc.constantFrom('/api/sales', '/api/sales?format=csv', '/api/sales/dashboard'),
        async (cookie, path) => {
          const res = await request(app).get(path).set('Cookie', cookie);
          expect(res.status).toBe(401);
          expectErrorShape(res);
        },
      ),
      params(1803),
    );
  });
});
