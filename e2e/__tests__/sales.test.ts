/**
 * Sellers' products and sales (issue 18) through the local entry: the platform as `npm start` runs
 * it, HTTP to its one port (so /api/sales reaches orders through the gateway's routes.json).
 *
 * Two sellers (A: $19.99 a unit, B: $5.05), two paid orders (1: A×3 + B×1; 2: A×1 + B×2). The buyer
 * cancels B's part of order 2 before it ships and returns one unit of A's part of order 1, which A
 * receives. Each seller's sales (the read model fed by orders' own order.completed and the
 * shipment and return events), their CSV and their dashboard equal a hand computation. Then A
 * unlists the product: it leaves the catalog and a new order for it gets 409; a relist brings it back.
 */
import type { Order, SaleLine, SalesDashboard, SalesPage, Shipment, ReturnRecord, ProductPage } from '@jetmart/common/contracts';
import { eventually } from '@jetmart/common/testing';
import { httpClient, signUp, startLocalPlatform, type HttpClient, type LocalPlatform } from '../support/local-platform';

let platform: LocalPlatform;
beforeAll(async () => {
  platform = await startLocalPlatform('sales');
}, 180_000);
afterAll(async () => {
  await platform?.stop();
}, 60_000);
afterEach(() => {
  if (expect.getState().suppressedErrors?.length) console.log(`--- platform output\n${platform.output().slice(-6000)}`);
});

const A = 1999;
const B = 505;
const units = (minor: number) => minor / 100;
const B_TITLE = '@Beeswax, "pure"';

describe("sellers' products and sales through one port", () => {
  const base = () => platform.baseUrl;
  const sellerA = httpClient(base);
  const sellerB = httpClient(base);
  const buyer = httpClient(base);
  const ids = { a: '', b: '' };
  const products = { a: '', b: '' };
  const orders: string[] = [];
  const address = { name: 'Ada Buyer', line1: '1 Main St', city: 'Berlin', postalCode: '10115', country: 'DE' };

  const get = async <T>(c: HttpClient, path: string): Promise<T> => {
    const res = await c<T>('GET', path);
    expect(res.status).toBe(200);
    return res.body;
  };
  const sales = (c: HttpClient, qs = '') => get<SalesPage>(c, `/api/sales${qs}`);
  const line = (page: SalesPage, orderId: string) => page.sales.find((s) => s.orderId === orderId);
  const place = (items: { productId: string; quantity: number }[]) =>
    buyer<Order>('POST', '/api/orders', { items, shippingAddress: address });

  it('two sellers list, a buyer places and pays two orders; each seller sees only their own paid lines', async () => {
    ids.a = await signUp(sellerA, 'seller-a@sales.dev');
    ids.b = await signUp(sellerB, 'seller-b@sales.dev');
    await signUp(buyer, 'buyer@sales.dev');
    products.a = (await sellerA('POST', '/api/products', { title: 'Walnut board', price: units(A), quantity: 10 })).body.id;
    products.b = (await sellerB('POST', '/api/products', { title: B_TITLE, price: units(B), quantity: 10 })).body.id;
    for (const [qa, qb] of [
      [3, 1],
      [1, 2],
    ]) {
      const placed = await eventually(
        async () => {
          const res = await place([
            { productId: products.a, quantity: qa },
            { productId: products.b, quantity: qb },
          ]);
          if (res.status === 404) return undefined; // orders has not heard of the products yet
          expect(res.status).toBe(201);
          return res.body;
        },
        30_000,
        250,
      );
      const paid = await eventually(
        async () => {
          const res = await buyer('POST', '/api/payments', { orderId: placed.id, token: 'tok_visa' });
          return res.status === 404 ? undefined : res;
        },
        30_000,
        250,
      );
      expect(paid.status).toBe(201);
      orders.push(placed.id);
    }
    await eventually(async () => (await sales(sellerA)).sales.length === 2 && (await sales(sellerB)).sales.length === 2, 30_000, 250);
    const a = await sales(sellerA);
    expect(a.sales.map((s) => [s.orderId, s.productId, s.quantity, s.price, s.total, s.status, s.buyerCity])).toEqual([
      [orders[1], products.a, 1, 19.99, 19.99, 'paid', 'Berlin'],
      [orders[0], products.a, 3, 19.99, 59.97, 'paid', 'Berlin'],
    ]);
    // Nothing else about the buyer reaches the seller.
    for (const secret of ['Ada Buyer', '1 Main St', '10115', 'buyer@sales.dev']) expect(JSON.stringify(a)).not.toContain(secret);
    expect(await sales(buyer)).toEqual({ sales: [], nextCursor: null });
  });

  it('B’s part of order 2 is cancelled, the others ship and are delivered, one unit of A’s order 1 comes back', async () => {
    const parts = async (orderId: string) =>
      eventually(
        async () => {
          const all = await get<Shipment[]>(buyer, `/api/shipments?orderId=${orderId}`);
          return all.length === 2 ? all : undefined;
        },
        30_000,
        250,
      );
    const [o1, o2] = [await parts(orders[0]), await parts(orders[1])];
    const part = (list: Shipment[], seller: string) => list.find((s) => s.sellerId === seller)!;
    expect((await buyer('POST', `/api/shipments/${part(o2, ids.b).id}/cancel`)).status).toBe(200);
    for (const [seller, p] of [
      [sellerA, part(o1, ids.a)],
      [sellerB, part(o1, ids.b)],
      [sellerA, part(o2, ids.a)],
    ] as const) {
      expect((await seller('POST', `/api/shipments/${p.id}/ship`, { carrier: 'DHL', trackingNumber: `JD${p.id.slice(-6)}` })).status).toBe(
        200,
      );
      expect((await buyer('POST', `/api/shipments/${p.id}/deliver`)).status).toBe(200);
    }
    const requested = await eventually(
      async () => {
        const res = await buyer<ReturnRecord>('POST', `/api/orders/${orders[0]}/returns`, {
          items: [{ productId: products.a, quantity: 1 }],
          reason: 'damaged',
        });
        return res.status === 409 && /deliver/.test(JSON.stringify(res.body)) ? undefined : res;
      },
      30_000,
      250,
    );
    expect(requested.status).toBe(201);
    expect((await sellerA('POST', `/api/returns/${requested.body.id}/approve`)).status).toBe(200);
    expect((await sellerA('POST', `/api/returns/${requested.body.id}/receive`, { restock: false })).status).toBe(200);

    await eventually(
      async () => {
        const [a, b] = [await sales(sellerA), await sales(sellerB)];
        return (
          line(a, orders[0])?.status === 'partially_returned' &&
          line(a, orders[1])?.shipmentStatus === 'delivered' &&
          line(b, orders[0])?.shipmentStatus === 'delivered' &&
          line(b, orders[1])?.status === 'cancelled'
        );
      },
      30_000,
      250,
    );
    const pick = (s: SaleLine) => [s.status, s.shipmentStatus];
    const a = await sales(sellerA);
    expect(pick(line(a, orders[0])!)).toEqual(['partially_returned', 'delivered']);
    expect(pick(line(a, orders[1])!)).toEqual(['paid', 'delivered']);
    const b = await sales(sellerB);
    expect(pick(line(b, orders[0])!)).toEqual(['paid', 'delivered']);
    expect(pick(line(b, orders[1])!)).toEqual(['cancelled', 'cancelled']);
    expect((await sales(sellerB, '?status=cancelled')).sales.map((s) => s.orderId)).toEqual([orders[1]]);
    const paged = await sales(sellerA, '?limit=1');
    expect(paged.sales).toHaveLength(1);
    expect((await sales(sellerA, `?limit=1&cursor=${paged.nextCursor}`)).sales[0].orderId).toBe(orders[0]);
  });

  it('each dashboard equals the hand computation', async () => {
    const today = new Date().toISOString().slice(0, 10);
    // A: order 1 keeps 2 × 19.99 (one returned), order 2 1 × 19.99 → 59.97 over 2 orders; 1 of 4 units returned.
    const a = await get<SalesDashboard>(sellerA, '/api/sales/dashboard?days=7');
    expect(a).toMatchObject({ revenue: 59.97, ordersCount: 2, averageOrderValue: 29.99, returnRate: 0.25 });
    expect(a.topProducts).toEqual([{ productId: products.a, title: 'Walnut board', units: 3, revenue: 59.97 }]);
    expect(a.days).toHaveLength(7);
    expect(a.days[6]).toEqual({ date: today, revenue: 59.97, orders: 2 });
    // B: order 1 keeps 1 × 5.05, order 2's part was cancelled → 5.05 over 2 orders; nothing returned.
    const b = await get<SalesDashboard>(sellerB, '/api/sales/dashboard?days=7');
    expect(b).toMatchObject({ revenue: 5.05, ordersCount: 2, averageOrderValue: 2.53, returnRate: 0 });
    expect(b.topProducts).toEqual([{ productId: products.b, title: B_TITLE, units: 1, revenue: 5.05 }]);
  });

  it('the CSV export through the gateway: every line, quoted, the formula cell neutralised', async () => {
    // A client of its own, to read text rather than JSON with B's session.
    const signin = await fetch(`${base()}/api/users/signin`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ email: 'seller-b@sales.dev', password: 'e2e-test-password' }),
    });
    expect(signin.status).toBe(200);
    const cookie = signin.headers
      .getSetCookie()
      .find((c) => c.startsWith('session='))!
      .split(';')[0];
    const res = await fetch(`${base()}/api/sales?format=csv`, { headers: { Cookie: cookie } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    const rows = (await res.text()).split('\r\n');
    expect(rows[0]).toBe('orderId,productId,title,quantity,price,total,status,shipmentStatus,buyerCity,soldAt');
    expect(rows.slice(1, -1).map((r) => r.replace(/,[^,]*$/, ''))).toEqual([
      `${orders[1]},${products.b},"'@Beeswax, ""pure""",2,5.05,10.1,cancelled,cancelled,Berlin`,
      `${orders[0]},${products.b},"'@Beeswax, ""pure""",1,5.05,5.05,paid,delivered,Berlin`,
    ]);
  });

  it('A unlists the product: out of the catalog, a new order gets 409, live lines unaffected; a relist brings it back', async () => {
    const unlisted = await sellerA('POST', `/api/products/${products.a}/unlist`);
    expect(unlisted.status).toBe(200);
    expect(unlisted.body).toMatchObject({ listed: false });
    expect((await get<ProductPage>(buyer, `/api/products?sellerId=${ids.a}`)).items).toEqual([]);
    const mine = await get<ProductPage>(sellerA, '/api/products/mine');
    expect(mine.items.map((p) => [p.id, p.listed])).toEqual([[products.a, false]]);
    const refused = await eventually(
      async () => {
        const res = await place([{ productId: products.a, quantity: 1 }]);
        return res.status === 409 ? res : undefined;
      },
      30_000,
      250,
    );
    expect(refused.body).toEqual({ errors: [{ message: '"Walnut board" is no longer listed by its seller', field: 'items.0.productId' }] });
    expect((await sellerB('POST', `/api/products/${products.a}/relist`)).status).toBe(403);
    expect((await sellerA('POST', `/api/products/${products.a}/relist`)).body).toMatchObject({ listed: true });
    expect((await get<ProductPage>(buyer, `/api/products?sellerId=${ids.a}`)).items.map((p) => p.id)).toEqual([products.a]);
    expect((await sales(sellerA)).sales).toHaveLength(2);
  });
});
