/**
 * "Gone means gone" (SPEC invariant 13, issue 17) through the local entry: the platform as
 * `npm start` runs it, and nothing but HTTP to its one port, except for the checks that read its
 * databases as an operator's tool would (bench/lib/check-forgotten.js and the invariant checker).
 *
 * A person with a display name and an address-book entry buys from one seller across three orders:
 * one shipped, delivered and partly returned (refunded), one paid and not shipped yet, one never
 * paid. Their export holds all of it (and the seller's holds none of it). Then they delete their
 * account: every database of every service is scanned (every collection, every string) for their
 * email, name and address strings and none is found; their unshipped part is cancelled and
 * refunded, the unpaid order cancelled; their session is refused; the sellers' books still balance.
 * The JetStream streams still hold the old events for their retention period (not scanned: see
 * docs/SPEC.md, "Export and erasure").
 */
import { MongoClient, ObjectId } from 'mongodb';
import type { AccountExport, Address, Order, ReturnRecord, SavedAddress, Shipment } from '@jetmart/common/contracts';
import { eventually } from '@jetmart/common/testing';
import { httpClient, signUp, startLocalPlatform, type HttpClient, type LocalPlatform } from '../support/local-platform';

/* eslint-disable @typescript-eslint/no-require-imports -- the checkers are plain CommonJS scripts of bench/ */
const { findPersonalData } = require('../../bench/lib/check-forgotten.js') as {
  findPersonalData(
    client: MongoClient,
    needles: string[],
  ): Promise<{ database: string; collection: string; id: string; path: string; needle: string }[]>;
};
const { checkInvariants } = require('../../bench/check-invariants.js') as {
  checkInvariants(o: {
    mongo: string;
    forgotten?: string[];
    log?: (s: string) => void;
  }): Promise<{ violations: { kind: string; detail: string }[]; counts: Record<string, unknown> }>;
};
/* eslint-enable @typescript-eslint/no-require-imports -- only the two checkers above */

let platform: LocalPlatform;
let mongo: MongoClient;
beforeAll(async () => {
  platform = await startLocalPlatform('erasure');
  mongo = await MongoClient.connect(platform.mongoUrl);
}, 180_000);
afterAll(async () => {
  await mongo?.close();
  await platform?.stop();
}, 60_000);
afterEach(() => {
  if (expect.getState().suppressedErrors?.length) console.log(`--- platform output\n${platform.output().slice(-6000)}`);
});

const PASSWORD = 'e2e-test-password';
const EMAIL = 'gwendolyn.forgetme@erasure.dev';
const DISPLAY_NAME = 'Gwendolyn Forgetme';
const address: Address = {
  name: 'Gwendolyn Q. Forgetme',
  line1: '17 Forgetful Lane',
  line2: 'Attic Flat Nine',
  city: 'Oblivion Springs',
  postalCode: 'OB1 4GN',
  country: 'GB',
  phone: '+44 20 7946 0999',
};
/** What must be gone: the email, the display name, every address field but the country. */
const NEEDLES = [EMAIL, DISPLAY_NAME, address.name, address.line1, address.line2!, address.city, address.postalCode, address.phone!];

describe('a deleted account leaves nothing personal in any database', () => {
  const base = () => platform.baseUrl;
  const seller = httpClient(base);
  const buyer = httpClient(base);
  const ids = { seller: '', buyer: '' };
  const products = { lamp: '', rug: '' };
  const orders = { delivered: '', pending: '', unpaid: '' };
  let deliveredPart: Shipment;
  let pendingPart: Shipment;
  let exported: AccountExport;

  const get = async <T>(c: HttpClient, path: string): Promise<T> => {
    const res = await c<T>('GET', path);
    expect(res.status).toBe(200);
    return res.body;
  };
  const place = async (items: { productId: string; quantity: number }[]) =>
    eventually(
      async () => {
        const res = await buyer<Order>('POST', '/api/orders', { items, shippingAddress: address });
        if (res.status === 404) return undefined; // orders has not heard of the products yet
        expect(res.status).toBe(201);
        return res.body.id;
      },
      30_000,
      250,
    );
  const pay = async (orderId: string) => {
    const paid = await eventually(
      async () => {
        const res = await buyer('POST', '/api/payments', { orderId, token: 'tok_visa' });
        return res.status === 404 ? undefined : res;
      },
      30_000,
      250,
    );
    expect(paid.status).toBe(201);
    await eventually(async () => (await get<Order>(buyer, `/api/orders/${orderId}`)).status === 'complete', 30_000, 250);
  };
  const partOf = (orderId: string) =>
    eventually(
      async () => {
        const list = await get<Shipment[]>(buyer, `/api/shipments?orderId=${orderId}`);
        return list.length === 1 ? list[0] : undefined;
      },
      30_000,
      250,
    );
  const scan = () => findPersonalData(mongo, NEEDLES);

  it('a person with a name and an address book buys from a seller across three orders', async () => {
    ids.seller = await signUp(seller, 'seller@erasure.dev');
    ids.buyer = await signUp(buyer, EMAIL, PASSWORD);
    expect((await buyer('PATCH', '/api/users/me', { displayName: DISPLAY_NAME })).status).toBe(200);
    expect((await buyer<SavedAddress>('POST', '/api/users/me/addresses', address)).status).toBe(201);
    const lamp = await seller('POST', '/api/products', { title: 'Brass lamp', price: 30, quantity: 5 });
    const rug = await seller('POST', '/api/products', { title: 'Wool rug', price: 80, quantity: 2 });
    expect([lamp.status, rug.status]).toEqual([201, 201]);
    products.lamp = lamp.body.id;
    products.rug = rug.body.id;

    orders.delivered = await place([{ productId: products.lamp, quantity: 2 }]);
    await pay(orders.delivered);
    orders.pending = await place([{ productId: products.rug, quantity: 1 }]);
    await pay(orders.pending);
    orders.unpaid = await place([{ productId: products.lamp, quantity: 1 }]);
    deliveredPart = await partOf(orders.delivered);
    pendingPart = await partOf(orders.pending);
    expect(deliveredPart.shippingAddress).toEqual(address);
  });

  it('one part is shipped and delivered, and one unit of it returned and refunded', async () => {
    const shipped = await seller<Shipment>('POST', `/api/shipments/${deliveredPart.id}/ship`, {
      carrier: 'DHL',
      trackingNumber: 'JD014600',
    });
    expect(shipped.status).toBe(200);
    expect((await buyer<Shipment>('POST', `/api/shipments/${deliveredPart.id}/deliver`)).body.status).toBe('delivered');
    const asked = await eventually(
      async () => {
        const res = await buyer<ReturnRecord>('POST', `/api/orders/${orders.delivered}/returns`, {
          items: [{ productId: products.lamp, quantity: 1 }],
          reason: 'damaged',
          note: 'the shade arrived dented',
        });
        return res.status === 409 && /deliver/.test(JSON.stringify(res.body)) ? undefined : res;
      },
      30_000,
      250,
    );
    expect(asked.status).toBe(201);
    expect((await seller<ReturnRecord>('POST', `/api/returns/${asked.body.id}/approve`)).body.status).toBe('approved');
    expect((await seller<ReturnRecord>('POST', `/api/returns/${asked.body.id}/receive`, { restock: true })).body.status).toBe('received');
    await eventually(
      async () => (await get<ReturnRecord[]>(buyer, `/api/orders/${orders.delivered}/returns`))[0]?.status === 'refunded',
      30_000,
      250,
    );
  });

  it('the export holds everything about the person, from every service; the seller’s holds none of it', async () => {
    // Notifications are written from events: wait until the last fact (the refund) is in the feed.
    exported = await eventually(
      async () => {
        const res = await buyer<AccountExport>('GET', '/api/users/me/export');
        expect(res.status).toBe(200);
        return res.body.notifications.some((n) => n.kind === 'return.refunded' && n.channel === 'in-app') ? res.body : undefined;
      },
      30_000,
      500,
    );
    expect(exported.user).toMatchObject({ id: ids.buyer, email: EMAIL, displayName: DISPLAY_NAME });
    expect(exported.addresses).toEqual([{ id: expect.any(String), ...address }]);
    expect(exported.orders.map((o) => o.id).sort()).toEqual(Object.values(orders).sort());
    for (const o of exported.orders) expect(o.shippingAddress).toEqual(address);
    expect(exported.returns).toEqual([expect.objectContaining({ orderId: orders.delivered, note: 'the shade arrived dented' })]);
    expect(exported.shipments.map((s) => s.id).sort()).toEqual([deliveredPart.id, pendingPart.id].sort());
    expect(exported.payments.map((p) => [p.orderId, p.status]).sort()).toEqual(
      [
        [orders.delivered, 'succeeded'],
        [orders.pending, 'succeeded'],
      ].sort(),
    );
    expect(exported.refunds).toEqual([expect.objectContaining({ reason: 'return', orderId: orders.delivered, amount: 30 })]);
    expect(exported.products).toEqual([]);
    expect(exported.notificationContact).toEqual({ email: EMAIL, displayName: DISPLAY_NAME });
    expect(exported.notifications.some((n) => n.channel === 'email' && n.to === EMAIL)).toBe(true);
    const text = JSON.stringify(exported);
    for (const n of NEEDLES) expect(text).toContain(n);

    const sellers = await seller<AccountExport>('GET', '/api/users/me/export');
    expect(sellers.status).toBe(200);
    expect(sellers.body.products.map((p) => p.id).sort()).toEqual([products.lamp, products.rug].sort());
    for (const n of NEEDLES) expect(JSON.stringify(sellers.body)).not.toContain(n);
  });

  it('before deletion the scan finds the person in the databases (it can see them)', async () => {
    const hits = await scan();
    const where = new Set(hits.map((h) => h.database));
    for (const db of ['jetmart_auth', 'jetmart_orders', 'jetmart_shipping', 'jetmart_notifications']) expect(where).toContain(db);
  });

  it('after DELETE /api/users/me no database of any service holds their email, name or address', async () => {
    expect((await buyer('DELETE', '/api/users/me', { password: 'not the password' })).status).toBe(401);
    expect((await buyer('DELETE', '/api/users/me', { password: PASSWORD })).status).toBe(204);

    let hits: Awaited<ReturnType<typeof scan>> = [];
    const gone = await eventually(
      async () => {
        hits = await scan();
        return hits.length === 0 ? true : undefined;
      },
      60_000,
      1_000,
    ).catch(() => false);
    if (!gone) console.log(JSON.stringify(hits, null, 2));
    expect(hits).toEqual([]);

    // Their session is refused everywhere, the export included.
    expect((await buyer('GET', '/api/users/me/export')).status).toBe(401);
    expect((await buyer('GET', '/api/orders')).status).toBe(401);
  });

  it('the unshipped part is cancelled and refunded, the unpaid order cancelled; the seller keeps anonymous records', async () => {
    const sellerView = await eventually(
      async () => {
        const list = await get<Shipment[]>(seller, '/api/shipments');
        const pending = list.find((s) => s.id === pendingPart.id);
        return pending?.status === 'cancelled' ? list : undefined;
      },
      30_000,
      500,
    );
    for (const s of sellerView)
      expect(s.shippingAddress).toEqual({ name: 'deleted user', line1: '-', city: '-', postalCode: '-', country: 'GB' });
    expect(sellerView.find((s) => s.id === deliveredPart.id)).toMatchObject({
      status: 'delivered',
      carrier: 'DHL',
      trackingNumber: 'JD014600',
    });
    // The refund of the cancelled part reached payments (read as the checker reads it).
    await eventually(
      async () => {
        const p = await mongo.db('jetmart_payments').collection('payments').findOne({ orderId: orders.pending });
        return p?.refundedMinor === 8000;
      },
      30_000,
      500,
    );
    await eventually(
      async () =>
        (
          await mongo
            .db('jetmart_orders')
            .collection('orders')
            .findOne({ _id: new ObjectId(orders.unpaid) })
        )?.status === 'cancelled',
      30_000,
      500,
    );
  });

  it('the invariant checker finds nothing wrong: the books balance and the person is forgotten', async () => {
    const lines: string[] = [];
    const run = () => checkInvariants({ mongo: platform.mongoUrl, forgotten: NEEDLES, log: (s) => lines.push(s) });
    const { violations, counts } = await run();
    if (violations.length) console.log(lines.join('\n'));
    expect(violations).toEqual([]);
    expect(counts).toMatchObject({ forgottenStringsFound: 0, refunds: 2 });
  });
});
