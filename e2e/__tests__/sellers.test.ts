/**
 * Sellers' money (issue 18, SPEC invariant 11) through the local entry: the platform as `npm start`
 * runs it, HTTP to its one port, the mails from its Mailpit, and the invariant checker over the
 * databases at the end.
 *
 * Two sellers (A: $19.99 a unit, B: $5.05), two paid orders (1: A×3 + B×1; 2: A×1 + B×2). The buyer
 * cancels B's part of order 2 before it ships (refunded) and returns one unit of A's part of order 1
 * (refunded). Each seller's ledger and balance equal a hand computation at 10% commission; once
 * the (short) return windows close everything is available, and a payout moves exactly that.
 */
import type { Order, Shipment, ReturnRecord } from '@jetmart/common/contracts';
import type { Ledger, Payout } from '@jetmart/common/contracts';
import { eventually } from '@jetmart/common/testing';
import { httpClient, signUp, startLocalPlatform, type HttpClient, type LocalPlatform } from '../support/local-platform';

// eslint-disable-next-line @typescript-eslint/no-require-imports -- the checker is a plain CommonJS script of bench/
const { checkInvariants } = require('../../bench/check-invariants.js') as {
  checkInvariants(o: {
    mongo: string;
    log?: (s: string) => void;
  }): Promise<{ violations: { kind: string; detail: string }[]; counts: Record<string, unknown> }>;
};

const RETURN_WINDOW_SECONDS = 25;
const ADMIN = 'boss@sellers.dev';

let platform: LocalPlatform;
beforeAll(async () => {
  platform = await startLocalPlatform('sellers', { RETURN_WINDOW_SECONDS: String(RETURN_WINDOW_SECONDS), ADMIN_EMAILS: ADMIN });
  mailpit();
}, 180_000);
afterAll(async () => {
  await platform?.stop();
}, 60_000);
afterEach(() => {
  if (expect.getState().suppressedErrors?.length) console.log(`--- platform output\n${platform.output().slice(-6000)}`);
});

interface MailSummary {
  ID: string;
  To: { Address: string }[] | null;
  Subject: string;
}
// Read once from the ready block: the platform keeps only the tail of its output.
let mailpitUrl = '';
const mailpit = () => (mailpitUrl ||= /Mailpit web UI (http:\/\/127\.0\.0\.1:\d+)/.exec(platform.output())![1]);
/** The mails to `to` whose subject matches, once at least `n` have arrived. */
async function mailsTo(to: string, subject: RegExp, n = 1): Promise<MailSummary[]> {
  return eventually(
    async () => {
      const list = (await (await fetch(`${mailpit()}/api/v1/messages?limit=0`)).json()) as { messages: MailSummary[] };
      const mine = list.messages.filter((m) => subject.test(m.Subject) && m.To?.some((t) => t.Address === to));
      return mine.length >= n ? mine : undefined;
    },
    60_000,
    250,
  );
}
/** Opens the verification link auth mailed at sign-up (the session is re-issued verified). */
async function verify(c: HttpClient, email: string) {
  const [mail] = await mailsTo(email, /^Confirm your email address$/);
  const text = ((await (await fetch(`${mailpit()}/api/v1/message/${mail.ID}`)).json()) as { Text: string }).Text;
  const token = new URL(/https?:\/\/\S+\/verify-email\?token=[A-Za-z0-9_%-]+/.exec(text)![0]).searchParams.get('token');
  expect((await c('POST', '/api/users/verify-email', { token })).status).toBe(200);
}

// Hand computation (minor units, 10%): commission = round(gross / 10); a refund of k of n units gives back floor(commission × k / n).
const A = 1999;
const B = 505;
const HAND = {
  // Order 1: A×3 (5997, commission 600, net 5397); order 2: A×1 (1999, 200, 1799); return of 1 unit of order 1 (−1999, −200, −1799).
  a: { sales: [5397, 1799], refunds: [-1799], commission: 600 + 200 - 200, net: 5397 + 1799 - 1799 },
  // Order 1: B×1 (505, 51, 454); order 2: B×2 (1010, 101, 909), its part cancelled (−1010, −101, −909).
  b: { sales: [454, 909], refunds: [-909], commission: 51 + 101 - 101, net: 454 + 909 - 909 },
};
const units = (minor: number) => minor / 100;

describe("sellers' ledger and payouts through one port", () => {
  const base = () => platform.baseUrl;
  const sellerA = httpClient(base);
  const sellerB = httpClient(base);
  const buyer = httpClient(base);
  const admin = httpClient(base);
  const ids = { a: '', b: '' };
  const products = { a: '', b: '' };
  const orders: string[] = [];
  const parts: Record<string, Shipment> = {};

  const get = async <T>(c: HttpClient, path: string): Promise<T> => {
    const res = await c<T>('GET', path);
    expect(res.status).toBe(200);
    return res.body;
  };
  const ledger = (c: HttpClient) => get<Ledger>(c, '/api/sellers/me/ledger');
  const balance = async (c: HttpClient) => (await ledger(c)).balance;
  const order = (id: string) => get<Order>(buyer, `/api/orders/${id}`);

  it('two sellers list, a buyer places and pays two orders; every sold line is pending on its seller’s ledger', async () => {
    ids.a = await signUp(sellerA, 'seller-a@sellers.dev');
    ids.b = await signUp(sellerB, 'seller-b@sellers.dev');
    await signUp(buyer, 'buyer@sellers.dev');
    await signUp(admin, ADMIN);
    const a = await sellerA('POST', '/api/products', { title: 'Walnut board', price: units(A), quantity: 10 });
    const b = await sellerB('POST', '/api/products', { title: 'Beeswax', price: units(B), quantity: 10 });
    expect([a.status, b.status]).toEqual([201, 201]);
    products.a = a.body.id;
    products.b = b.body.id;
    const address = { name: 'Ada Buyer', line1: '1 Main St', city: 'Berlin', postalCode: '10115', country: 'DE' };
    for (const [qa, qb] of [
      [3, 1],
      [1, 2],
    ]) {
      const items = [
        { productId: products.a, quantity: qa },
        { productId: products.b, quantity: qb },
      ];
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
    for (const id of orders) await eventually(async () => (await order(id)).status === 'complete', 30_000, 250);

    await eventually(async () => (await ledger(sellerA)).entries.length === 2 && (await ledger(sellerB)).entries.length === 2, 30_000, 250);
    expect(await balance(sellerA)).toEqual({ pending: units(5397 + 1799), available: 0, paidOut: 0 });
    expect(await balance(sellerB)).toEqual({ pending: units(454 + 909), available: 0, paidOut: 0 });
    const sale = (await ledger(sellerA)).entries.find((e) => e.orderId === orders[0])!;
    expect(sale).toMatchObject({
      kind: 'sale',
      productId: products.a,
      gross: 59.97,
      commission: 6,
      net: 53.97,
      commissionPercent: 10,
      availableAt: null,
    });
  });

  it('an unverified seller can neither set a payout account nor ask for a payout (403); a verified one can', async () => {
    const put = await sellerA('PUT', '/api/sellers/me/account', { stripeAccountId: 'acct_1SellerA' });
    expect(put.status).toBe(403);
    expect((await sellerA('POST', '/api/payouts', {})).status).toBe(403);
    await verify(sellerA, 'seller-a@sellers.dev');
    await verify(sellerB, 'seller-b@sellers.dev');
    expect(await sellerA('PUT', '/api/sellers/me/account', { stripeAccountId: 'acct_1SellerA' })).toEqual({
      status: 200,
      body: { stripeAccountId: 'acct_1SellerA' },
    });
    expect((await sellerB('PUT', '/api/sellers/me/account', { stripeAccountId: 'acct_1SellerB' })).status).toBe(200);
    // Nothing is available yet: everything is pending.
    const early = await sellerA('POST', '/api/payouts', {});
    expect(early.status).toBe(409);
  });

  it('the buyer cancels B’s part of order 2 (refunded): B is debited and the commission returned', async () => {
    const list = await eventually(
      async () => {
        const all = await get<Shipment[]>(buyer, `/api/shipments?orderId=${orders[1]}`);
        return all.length === 2 ? all : undefined;
      },
      30_000,
      250,
    );
    parts.b2 = list.find((s) => s.sellerId === ids.b)!;
    parts.a2 = list.find((s) => s.sellerId === ids.a)!;
    expect((await buyer('POST', `/api/shipments/${parts.b2.id}/cancel`)).status).toBe(200);
    await eventually(async () => (await ledger(sellerB)).entries.length === 3, 30_000, 250);
    const refund = (await ledger(sellerB)).entries.find((e) => e.kind === 'refund')!;
    expect(refund).toMatchObject({ orderId: orders[1], gross: -10.1, commission: -1.01, net: -9.09 });
    // The cancelled part is released at once: its sale and refund cancel out.
    await eventually(async () => (await balance(sellerB)).pending === units(454), 30_000, 250);
    expect(await balance(sellerB)).toEqual({ pending: units(454), available: 0, paidOut: 0 });
  });

  it('the other parts ship and are delivered; the buyer returns one unit of A’s part of order 1 (refunded)', async () => {
    const list = await get<Shipment[]>(buyer, `/api/shipments?orderId=${orders[0]}`);
    parts.a1 = list.find((s) => s.sellerId === ids.a)!;
    parts.b1 = list.find((s) => s.sellerId === ids.b)!;
    for (const [seller, part] of [
      [sellerA, parts.a1],
      [sellerB, parts.b1],
      [sellerA, parts.a2],
    ] as const) {
      expect(
        (await seller('POST', `/api/shipments/${part.id}/ship`, { carrier: 'DHL', trackingNumber: `JD${part.id.slice(-6)}` })).status,
      ).toBe(200);
      expect((await buyer('POST', `/api/shipments/${part.id}/deliver`)).status).toBe(200);
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
    expect((await sellerA('POST', `/api/returns/${requested.body.id}/receive`, { restock: true })).status).toBe(200);
    await eventually(async () => (await ledger(sellerA)).entries.some((e) => e.kind === 'refund'), 30_000, 250);
    const refund = (await ledger(sellerA)).entries.find((e) => e.kind === 'refund')!;
    // 1 of 3 units: the commission share is floor(600 / 3) = 200.
    expect(refund).toMatchObject({ orderId: orders[0], gross: -19.99, commission: -2, net: -17.99 });
  });

  it(
    'once the return windows have closed, every part is available: each ledger and balance equals the hand computation',
    async () => {
      for (const [c, hand] of [
        [sellerA, HAND.a],
        [sellerB, HAND.b],
      ] as const) {
        await eventually(async () => (await balance(c)).pending === 0, (RETURN_WINDOW_SECONDS + 60) * 1000, 500);
        const l = await ledger(c);
        expect(l.balance).toEqual({ pending: 0, available: units(hand.net), paidOut: 0 });
        expect(
          l.entries
            .filter((e) => e.kind === 'sale')
            .map((e) => Math.round(e.net * 100))
            .sort(),
        ).toEqual([...hand.sales].sort());
        expect(l.entries.filter((e) => e.kind === 'refund').map((e) => Math.round(e.net * 100))).toEqual(hand.refunds);
        expect(Math.round(l.entries.reduce((s, e) => s + e.commission, 0) * 100)).toBe(hand.commission);
        expect(l.entries.every((e) => e.availableAt !== null)).toBe(true);
        expect(l.nextCursor).toBeNull();
      }
      // The platform's commission today: what both ledgers show.
      const report = await get<{ days: { date: string; commission: number }[] }>(admin, '/api/payments/commission?days=1');
      expect(report.days).toEqual([
        { date: new Date().toISOString().slice(0, 10), commission: units(HAND.a.commission + HAND.b.commission) },
      ]);
      expect((await buyer('GET', '/api/payments/commission')).status).toBe(403);
    },
    (RETURN_WINDOW_SECONDS + 150) * 1000,
  );

  it('a payout moves exactly the available amount, once; the seller is mailed', async () => {
    const answers = await Promise.all(Array.from({ length: 5 }, () => sellerA<Payout>('POST', '/api/payouts', {})));
    const sent = answers.filter((r) => r.status === 201);
    expect(sent).toHaveLength(1);
    expect(answers.filter((r) => r.status === 409)).toHaveLength(4);
    expect(sent[0].body).toMatchObject({ amount: units(HAND.a.net), status: 'sent', transferId: expect.stringMatching(/^tr_/) });
    expect((await sellerB<Payout>('POST', '/api/payouts', {})).body).toMatchObject({ amount: units(HAND.b.net), status: 'sent' });
    expect(await balance(sellerA)).toEqual({ pending: 0, available: 0, paidOut: units(HAND.a.net) });
    expect(await balance(sellerB)).toEqual({ pending: 0, available: 0, paidOut: units(HAND.b.net) });
    expect((await get<{ payouts: Payout[] }>(sellerA, '/api/payouts')).payouts).toEqual([sent[0].body]);
    expect((await ledger(sellerA)).entries[0]).toMatchObject({
      kind: 'payout',
      gross: -units(HAND.a.net),
      net: -units(HAND.a.net),
      orderId: null,
    });
    await mailsTo('seller-a@sellers.dev', /^Payout of \$53\.97 sent$/);
    await mailsTo('seller-b@sellers.dev', /^Payout of \$4\.54 sent$/);
    // Anything still on its way (a second copy) would show within a few seconds.
    await new Promise((r) => setTimeout(r, 3_000));
    expect(await mailsTo('seller-a@sellers.dev', /^Payout of/)).toHaveLength(1);
  });

  it('the invariant checker finds the books balanced', async () => {
    const lines: string[] = [];
    const { violations, counts } = await checkInvariants({ mongo: platform.mongoUrl, log: (s) => lines.push(s) });
    if (violations.length) console.log(lines.join('\n'));
    expect(violations).toEqual([]);
    expect(counts).toMatchObject({
      ordersOnTheBooks: 2,
      ordersBeforeTheLedger: 0,
      payouts: 2,
      payoutsByStatus: { sent: 2 },
      commissionMinor: HAND.a.commission + HAND.b.commission,
      ledgerEntriesByKind: { sale: 4, refund: 2, payout: 2 },
    });
  });
});
