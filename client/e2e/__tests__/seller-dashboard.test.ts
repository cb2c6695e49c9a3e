/**
 * The seller's shop in a real browser against the whole platform (products, orders' sales read
 * model, shipping, expiration, payments' ledger and payouts, auth's email verification, Mailpit):
 * a seller with two paid orders unlists and relists a product and finds the nearly sold-out one
 * under "Low stock"; reads the sold lines, filters them and downloads them as CSV; sees the
 * dashboard's chart (an SVG drawn on the server) with figures equal to a hand computation from the
 * orders this test made; cannot set a payout account before verifying the email (the page says
 * why); verifies, sets it, and once the delivered order's return window has closed (a few seconds:
 * RETURN_WINDOW_SECONDS) pays out exactly the available amount. An admin sees the platform's
 * commission of the day on the ops page.
 *
 * Orders, payments and deliveries go through the API with the buyer's and the seller's sessions
 * (the storefront and fulfilment tests cover those screens). The steps run in order.
 */
import { AxeBuilder } from '@axe-core/playwright';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import type { Order, Shipment } from '@jetmart/common/contracts';
import type { Ledger, Payout, SalesDashboard, SalesPage, SellerProductPage } from '../../src/lib/sellers';
import { launchChromium, screenshot, signUp } from '../support/browser';
import { startPlatform, type RunningPlatform } from '../support/platform';

const run = `r${Date.now().toString(36)}`;
const password = 'correct horse battery';
const sellerEmail = `seller-${run}@example.com`;
const adminEmail = `admin-${run}@example.com`;
/** A second admin, who reads the platform's commission before this file's sales (the API, no page). */
const auditorEmail = `auditor-${run}@example.com`;
const shippingAddress = { name: 'Ada Lovelace', line1: '12 St James Square', city: 'London', postalCode: 'SW1Y 4JH', country: 'GB' };
/** Prices whose 10 % commission is a whole number of cents, so the hand computation needs no rounding rule. */
const lamp = { title: `Lamp ${run}`, price: 35.5, quantity: 10 };
const mug = { title: `Mug ${run}`, price: 8.2, quantity: 10 };
const vase = { title: `Vase ${run}`, price: 60, quantity: 2 };
const COMMISSION = 0.1;
const RETURN_WINDOW_SECONDS = 4;

/** Order A (delivered, then its window closes): 2 lamps and a mug; order B (not shipped): 3 mugs. */
const orderA = [
  { product: lamp, quantity: 2 },
  { product: mug, quantity: 1 },
];
const orderB = [{ product: mug, quantity: 3 }];
const cents = (n: number) => Math.round(n * 100);
const sum = (lines: { product: { price: number }; quantity: number }[]) =>
  lines.reduce((s, l) => s + cents(l.product.price) * l.quantity, 0);
const totalA = sum(orderA) / 100; // 79.20
const totalB = sum(orderB) / 100; // 24.60
const net = (total: number) => (cents(total) - Math.round(cents(total) * COMMISSION)) / 100;

let platform: RunningPlatform;
let browser: Browser;
let sellerContext: BrowserContext;
let buyerContext: BrowserContext;
let seller: Page;
const ids: Record<string, string> = {};
let orderAId: string;
let orderBId: string;
let commissionBefore: { today: number; total: number };

const url = (path: string) => platform.baseUrl + path;
const money = (n: number) => `$${n.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
const today = () => new Date().toISOString().slice(0, 10);

beforeAll(async () => {
  platform = await startPlatform({ RETURN_WINDOW_SECONDS: String(RETURN_WINDOW_SECONDS), ADMIN_EMAILS: `${adminEmail},${auditorEmail}` });
  browser = await launchChromium();
  // The platform's commission counts every sale on it, and the suite's browser files may share its
  // databases (one MongoDB-wire server per test run): this file's figures are the growth from here.
  const auditor = await browser.newContext();
  expect((await auditor.request.post(url('/api/users/signup'), { data: { email: auditorEmail, password } })).status()).toBe(201);
  const before = await auditor.request.get(url('/api/payments/commission'));
  expect(before.status()).toBe(200);
  const beforeDays = ((await before.json()) as { days: { date: string; commission: number }[] }).days;
  commissionBefore = {
    today: beforeDays.find((d) => d.date === today())?.commission ?? 0,
    total: beforeDays.reduce((s, d) => s + d.commission, 0),
  };
  await auditor.close();
  const viewport = { width: 1280, height: 900 };
  sellerContext = await browser.newContext({ viewport });
  buyerContext = await browser.newContext({ viewport });
  seller = await sellerContext.newPage();
  const buyer = await buyerContext.newPage();
  for (const page of [seller, buyer]) page.setDefaultTimeout(20_000);

  await signUp(seller, platform.baseUrl, sellerEmail, password);
  for (const p of [lamp, mug, vase]) {
    const listed = await sellerContext.request.post(url('/api/products'), { data: { ...p, description: 'For the dashboard.' } });
    expect(listed.status()).toBe(201);
    ids[p.title] = ((await listed.json()) as { id: string }).id;
  }
  await signUp(buyer, platform.baseUrl, `buyer-${run}@example.com`, password);
  orderAId = await placePaidOrder(orderA);
  orderBId = await placePaidOrder(orderB);
});

afterAll(async () => {
  await browser?.close();
  await platform?.stop();
});

async function expectText(locator: Locator, text: string | RegExp, timeoutMs = 20_000): Promise<void> {
  await locator.first().waitFor({ timeout: timeoutMs });
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const actual = (await locator.first().textContent()) ?? '';
    if (typeof text === 'string' ? actual.includes(text) : text.test(actual)) return;
    if (Date.now() > deadline) expect(actual).toEqual(expect.stringContaining(String(text)));
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Asks `read` until `done` holds (the services learn of each other's steps by events), or fails with the last answer. */
async function eventually<T>(what: string, read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 45_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`${what}: still ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, 300));
  }
}

async function getJson<T>(context: BrowserContext, path: string): Promise<T> {
  const res = await context.request.get(url(path));
  expect({ path, status: res.status() }).toEqual({ path, status: 200 });
  return (await res.json()) as T;
}

/** A paid order of the buyer's through the API (placing is retried while the orders service learns of new products). */
async function placePaidOrder(lines: { product: { title: string }; quantity: number }[]): Promise<string> {
  const items = lines.map((l) => ({ productId: ids[l.product.title], quantity: l.quantity }));
  const placed = await eventually(
    'order placed',
    async () => {
      const res = await buyerContext.request.post(url('/api/orders'), { data: { items, shippingAddress } });
      return { status: res.status(), body: (await res.json().catch(() => null)) as Order | null };
    },
    (r) => r.status === 201,
    30_000,
  );
  const orderId = placed.body!.id;
  const paid = await buyerContext.request.post(url('/api/payments'), {
    data: { orderId, token: 'tok_visa' },
    headers: { 'Idempotency-Key': `pay-${orderId}` },
  });
  expect(paid.status()).toBe(201);
  return orderId;
}

/** The newest mail to `to` with a link to `path`, as a path on this site (the platform's Mailpit, as it printed it). */
async function linkMailedTo(to: string, path: string): Promise<string> {
  const base = /Mailpit web UI (http:\/\/127\.0\.0\.1:\d+)/.exec(platform.output())?.[1];
  if (!base) throw new Error('the platform started no Mailpit');
  const pattern = new RegExp(`https?://[^\\s"'<>]+(${path}\\?token=[A-Za-z0-9_%.~-]+)`);
  const link = await eventually(
    `a mail to ${to} with a ${path} link`,
    async () => {
      const list = (await (await fetch(`${base}/api/v1/messages?limit=200`)).json()) as {
        messages: Array<{ ID: string; To: Array<{ Address: string }> | null }>;
      };
      for (const m of list.messages.filter((s) => s.To?.some((a) => a.Address === to))) {
        const message = (await (await fetch(`${base}/api/v1/message/${m.ID}`)).json()) as { Text: string };
        const found = pattern.exec(message.Text)?.[1];
        if (found) return found.replace(/&amp;/g, '&');
      }
      return null;
    },
    (l) => l !== null,
  );
  return link!;
}

const productRow = (page: Page, title: string) => page.locator(`[data-testid="seller-product"][data-product-id="${ids[title]}"]`);

test('"My products" lists listed and unlisted products; Unlist takes one out of the catalog, Relist puts it back', async () => {
  await seller.goto(url('/sell'));
  for (const p of [lamp, mug, vase]) await productRow(seller, p.title).waitFor();
  const row = productRow(seller, mug.title);
  expect(await row.getAttribute('data-listed')).toBe('true');

  await row.getByRole('button', { name: `Unlist ${mug.title}` }).click();
  await seller.locator(`[data-testid="seller-product"][data-product-id="${ids[mug.title]}"][data-listed="false"]`).waitFor();
  await expectText(row.getByTestId('listing-state'), 'Unlisted');
  await screenshot(seller, 'seller-products-unlisted');
  // Out of the catalog: the public listing of this seller no longer has it; a new order for it is refused.
  const sellerId = (await getJson<SellerProductPage>(sellerContext, '/api/products/mine')).items[0].userId;
  const publicList = await getJson<{ items: { id: string }[] }>(buyerContext, `/api/products?sellerId=${sellerId}`);
  expect(publicList.items.map((p) => p.id).sort()).toEqual([ids[lamp.title], ids[vase.title]].sort());
  // Orders hears of the unlisting by an event: until then an order may still be taken, and is
  // cancelled at once (unpaid, it is no sale).
  await eventually(
    'a new order for the unlisted mug refused',
    async () => {
      const res = await buyerContext.request.post(url('/api/orders'), {
        data: { items: [{ productId: ids[mug.title], quantity: 1 }], shippingAddress },
      });
      if (res.status() === 201) {
        const early = ((await res.json()) as Order).id;
        expect((await buyerContext.request.delete(url(`/api/orders/${early}`))).status()).toBeLessThan(300);
      }
      return res.status();
    },
    (s) => s === 409,
  );

  await row.getByRole('button', { name: `Relist ${mug.title}` }).click();
  await seller.locator(`[data-testid="seller-product"][data-product-id="${ids[mug.title]}"][data-listed="true"]`).waitFor();
  const again = await getJson<{ items: { id: string }[] }>(buyerContext, `/api/products?sellerId=${sellerId}`);
  expect(again.items.map((p) => p.id)).toContain(ids[mug.title]);
});

test('"Low stock" shows only the product with a few units left', async () => {
  await seller.getByRole('navigation', { name: 'Which products' }).getByRole('link', { name: 'Low stock' }).click();
  await seller.waitForURL(url('/sell?lowStock=true'));
  await productRow(seller, vase.title).waitFor();
  expect(await seller.getByTestId('seller-product').count()).toBe(1);
  await expectText(productRow(seller, vase.title).getByTestId('product-available'), String(vase.quantity));
});

test('"Sales" lists every sold line; the status filter and the CSV download carry the same lines', async () => {
  // The sales read model is fed by events: wait until it has both orders' three lines.
  await eventually(
    'the sales read model',
    async () => (await getJson<SalesPage>(sellerContext, '/api/sales')).sales.length,
    (n) => n === 3,
  );
  await seller.getByRole('navigation', { name: 'Seller area' }).getByRole('link', { name: 'Sales' }).click();
  await seller.waitForURL(url('/sell/sales'));
  const rows = seller.getByTestId('sale');
  await rows.first().waitFor();
  expect(await rows.count()).toBe(3);
  const lines = await rows.evaluateAll((trs) =>
    trs.map((tr) => ({
      order: tr.getAttribute('data-order-id'),
      product: tr.getAttribute('data-product-id'),
      quantity: tr.querySelector('[data-testid="sale-quantity"]')?.textContent,
      total: tr.querySelector('[data-testid="sale-total"]')?.textContent,
      status: tr.querySelector('[data-testid="sale-status"]')?.textContent,
    })),
  );
  const expected = [...orderA.map((l) => ({ order: orderAId, ...l })), ...orderB.map((l) => ({ order: orderBId, ...l }))].map((l) => ({
    order: l.order,
    product: ids[l.product.title],
    quantity: String(l.quantity),
    total: money((cents(l.product.price) * l.quantity) / 100),
    status: 'Paid',
  }));
  const byKey = (a: { order: string | null; product: string | null }, b: { order: string | null; product: string | null }) =>
    `${a.order}${a.product}`.localeCompare(`${b.order}${b.product}`);
  expect(lines.sort(byKey)).toEqual(expected.sort(byKey));
  await expectText(rows.first(), 'London');
  await screenshot(seller, 'seller-sales');

  // Nothing was cancelled: that filter is empty, and says so.
  await seller.getByLabel('Status').selectOption({ label: 'Cancelled before shipping' });
  await seller.getByRole('button', { name: 'Show', exact: true }).click();
  await seller.waitForURL((u) => u.pathname === '/sell/sales' && u.searchParams.get('status') === 'cancelled');
  await seller.getByTestId('sales-empty').waitFor();

  // Back to every line: the CSV link downloads the same three lines.
  await seller.getByRole('link', { name: 'Clear', exact: true }).click();
  await seller.waitForURL(url('/sell/sales'));
  const href = await seller.getByTestId('sales-csv').getAttribute('href');
  expect(href).toBe('/api/sales?format=csv');
  const csv = await sellerContext.request.get(url(href!));
  expect(csv.status()).toBe(200);
  expect(csv.headers()['content-type']).toContain('text/csv');
  const csvLines = (await csv.text()).trim().split(/\r?\n/);
  expect(csvLines).toHaveLength(4);
  expect(csvLines[0]).toContain('orderId');
  for (const id of [orderAId, orderBId]) expect(csvLines.filter((l) => l.includes(id)).length).toBe(id === orderAId ? 2 : 1);
});

test('the dashboard draws revenue and orders per day as an SVG chart, with figures equal to the orders this test made', async () => {
  const revenue = (sum(orderA) + sum(orderB)) / 100;
  await eventually(
    'the dashboard figures',
    () => getJson<SalesDashboard>(sellerContext, '/api/sales/dashboard?days=30'),
    (d) => d.ordersCount === 2,
  );
  await seller.getByRole('navigation', { name: 'Seller area' }).getByRole('link', { name: 'Dashboard' }).click();
  await seller.waitForURL(url('/sell/dashboard'));
  const chart = seller.getByTestId('sales-chart');
  await chart.waitFor();
  // The chart is a picture drawn on the server: an <svg> in the HTML, named for screen readers.
  expect(await chart.locator('svg').count()).toBe(1);
  const box = await chart.locator('svg').boundingBox();
  expect(box!.width).toBeGreaterThan(300);
  expect(await chart.getByRole('img', { name: /^Revenue and orders per day over 30 days: 2 orders\./ }).count()).toBe(1);
  // Its figures as a table: today has both orders; every other day of the 30 is zero.
  const todayRow = seller.locator(`[data-testid="sales-day"][data-date="${today()}"]`);
  expect([await todayRow.getAttribute('data-revenue'), await todayRow.getAttribute('data-orders')]).toEqual([String(revenue), '2']);
  expect(await seller.getByTestId('sales-day').count()).toBe(30);
  expect(await seller.locator('[data-testid="sales-day"]:not([data-orders="0"])').count()).toBe(1);

  await expectText(seller.getByTestId('figure-revenue'), money(revenue));
  await expectText(seller.getByTestId('figure-orders'), '2');
  await expectText(seller.getByTestId('figure-aov'), money(revenue / 2));
  await expectText(seller.getByTestId('figure-return-rate'), '0.0%');
  const top = await seller.getByTestId('top-product').evaluateAll((trs) => trs.map((tr) => tr.textContent));
  expect(top).toEqual([`${lamp.title}2${money(2 * lamp.price)}`, `${mug.title}4${money(4 * mug.price)}`]);
  // Nothing delivered yet: every net amount is pending.
  await expectText(seller.getByTestId('balance-pending'), money(net(totalA) + net(totalB)));
  await expectText(seller.getByTestId('balance-available'), money(0));
  await screenshot(seller, 'seller-dashboard');
});

test('before the email is verified, the payout account cannot be set and the page says why', async () => {
  await seller.goto(url('/sell/payouts'));
  // The session says the address is not verified: the page says so before anything is tried.
  await seller.getByTestId('verify-email-notice').waitFor();
  await seller.getByLabel('Stripe account id').fill(`acct_${run}`);
  await seller.getByRole('button', { name: 'Save account' }).click();
  // Payments refuses (403) and its reason is shown in the form.
  await expectText(
    seller.getByTestId('payout-account-form').getByTestId('form-error'),
    'Verify your email address before receiving payouts',
  );
  expect(await seller.getByTestId('verify-email-notice').count()).toBe(1);
  expect((await getJson<{ stripeAccountId: string | null }>(sellerContext, '/api/sellers/me/account')).stripeAccountId).toBeNull();
  await screenshot(seller, 'seller-payouts-unverified');
});

test('verified, the seller sets the account; once the delivered order leaves its return window, "Pay out" moves exactly the available amount', async () => {
  const link = await linkMailedTo(sellerEmail, '/verify-email');
  const token = new URL(link, platform.baseUrl).searchParams.get('token');
  const verified = await sellerContext.request.post(url('/api/users/verify-email'), { data: { token } });
  expect(verified.status()).toBe(200);

  await seller.goto(url('/sell/payouts'));
  await seller.getByTestId('payout-account-form').waitFor();
  expect(await seller.getByTestId('verify-email-notice').count()).toBe(0);
  // A malformed id is caught on its field before anything is sent.
  await seller.getByLabel('Stripe account id').fill('cus_123');
  await seller.getByRole('button', { name: 'Save account' }).click();
  await expectText(seller.locator('#stripeAccountId-error'), 'starts with acct_');
  await seller.getByLabel('Stripe account id').fill(`acct_${run}`);
  await seller.getByRole('button', { name: 'Save account' }).click();
  await seller.getByTestId('account-saved').waitFor();
  expect((await getJson<{ stripeAccountId: string | null }>(sellerContext, '/api/sellers/me/account')).stripeAccountId).toBe(`acct_${run}`);

  // Order A ships and is delivered; its return window (RETURN_WINDOW_SECONDS) closes and its net becomes available.
  const shipment = (
    await eventually(
      'the shipment of order A',
      () => getJson<Shipment[]>(sellerContext, `/api/shipments?${new URLSearchParams({ status: 'pending' })}`),
      (l) => l.some((s) => s.orderId === orderAId),
    )
  ).find((s) => s.orderId === orderAId)!;
  expect(
    (
      await sellerContext.request.post(url(`/api/shipments/${shipment.id}/ship`), { data: { carrier: 'DHL', trackingNumber: `JD${run}` } })
    ).status(),
  ).toBe(200);
  expect((await sellerContext.request.post(url(`/api/shipments/${shipment.id}/deliver`))).status()).toBe(200);
  const available = net(totalA);
  const balance = await eventually(
    "order A's net available",
    async () => (await getJson<Ledger>(sellerContext, '/api/sellers/me/ledger')).balance,
    (b) => b.available > 0,
    60_000,
  );
  expect(balance).toEqual({ available, pending: net(totalB), paidOut: 0 });

  await seller.reload();
  await expectText(seller.getByTestId('balance-available'), money(available));
  await expectText(seller.getByTestId('balance-pending'), money(net(totalB)));
  await seller.getByRole('button', { name: 'Pay out available balance' }).click();
  await expectText(seller.getByTestId('payout-done'), `${money(available)} is on its way`);
  await expectText(seller.getByTestId('balance-available'), money(0));
  await expectText(seller.getByTestId('balance-paid-out'), money(available));
  await expectText(seller.getByTestId('payouts').getByTestId('payout-amount'), money(available));
  expect(await seller.getByRole('button', { name: 'Pay out available balance' }).isDisabled()).toBe(true);
  await screenshot(seller, 'seller-payouts');

  const payouts = (await getJson<{ payouts: Payout[] }>(sellerContext, '/api/payouts')).payouts;
  expect(payouts.map((p) => p.amount)).toEqual([available]);
  expect((await getJson<Ledger>(sellerContext, '/api/sellers/me/ledger')).balance).toEqual({
    available: 0,
    pending: net(totalB),
    paidOut: available,
  });
  // Nothing left: a second payout is refused.
  expect((await sellerContext.request.post(url('/api/payouts'), { data: {} })).status()).toBe(409);

  // The dashboard's balance and recent payouts follow.
  await seller.goto(url('/sell/dashboard'));
  await expectText(seller.getByTestId('balance-paid-out'), money(available));
  await expectText(seller.getByTestId('payouts').getByTestId('payout-amount'), money(available));
});

test("an admin sees the platform's commission of the day on the ops page", async () => {
  const admin = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
  admin.setDefaultTimeout(20_000);
  await signUp(admin, platform.baseUrl, adminEmail, password);
  await admin.goto(url('/ops'));
  const day = admin.locator(`[data-testid="ops-commission-day"][data-date="${today()}"]`);
  await day.waitFor({ state: 'attached' });
  const commission = (cents(totalA + totalB) * COMMISSION) / 100;
  expect(Number(await day.getAttribute('data-commission'))).toBeCloseTo(commissionBefore.today + commission, 2);
  await expectText(admin.getByTestId('ops-commission-total'), `${money(commissionBefore.total + commission)} earned`);
  expect(await admin.getByTestId('ops-commission-chart').locator('svg').count()).toBe(1);
  await admin.close();
});

test('the seller pages, with their data, have no serious or critical axe violations', async () => {
  for (const path of ['/sell', '/sell?lowStock=true', '/sell/sales', '/sell/dashboard', '/sell/payouts']) {
    await seller.goto(url(path));
    await seller.locator('main h1').waitFor();
    const results = await new AxeBuilder({ page: seller }).analyze();
    const serious = results.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .flatMap((v) => v.nodes.map((n) => `${v.id}: ${v.help} at ${n.target.join(' ')}`));
    expect({ path, serious }).toEqual({ path, serious: [] });
  }
});

test('the dashboard fits a 375 px wide phone screen', async () => {
  const phone = await sellerContext.newPage();
  phone.setDefaultTimeout(20_000);
  await phone.setViewportSize({ width: 375, height: 812 });
  for (const [path, name] of [
    ['/sell/dashboard', 'seller-dashboard-phone'],
    ['/sell/sales', 'seller-sales-phone'],
  ] as const) {
    await phone.goto(url(path));
    await phone.locator('main h1').waitFor();
    const width = await phone.evaluate(() => Math.max(document.documentElement.scrollWidth, document.body.scrollWidth));
    expect({ path, width: Math.min(width, 375) }).toEqual({ path, width });
    await screenshot(phone, name);
  }
  await phone.close();
});
