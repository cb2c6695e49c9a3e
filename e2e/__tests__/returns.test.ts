/**
 * Returns and refunds (issue 15) through the local entry: the platform as `npm start` runs it, and
 * nothing but HTTP to its one port, except at the end: every event of every stream is published
 * once more (a redelivery of everything) and the invariant checker reads the databases.
 *
 * A buyer orders 3 units from seller A and 2 from seller B and pays; cancels B's part before it
 * ships (refunded, B's units back on sale); A ships, the buyer confirms delivery and returns 1 unit
 * as damaged (received without restock) and 1 as changed_mind (received with restock): two refunds,
 * A's stock up by one. Once the return window has closed (RETURN_WINDOW_SECONDS) a request is 409.
 * Every person got each mail about it exactly once (read from the platform's Mailpit), also after
 * every event was delivered again.
 */
import type { Address, Order, Payment, Product, ReturnRecord, Shipment } from '@jetmart/common/contracts';
import { EventBus, createLogger, Streams } from '@jetmart/common';
import { eventually, readStream } from '@jetmart/common/testing';
import { httpClient, signUp, startLocalPlatform, type HttpClient, type LocalPlatform } from '../support/local-platform';

// eslint-disable-next-line @typescript-eslint/no-require-imports -- the checker is a plain CommonJS script of bench/
const { checkInvariants } = require('../../bench/check-invariants.js') as {
  checkInvariants(o: {
    mongo: string;
    log?: (s: string) => void;
  }): Promise<{ violations: { kind: string; detail: string }[]; counts: Record<string, unknown> }>;
};

/** Long enough for two requests right after delivery; the last request waits for it to pass. */
const RETURN_WINDOW_SECONDS = 25;

let platform: LocalPlatform;
beforeAll(async () => {
  platform = await startLocalPlatform('returns', { RETURN_WINDOW_SECONDS: String(RETURN_WINDOW_SECONDS) });
}, 180_000);
afterAll(async () => {
  await platform?.stop();
}, 60_000);
afterEach(() => {
  if (expect.getState().suppressedErrors?.length) console.log(`--- platform output\n${platform.output().slice(-6000)}`);
});

const address: Address = { name: 'Ada Buyer', line1: '1 Main St', city: 'Berlin', postalCode: '10115', country: 'DE' };
const PRICE_A = 40.25;
const PRICE_B = 12.5;

describe('returns and refunds through one port', () => {
  const base = () => platform.baseUrl;
  const sellerA = httpClient(base);
  const sellerB = httpClient(base);
  const buyer = httpClient(base);
  const ids = { sellerA: '', sellerB: '', buyer: '' };
  const products = { a: '', b: '' };
  let orderId = '';
  let partA: Shipment;
  let partB: Shipment;
  const returns: { damaged?: ReturnRecord; changedMind?: ReturnRecord } = {};

  const get = async <T>(c: HttpClient, path: string): Promise<T> => {
    const res = await c<T>('GET', path);
    expect(res.status).toBe(200);
    return res.body;
  };
  const order = () => get<Order>(buyer, `/api/orders/${orderId}`);
  /** The order's payment (the list has one per order, once charged). */
  const payment = async () => {
    const list = await get<Payment[]>(buyer, `/api/payments?orderId=${orderId}`);
    expect(list).toHaveLength(1);
    return list[0];
  };
  const available = async (id: string) => (await get<Product>(buyer, `/api/products/${id}`)).available;
  /** The state everything below must reach, and keep after every event is delivered again. */
  const snapshot = async () => {
    const [o, p, rs, a, b] = await Promise.all([
      order(),
      payment(),
      get<ReturnRecord[]>(buyer, `/api/orders/${orderId}/returns`),
      available(products.a),
      available(products.b),
    ]);
    return {
      payment: o.payment,
      refunded: o.refunded,
      paymentRefunded: p.refunded,
      refunds: p.refunds.map((r) => [r.reason, r.sourceId, r.amount]).sort(),
      returns: rs.map((r) => [r.id, r.status, r.restock]).sort(),
      available: { a, b },
    };
  };

  it('a buyer orders 3 units from seller A and 2 from seller B, and pays', async () => {
    ids.sellerA = await signUp(sellerA, 'seller-a@returns.dev');
    ids.sellerB = await signUp(sellerB, 'seller-b@returns.dev');
    ids.buyer = await signUp(buyer, 'buyer@returns.dev');
    const a = await sellerA('POST', '/api/products', { title: 'Oak stool', price: PRICE_A, quantity: 5 });
    const b = await sellerB('POST', '/api/products', { title: 'Linen towel', price: PRICE_B, quantity: 4 });
    expect([a.status, b.status]).toEqual([201, 201]);
    products.a = a.body.id;
    products.b = b.body.id;
    const items = [
      { productId: products.a, quantity: 3 },
      { productId: products.b, quantity: 2 },
    ];
    const placed = await eventually(
      async () => {
        const res = await buyer<Order>('POST', '/api/orders', { items, shippingAddress: address });
        if (res.status === 404) return undefined; // orders has not heard of the products yet
        expect(res.status).toBe(201);
        return res.body;
      },
      30_000,
      250,
    );
    orderId = placed.id;
    const paid = await eventually(
      async () => {
        const res = await buyer('POST', '/api/payments', { orderId, token: 'tok_visa' });
        return res.status === 404 ? undefined : res;
      },
      30_000,
      250,
    );
    expect(paid.status).toBe(201);
    await eventually(async () => (await order()).status === 'complete', 30_000, 250);
    expect(await order()).toMatchObject({ payment: 'paid', refunded: 0 });
    // An order that is paid is not cancelled as a whole: its parts are, where they are shipped from.
    const whole = await buyer('DELETE', `/api/orders/${orderId}`);
    expect(whole.status).toBe(409);
    expect(whole.body.errors?.[0].message).toMatch(/shipments/);
  });

  it('the buyer cancels B’s part before it ships: B’s lines are refunded and its units are on sale again', async () => {
    const parts = await eventually(
      async () => {
        const list = await get<Shipment[]>(buyer, `/api/shipments?orderId=${orderId}`);
        return list.length === 2 ? list : undefined;
      },
      30_000,
      250,
    );
    partA = parts.find((s) => s.sellerId === ids.sellerA)!;
    partB = parts.find((s) => s.sellerId === ids.sellerB)!;
    // Only the buyer cancels; the seller does not see a cancel button.
    expect((await sellerB('POST', `/api/shipments/${partB.id}/cancel`)).status).toBe(404);
    const cancelled = await buyer<Shipment>('POST', `/api/shipments/${partB.id}/cancel`);
    expect(cancelled).toMatchObject({ status: 200, body: { status: 'cancelled', version: 1 } });
    expect((await buyer<Shipment>('POST', `/api/shipments/${partB.id}/cancel`)).status).toBe(200);
    // A cancelled part cannot be shipped any more.
    expect((await sellerB('POST', `/api/shipments/${partB.id}/ship`, { carrier: 'DHL', trackingNumber: 'X1' })).status).toBe(409);

    await eventually(async () => (await payment()).refunded === 2 * PRICE_B, 30_000, 250);
    expect((await payment()).refunds).toEqual([expect.objectContaining({ reason: 'shipment-cancelled', sourceId: partB.id, amount: 25 })]);
    await eventually(async () => (await available(products.b)) === 4, 30_000, 250);
    await eventually(async () => (await order()).payment === 'partially_refunded', 30_000, 250);
    expect((await order()).refunded).toBe(25);
  });

  it('A ships and the buyer confirms delivery; a shipped part can no longer be cancelled', async () => {
    expect((await sellerA('POST', `/api/shipments/${partA.id}/ship`, { carrier: 'UPS', trackingNumber: '1Z0001' })).status).toBe(200);
    const late = await buyer('POST', `/api/shipments/${partA.id}/cancel`);
    expect(late.status).toBe(409);
    expect(late.body.errors?.[0].message).toMatch(/shipped/);
    const delivered = await buyer<Shipment>('POST', `/api/shipments/${partA.id}/deliver`);
    expect(delivered.body).toMatchObject({ status: 'delivered', returnableUntil: expect.any(String) });
    partA = delivered.body;
    await eventually(async () => (await order()).fulfillment === 'delivered', 30_000, 250);
  });

  it('the buyer returns 1 unit as damaged and 1 as changed_mind; more units than bought, or a line of another part, are refused', async () => {
    // orders learns of the delivery through an event: the first request may find the part not delivered yet.
    const request = (body: object) => buyer<ReturnRecord>('POST', `/api/orders/${orderId}/returns`, body);
    const damaged = await eventually(
      async () => {
        const res = await request({ items: [{ productId: products.a, quantity: 1 }], reason: 'damaged', note: 'leg cracked' });
        return res.status === 409 && /deliver/.test(JSON.stringify(res.body)) ? undefined : res;
      },
      30_000,
      250,
    );
    expect(damaged).toMatchObject({ status: 201, body: { status: 'requested', reason: 'damaged', amount: PRICE_A, shipmentId: partA.id } });
    const changedMind = await request({ items: [{ productId: products.a, quantity: 1 }], reason: 'changed_mind' });
    expect(changedMind.status).toBe(201);
    // 3 bought, 2 in returns: 2 more is too many; a product of the order that is not A's is refused too.
    expect((await request({ items: [{ productId: products.a, quantity: 2 }], reason: 'other' })).status).toBe(409);
    expect((await request({ items: [{ productId: products.b, quantity: 1 }], reason: 'other' })).status).toBeGreaterThanOrEqual(400);
    returns.damaged = damaged.body;
    returns.changedMind = changedMind.body;
  });

  it('seller A approves both and receives them, restocking only the changed_mind one: two refunds, A’s stock up by one', async () => {
    for (const r of [returns.damaged!, returns.changedMind!]) {
      expect((await buyer('POST', `/api/returns/${r.id}/approve`)).status).toBe(404); // the buyer does not decide
      expect((await sellerA<ReturnRecord>('POST', `/api/returns/${r.id}/approve`)).body.status).toBe('approved');
    }
    const toHandle = await get<ReturnRecord[]>(sellerA, '/api/returns?role=seller');
    expect(toHandle.map((r) => r.id).sort()).toEqual([returns.damaged!.id, returns.changedMind!.id].sort());
    expect((await sellerA<ReturnRecord>('POST', `/api/returns/${returns.damaged!.id}/receive`, { restock: false })).body).toMatchObject({
      status: 'received',
      restock: false,
    });
    expect((await sellerA<ReturnRecord>('POST', `/api/returns/${returns.changedMind!.id}/receive`, { restock: true })).body).toMatchObject({
      status: 'received',
      restock: true,
    });

    await eventually(
      async () => {
        const rs = await get<ReturnRecord[]>(buyer, `/api/orders/${orderId}/returns`);
        return rs.length === 2 && rs.every((r) => r.status === 'refunded');
      },
      30_000,
      250,
    );
    const p = await payment();
    // B's two lines, then one unit of A per return: the sum of the refunds is exactly those lines.
    expect(p.refunded).toBeCloseTo(2 * PRICE_B + 2 * PRICE_A, 2);
    expect(p.refunds.map((r) => [r.reason, r.sourceId, r.amount]).sort()).toEqual(
      [
        ['shipment-cancelled', partB.id, 2 * PRICE_B],
        ['return', returns.damaged!.id, PRICE_A],
        ['return', returns.changedMind!.id, PRICE_A],
      ].sort(),
    );
    // 5 listed, 3 sold, 1 back on sale.
    await eventually(async () => (await available(products.a)) === 3, 30_000, 250);
    expect(await order()).toMatchObject({ payment: 'partially_refunded', refunded: 2 * PRICE_B + 2 * PRICE_A });
  });

  it('repeating every request changes nothing', async () => {
    const before = await snapshot();
    expect((await sellerA('POST', `/api/returns/${returns.changedMind!.id}/receive`, { restock: true })).status).toBe(200);
    // Approving again repeats a step that was taken (200, nothing changes); rejecting now is refused.
    expect(await sellerA<ReturnRecord>('POST', `/api/returns/${returns.damaged!.id}/approve`)).toMatchObject({
      status: 200,
      body: { status: 'refunded' },
    });
    expect((await sellerA('POST', `/api/returns/${returns.damaged!.id}/reject`, { message: 'too late' })).status).toBe(409);
    expect((await buyer('POST', `/api/returns/${returns.damaged!.id}/cancel`)).status).toBe(409); // decided: too late to withdraw
    expect((await buyer('POST', `/api/shipments/${partB.id}/cancel`)).status).toBe(200);
    expect(await snapshot()).toEqual(before);
  });

  it('delivering every event of every stream again changes nothing', async () => {
    const before = await snapshot();
    const bus = await EventBus.connect({ servers: platform.natsUrl, name: 'e2e-replay', logger: createLogger('e2e', { level: 'silent' }) });
    let replayed = 0;
    try {
      for (const stream of Object.values(Streams)) {
        if (stream.name === Streams.deadLetter.name) continue;
        for (const m of await readStream(bus, stream.name)) {
          // Another message id, so the stream keeps it: to the consumers it is the same event again.
          await bus.js.publish(m.subject, m.data, { msgID: `replay-${stream.name}-${m.seq}` });
          replayed++;
        }
      }
    } finally {
      await bus.drain();
    }
    expect(replayed).toBeGreaterThan(20);
    // Let the replays be handled: each consumer has nothing pending once they are.
    await new Promise((r) => setTimeout(r, 5_000));
    await eventually(async () => JSON.stringify(await snapshot()) === JSON.stringify(before), 30_000, 500).catch(() => undefined);
    expect(await snapshot()).toEqual(before);
  });

  it('once the return window has closed, a request is refused with 409', async () => {
    const closesAt = Date.parse(partA.returnableUntil!);
    await eventually(
      async () => {
        if (Date.now() < closesAt) return undefined;
        const res = await buyer('POST', `/api/orders/${orderId}/returns`, {
          items: [{ productId: products.a, quantity: 1 }],
          reason: 'other',
        });
        expect(res.status).not.toBe(201);
        return res.status === 409 && /window/i.test(JSON.stringify(res.body)) ? res : undefined;
      },
      (RETURN_WINDOW_SECONDS + 60) * 1000,
      500,
    );
  });

  it('each person got each mail once, even after every event was delivered again', async () => {
    const webUi = /Mailpit web UI (http:\/\/[^\s]+)/.exec(platform.output())?.[1];
    expect(webUi).toBeDefined();
    const mailboxes = async () => {
      const res = await fetch(`${webUi}/api/v1/messages?limit=0`);
      const body = (await res.json()) as { messages: { To: { Address: string }[]; Subject: string }[] };
      const by: Record<string, string[]> = {};
      for (const m of body.messages) for (const to of m.To) (by[to.Address] ??= []).push(m.Subject);
      for (const list of Object.values(by)) list.sort();
      return by;
    };
    const expected: Record<string, RegExp[]> = {
      // Every account's sign-up mails it the link that confirms its address (issue 17).
      'buyer@returns.dev': [
        /^Confirm your email address$/,
        /confirmed/,
        /^Payment received/,
        /^Refund of .*25\.00 for order/, // B's cancelled part
        /has shipped/,
        /was delivered/,
        /return .* was approved/,
        /return .* was approved/,
        /^Refund of .*40\.25 for your return/,
        /^Refund of .*40\.25 for your return/,
      ],
      'seller-a@returns.dev': [/^Confirm your email address$/, /^You sold 3 items/, /^Return requested/, /^Return requested/],
      'seller-b@returns.dev': [/^Confirm your email address$/, /^You sold 2 items/],
    };
    const total = Object.values(expected).reduce((n, l) => n + l.length, 0);
    await eventually(async () => Object.values(await mailboxes()).flat().length >= total, 60_000, 500);
    // Anything still on its way (a second copy) would show within a few seconds.
    await new Promise((r) => setTimeout(r, 5_000));
    const got = await mailboxes();
    expect(Object.keys(got).sort()).toEqual(Object.keys(expected).sort());
    for (const [to, patterns] of Object.entries(expected)) {
      const subjects = [...got[to]];
      expect(subjects).toHaveLength(patterns.length);
      for (const p of patterns) {
        const i = subjects.findIndex((x) => p.test(x));
        expect({ to, missing: i < 0 ? String(p) : undefined, subjects: got[to] }).toEqual({ to, missing: undefined, subjects: got[to] });
        subjects.splice(i, 1);
      }
    }
  });

  it('the invariant checker finds nothing wrong', async () => {
    const lines: string[] = [];
    const { violations, counts } = await checkInvariants({ mongo: platform.mongoUrl, log: (s) => lines.push(s) });
    if (violations.length) console.log(lines.join('\n'));
    expect(violations).toEqual([]);
    // It read what this run made: 3 refunds, 2 returns, B's 2 units and 1 of A's back on sale.
    expect(counts).toMatchObject({
      refunds: 3,
      returns: 2,
      unitsRestocked: 3,
      refundedMinor: Math.round((2 * PRICE_B + 2 * PRICE_A) * 100),
    });
  });
});
