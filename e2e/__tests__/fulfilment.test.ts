/**
 * Fulfilment (issue 14) through the local entry only: `node scripts/platform.js` (what `npm start`
 * runs) in a child process with its own nats-server, MongoDB-wire server and data directory, then
 * nothing but HTTP to its one port, as a browser would. Needs every service built (npm run build).
 *
 * Two sellers each list a product; one buyer orders both with a shipping address and pays. shipping
 * splits the paid order into one shipment per seller; the sellers ship, the buyer confirms one
 * delivery, and the other is delivered by the expiration service's timer (SHIPPING_AUTO_DELIVER_SECONDS
 * shortens it). The order's `fulfillment` follows its shipments at every step.
 */
import type { Address, FulfillmentStatus, Order, Shipment } from '@jetmart/common/contracts';
import { eventually } from '@jetmart/common/testing';
import {
  httpClient,
  signUp as signUpAs,
  startLocalPlatform,
  type HttpClient as Client,
  type LocalPlatform,
} from '../support/local-platform';

const AUTO_DELIVER_SECONDS = 3;

let platform: LocalPlatform;

beforeAll(async () => {
  platform = await startLocalPlatform('fulfilment', { SHIPPING_AUTO_DELIVER_SECONDS: String(AUTO_DELIVER_SECONDS) });
}, 180_000);

afterAll(async () => {
  await platform?.stop();
}, 60_000);

afterEach(() => {
  // On failure, what the platform and its services said is the first thing to read.
  const state = expect.getState();
  if (state.suppressedErrors?.length) console.log(`--- platform output\n${platform.output().slice(-6000)}`);
});

const client = () => httpClient(() => platform.baseUrl);
const signUp = (c: Client, email: string) => signUpAs(c, email, 'fulfilment-password');

const address: Address = {
  name: 'Ada Buyer',
  line1: 'Hauptstraße 1',
  line2: 'Hinterhaus',
  city: 'Berlin',
  postalCode: '10115',
  country: 'DE',
};

describe('fulfilment through one port', () => {
  const sellerA = client();
  const sellerB = client();
  const buyer = client();
  const stranger = client();
  const ids = { sellerA: '', sellerB: '', buyer: '' };
  const products = { a: '', b: '' };
  let orderId = '';
  let shipmentA: Shipment;
  let shipmentB: Shipment;

  const order = async () => {
    const res = await buyer<Order>('GET', `/api/orders/${orderId}`);
    expect(res.status).toBe(200);
    return res.body;
  };
  const fulfillmentBecomes = (status: FulfillmentStatus) => eventually(async () => (await order()).fulfillment === status, 30_000, 250);
  const shipment = async (c: Client, id: string) => {
    const res = await c<Shipment>('GET', `/api/shipments/${id}`);
    expect(res.status).toBe(200);
    return res.body;
  };

  it('two sellers list a product each; a buyer orders both with a shipping address and pays', async () => {
    ids.sellerA = await signUp(sellerA, 'seller-a@fulfilment.dev');
    ids.sellerB = await signUp(sellerB, 'seller-b@fulfilment.dev');
    ids.buyer = await signUp(buyer, 'buyer@fulfilment.dev');
    await signUp(stranger, 'stranger@fulfilment.dev');
    const a = await sellerA('POST', '/api/products', { title: 'Walnut desk', price: 120.5, quantity: 4 });
    const b = await sellerB('POST', '/api/products', { title: 'Brass lamp', price: 30, quantity: 10 });
    expect([a.status, b.status]).toEqual([201, 201]);
    products.a = a.body.id;
    products.b = b.body.id;

    const items = [
      { productId: products.a, quantity: 1 },
      { productId: products.b, quantity: 2 },
    ];
    // The address is required: without one nothing is placed.
    const noAddress = await buyer('POST', '/api/orders', { items });
    expect(noAddress.status).toBe(400);
    expect(noAddress.body.errors).toEqual([expect.objectContaining({ field: expect.stringMatching(/^shippingAddress/) })]);

    // orders learns about the products through events: the first attempts may not find them yet.
    const placed = await eventually(
      async () => {
        const res = await buyer<Order>('POST', '/api/orders', { items, shippingAddress: address });
        if (res.status === 404) return undefined;
        expect(res.status).toBe(201);
        return res.body;
      },
      30_000,
      250,
    );
    orderId = placed.id;
    expect(placed).toMatchObject({ status: 'created', total: 180.5, shippingAddress: address, fulfillment: 'unfulfilled' });
    expect(placed.items).toEqual([
      expect.objectContaining({ productId: products.a, sellerId: ids.sellerA, quantity: 1 }),
      expect.objectContaining({ productId: products.b, sellerId: ids.sellerB, quantity: 2 }),
    ]);

    // payments learns about the order through events too.
    const paid = await eventually(
      async () => {
        const res = await buyer('POST', '/api/payments', { orderId, token: 'tok_visa' });
        if (res.status === 404) return undefined;
        return res;
      },
      30_000,
      250,
    );
    expect(paid).toMatchObject({ status: 201, body: { orderId, amount: 180.5 } });
    await eventually(async () => (await order()).status === 'complete', 30_000, 250);
    expect((await order()).fulfillment).toBe('unfulfilled');
  });

  it('the paid order is split into one shipment per seller, each with its seller’s line and the address', async () => {
    const parts = await eventually(
      async () => {
        const res = await buyer<Shipment[]>('GET', `/api/shipments?orderId=${orderId}`);
        expect(res.status).toBe(200);
        return res.body.length === 2 ? res.body : undefined;
      },
      30_000,
      250,
    );
    shipmentA = parts.find((s) => s.sellerId === ids.sellerA)!;
    shipmentB = parts.find((s) => s.sellerId === ids.sellerB)!;
    const expected = (sellerId: string, line: object): Shipment =>
      expect.objectContaining({
        orderId,
        sellerId,
        buyerId: ids.buyer,
        status: 'pending',
        items: [line],
        shippingAddress: address,
        version: 0,
      });
    expect(shipmentA).toEqual(expected(ids.sellerA, { productId: products.a, title: 'Walnut desk', price: 120.5, quantity: 1 }));
    expect(shipmentB).toEqual(expected(ids.sellerB, { productId: products.b, title: 'Brass lamp', price: 30, quantity: 2 }));

    // Each seller sees only their own part: in "to ship" and by order.
    const toShipA = await sellerA<Shipment[]>('GET', '/api/shipments?status=pending');
    expect(toShipA.body.map((s) => s.id)).toEqual([shipmentA.id]);
    const byOrderB = await sellerB<Shipment[]>('GET', `/api/shipments?orderId=${orderId}`);
    expect(byOrderB.body.map((s) => s.id)).toEqual([shipmentB.id]);
    // Anyone else sees nothing of it.
    expect(await stranger('GET', `/api/shipments?orderId=${orderId}`)).toEqual({ status: 200, body: [] });
    expect((await stranger('GET', `/api/shipments/${shipmentA.id}`)).status).toBe(404);
    expect((await sellerA('GET', `/api/shipments/${shipmentB.id}`)).status).toBe(404);
  });

  it('only a shipment’s seller ships it; delivery before shipping is refused', async () => {
    const tracking = { carrier: 'DHL', trackingNumber: 'JJD000390007' };
    expect((await sellerA('POST', `/api/shipments/${shipmentB.id}/ship`, tracking)).status).toBe(404);
    expect((await buyer('POST', `/api/shipments/${shipmentB.id}/ship`, tracking)).status).toBe(404);
    expect((await buyer('POST', `/api/shipments/${shipmentB.id}/deliver`)).status).toBe(409);
    expect((await shipment(buyer, shipmentB.id)).status).toBe('pending');
    expect((await order()).fulfillment).toBe('unfulfilled');
  });

  it('seller B ships (a repeat is 200, other tracking 409): the order is partially shipped', async () => {
    const tracking = { carrier: 'DHL', trackingNumber: 'JJD000390007' };
    const shipped = await sellerB<Shipment>('POST', `/api/shipments/${shipmentB.id}/ship`, tracking);
    expect(shipped).toMatchObject({ status: 200, body: { id: shipmentB.id, status: 'shipped', ...tracking, version: 1 } });
    const again = await sellerB<Shipment>('POST', `/api/shipments/${shipmentB.id}/ship`, tracking);
    expect(again).toMatchObject({ status: 200, body: { status: 'shipped', version: 1 } });
    expect((await sellerB('POST', `/api/shipments/${shipmentB.id}/ship`, { ...tracking, trackingNumber: 'OTHER1' })).status).toBe(409);

    // The buyer sees the tracking on their order's part.
    expect(await shipment(buyer, shipmentB.id)).toMatchObject({ status: 'shipped', ...tracking, shippedAt: expect.any(String) });
    await fulfillmentBecomes('partially_shipped');
  });

  it('the buyer confirms B’s delivery (again: 200): the order is partially delivered', async () => {
    const delivered = await buyer<Shipment>('POST', `/api/shipments/${shipmentB.id}/deliver`);
    expect(delivered).toMatchObject({ status: 200, body: { status: 'delivered', deliveredBy: 'buyer', version: 2 } });
    expect(await buyer<Shipment>('POST', `/api/shipments/${shipmentB.id}/deliver`)).toMatchObject({
      status: 200,
      body: { status: 'delivered', version: 2 },
    });
    // A is still pending, so nothing else can move the order on.
    await fulfillmentBecomes('partially_delivered');
    expect((await shipment(buyer, shipmentA.id)).status).toBe('pending');
  });

  it('seller A ships and nobody confirms: the timer delivers it, and the order is delivered', async () => {
    const shipped = await sellerA<Shipment>('POST', `/api/shipments/${shipmentA.id}/ship`, {
      carrier: 'UPS',
      trackingNumber: '1Z999AA10123456784',
    });
    expect(shipped).toMatchObject({ status: 200, body: { status: 'shipped', version: 1 } });

    const auto = await eventually(
      async () => {
        const s = await shipment(sellerA, shipmentA.id);
        return s.status === 'delivered' ? s : undefined;
      },
      (AUTO_DELIVER_SECONDS + 45) * 1000,
      250,
    );
    expect(auto).toMatchObject({ status: 'delivered', deliveredBy: 'auto', version: 2, carrier: 'UPS' });
    // Not before its time: the timer fires at shippedAt + SHIPPING_AUTO_DELIVER_SECONDS.
    expect(Date.parse(auto.deliveredAt!) - Date.parse(auto.shippedAt!)).toBeGreaterThanOrEqual(AUTO_DELIVER_SECONDS * 1000);
    await fulfillmentBecomes('delivered');

    const final = await order();
    expect(final).toMatchObject({ status: 'complete', fulfillment: 'delivered', shippingAddress: address });
    const parts = (await buyer<Shipment[]>('GET', `/api/shipments?orderId=${orderId}`)).body;
    expect(parts.map((s) => [s.sellerId, s.status, s.deliveredBy]).sort()).toEqual(
      [
        [ids.sellerA, 'delivered', 'auto'],
        [ids.sellerB, 'delivered', 'buyer'],
      ].sort(),
    );
    // Delivered is final: shipping again with other values is refused.
    expect((await sellerA('POST', `/api/shipments/${shipmentA.id}/ship`, { carrier: 'UPS', trackingNumber: 'ELSE' })).status).toBe(409);
  });
});
