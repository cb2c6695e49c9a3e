/**
 * Returns and refunds in a real browser against the whole platform (orders, shipping, payments,
 * products, expiration): a delivered order's buyer asks to return a line (the form asks for the
 * items, the reason and the note, and shows the messages where they belong, the API's own
 * included); the seller, on "Returns to handle", cannot reject without a message, approves, and
 * marks the return received with the units back on sale; the buyer's page follows the return to
 * `refunded` and the order to `partially refunded`; a second request is withdrawn on "My returns".
 * A paid order not shipped yet is cancelled part by part ("Cancel this part", "Cancel order") and
 * refunded in full; a part that shipped meanwhile answers 409, and the page says so.
 *
 * Orders and payments are made through the API with the buyer's session and parcels shipped and
 * delivered through the API with the seller's (the fulfilment test covers those screens); every
 * step of a return and of a cancel is taken in the browser. The steps run in order.
 */
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import type { Address, Order, Product, ReturnRecord, Shipment } from '@jetmart/common/contracts';
import { launchChromium, screenshot, signUp } from '../support/browser';
import { sharedPlatform, type RunningPlatform } from '../support/platform';

const run = `r${Date.now().toString(36)}`;
const password = 'correct horse battery';
const PHONE = { width: 375, height: 812 };
const shippingAddress: Address = {
  name: 'Ada Lovelace',
  line1: '12 St James Square',
  city: 'London',
  postalCode: 'SW1Y 4JH',
  country: 'GB',
};
const lamp = { title: `Lamp ${run}`, price: 35.5, quantity: 10 };
const mug = { title: `Mug ${run}`, price: 8.25, quantity: 10 };

let platform: RunningPlatform;
let browser: Browser;
let sellerContext: BrowserContext;
let buyerContext: BrowserContext;
let seller: Page;
let buyer: Page;
let lampId: string;
let mugId: string;
let deliveredOrderId: string;
let deliveredShipmentId: string;
let lampReturnId: string;

const url = (path: string) => platform.baseUrl + path;
const money = (n: number) => `$${n.toFixed(2)}`;

beforeAll(async () => {
  platform = await sharedPlatform();
  browser = await launchChromium();
  const viewport = { width: 1280, height: 860 };
  sellerContext = await browser.newContext({ viewport });
  buyerContext = await browser.newContext({ viewport });
  seller = await sellerContext.newPage();
  buyer = await buyerContext.newPage();
  for (const page of [seller, buyer]) page.setDefaultTimeout(20_000);

  await signUp(seller, platform.baseUrl, `seller-${run}@example.com`, password);
  for (const p of [lamp, mug]) {
    const listed = await sellerContext.request.post(url('/api/products'), { data: { ...p, description: 'Returned once, maybe.' } });
    expect(listed.status()).toBe(201);
    const id = ((await listed.json()) as { id: string }).id;
    if (p === lamp) lampId = id;
    else mugId = id;
  }
  await signUp(buyer, platform.baseUrl, `buyer-${run}@example.com`, password);
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

/** A paid order of the buyer's through the API (placing is retried while the orders service learns of new products). */
async function placePaidOrder(items: { productId: string; quantity: number }[]): Promise<string> {
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

/** The order's one shipment, once shipping made it from the order.completed event. */
async function shipmentOf(orderId: string): Promise<Shipment> {
  const list = await eventually(
    `the shipment of ${orderId}`,
    async () => {
      const res = await buyerContext.request.get(url(`/api/shipments?${new URLSearchParams({ orderId })}`));
      return res.status() === 200 ? ((await res.json()) as Shipment[]) : [];
    },
    (l) => l.length === 1,
  );
  return list[0];
}

async function apiOrder(orderId: string): Promise<Order> {
  const res = await buyerContext.request.get(url(`/api/orders/${orderId}`));
  expect(res.status()).toBe(200);
  return (await res.json()) as Order;
}

async function available(productId: string): Promise<number> {
  const res = await buyerContext.request.get(url(`/api/products/${productId}`));
  expect(res.status()).toBe(200);
  return ((await res.json()) as Product).available;
}

const delivered = (page: Page) => page.locator('[data-testid="shipment"][data-shipment-status="delivered"]');
const returnCard = (page: Page, id: string, status?: ReturnRecord['status']) =>
  page.locator(`[data-testid="return"][data-return-id="${id}"]${status ? `[data-return-status="${status}"]` : ''}`);

/**
 * Sends the return form until the API takes it: right after the delivery the orders service may
 * not have learnt of it yet (it hears of shipments by events) and answers 409 (not delivered yet).
 */
async function submitReturn(page: Page): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    await page.getByRole('button', { name: 'Request return' }).click();
    const outcome = await Promise.race([
      page
        .getByTestId('return-requested')
        .waitFor({ timeout: 20_000 })
        .then(() => 'requested' as const),
      page
        .getByTestId('return-form')
        .getByTestId('form-error')
        .waitFor({ timeout: 20_000 })
        .then(() => 'refused' as const),
    ]);
    if (outcome === 'requested') return;
    const message = (await page.getByTestId('return-form').getByTestId('form-error').textContent()) ?? '';
    if (!/not (been )?delivered/i.test(message) || Date.now() > deadline) throw new Error(`return refused: ${message}`);
    await page.waitForTimeout(500);
  }
}

test('a delivered order offers "Return items"; the form asks for items and a reason and shows each message on its field', async () => {
  deliveredOrderId = await placePaidOrder([
    { productId: lampId, quantity: 2 },
    { productId: mugId, quantity: 1 },
  ]);
  const shipment = await shipmentOf(deliveredOrderId);
  deliveredShipmentId = shipment.id;
  const shipped = await sellerContext.request.post(url(`/api/shipments/${shipment.id}/ship`), {
    data: { carrier: 'DHL', trackingNumber: `JD${run}` },
  });
  expect(shipped.status()).toBe(200);
  const done = await sellerContext.request.post(url(`/api/shipments/${shipment.id}/deliver`));
  expect(done.status()).toBe(200);
  const deliveredPart = (await done.json()) as Shipment;
  expect(Date.parse(deliveredPart.returnableUntil!)).toBeGreaterThan(Date.now());

  await buyer.goto(url(`/orders/${deliveredOrderId}`));
  const part = delivered(buyer);
  await part.waitFor();
  await expectText(part.getByTestId('return-window'), 'Returns possible until');
  await expectText(buyer.getByTestId('payment-status'), 'Paid');
  expect(await buyer.getByTestId('refunded-amount').count()).toBe(0);

  await part.getByRole('button', { name: 'Return items' }).click();
  const form = buyer.getByTestId('return-form');
  await form.waitFor();
  // Nothing chosen and no reason: both said, on their fields; the first one to fix has the focus.
  await form.getByRole('button', { name: 'Request return' }).click();
  const prefix = `return-${deliveredShipmentId}`;
  await expectText(buyer.locator(`#${prefix}-items-error`), 'Choose at least one item to return.');
  await expectText(buyer.locator(`#${prefix}-reason-error`), 'Choose a reason.');
  expect(await buyer.locator(`#${prefix}-reason`).getAttribute('aria-invalid')).toBe('true');
  await buyer.waitForFunction((id) => document.activeElement?.id === id, `${prefix}-qty-${lampId}`);

  // More than was bought: named on that line.
  await form.getByLabel(`${lamp.title}: how many to return`).fill('3');
  await form.getByLabel('Reason').selectOption({ label: 'Arrived damaged' });
  await form.getByRole('button', { name: 'Request return' }).click();
  await expectText(buyer.locator(`#${prefix}-qty-${lampId}-error`), 'You can return at most 2 of');
  expect(await buyer.locator(`#${prefix}-reason-error`).count()).toBe(0);
  await screenshot(buyer, 'return-form-errors');
});

test('the buyer asks to return both lamps with a reason and a note; the return shows as requested', async () => {
  const form = buyer.getByTestId('return-form');
  await form.getByLabel(`${lamp.title}: how many to return`).fill('2');
  await form.getByLabel(`${mug.title}: how many to return`).fill('0');
  await form.getByLabel('Reason').selectOption({ label: 'Arrived damaged' });
  await form.getByLabel('Note for the seller (optional)').fill('  The shade is cracked.  ');
  await submitReturn(buyer);
  await buyer.waitForFunction(() => document.activeElement?.getAttribute('data-testid') === 'return-requested');

  const section = buyer.getByTestId('order-returns');
  const card = section.locator('[data-testid="return"][data-return-status="requested"]');
  await card.waitFor();
  lampReturnId = (await card.getAttribute('data-return-id'))!;
  await expectText(card.getByTestId('return-status'), 'Requested');
  await expectText(card.getByTestId('return-reason'), 'Arrived damaged');
  await expectText(card.getByTestId('return-note'), 'The shade is cracked.');
  await expectText(card.getByTestId('return-amount'), money(2 * lamp.price));
  await expectText(card, `2 × ${lamp.title}`);

  const saved = (await (await buyerContext.request.get(url(`/api/returns/${lampReturnId}`))).json()) as ReturnRecord;
  expect({ items: saved.items.map((i) => [i.productId, i.quantity]), reason: saved.reason, note: saved.note }).toEqual({
    items: [[lampId, 2]],
    reason: 'damaged',
    note: 'The shade is cracked.',
  });

  // Only the mug is left to return: the lamp line says why it cannot be chosen.
  await delivered(buyer).getByRole('button', { name: 'Return items' }).click();
  const again = buyer.getByTestId('return-form');
  expect(await again.getByLabel(`${lamp.title}: how many to return`).isDisabled()).toBe(true);
  await expectText(again, 'All 2 are in a return already.');
  await again.getByRole('button', { name: 'Close' }).click();
  await screenshot(buyer, 'return-requested');
});

test('the seller finds the request on "Returns to handle"; rejecting needs a message; the seller approves', async () => {
  await seller.goto(url('/sell/shipments'));
  await seller.getByRole('link', { name: 'Returns to handle' }).first().click();
  await seller.waitForURL(url('/sell/returns'));
  const card = returnCard(seller, lampReturnId, 'requested');
  await card.waitFor();
  await expectText(card.getByTestId('return-reason'), 'Arrived damaged');
  await expectText(card.getByTestId('return-note'), 'The shade is cracked.');
  await expectText(card.getByTestId('return-amount'), money(2 * lamp.price));
  await expectText(card, `2 × ${lamp.title}`);
  await expectText(seller.getByTestId('returns-requested').getByRole('heading', { level: 2 }), /\(\d+\)/);

  await card.getByRole('button', { name: 'Reject' }).click();
  await seller.waitForFunction((id) => document.activeElement?.id === id, `reject-message-${lampReturnId}`);
  await card.getByRole('button', { name: 'Reject return' }).click();
  await expectText(seller.locator(`#reject-message-${lampReturnId}-error`), 'Tell the buyer why the return is rejected.');
  expect(await seller.locator(`#reject-message-${lampReturnId}`).getAttribute('aria-invalid')).toBe('true');
  await screenshot(seller, 'returns-reject-errors');
  await card.getByRole('button', { name: 'Keep it open' }).click();
  expect(await card.getByRole('button', { name: 'Reject return' }).count()).toBe(0);

  await card.getByRole('button', { name: 'Approve' }).click();
  const approved = returnCard(seller, lampReturnId, 'approved');
  await approved.waitFor();
  expect(await seller.getByTestId('returns-approved').locator(`[data-return-id="${lampReturnId}"]`).count()).toBe(1);
  await expectText(approved.getByTestId('return-status'), 'Approved');
});

test('the seller marks it received, choosing to put the lamps back on sale; the buyer’s page follows the return to refunded', async () => {
  // The buyer's order page is open (it follows a return under way without a reload).
  await buyer.evaluate(() => ((window as unknown as { __sameDocument: boolean }).__sameDocument = true));
  await returnCard(buyer, lampReturnId, 'approved').waitFor({ timeout: 30_000 });
  await expectText(returnCard(buyer, lampReturnId), 'send the items back');

  const before = await available(lampId);
  const approved = returnCard(seller, lampReturnId, 'approved');
  await approved.getByRole('button', { name: 'Mark received' }).click();
  // Yes or no has to be chosen: there is no default.
  await expectText(approved.locator('[data-field-error="restock"]'), 'Choose whether the units go back on sale.');
  await approved.getByLabel('Yes, they can be sold again').check();
  await approved.getByRole('button', { name: 'Mark received' }).click();
  const handled = seller.getByTestId('returns-done').locator(`[data-testid="return"][data-return-id="${lampReturnId}"]`);
  await handled.waitFor();
  await expectText(handled.getByTestId('return-restock'), 'Yes');
  await screenshot(seller, 'returns-received');

  // Payments refunds the lines; orders hears of it and the return reads refunded, the order partly refunded.
  await returnCard(buyer, lampReturnId, 'refunded').waitFor({ timeout: 60_000 });
  await buyer.locator('[data-testid="order-payment"][data-payment="partially_refunded"]').waitFor({ timeout: 30_000 });
  await expectText(buyer.getByTestId('payment-status'), 'Partially refunded');
  await expectText(buyer.getByTestId('refunded-amount'), money(2 * lamp.price));
  await expectText(buyer.getByTestId('refund-outcome'), `${money(2 * lamp.price)} of ${money(2 * lamp.price + mug.price)}`);
  expect(await buyer.evaluate(() => (window as unknown as { __sameDocument?: boolean }).__sameDocument)).toBe(true);
  await screenshot(buyer, 'order-partially-refunded');

  const order = await apiOrder(deliveredOrderId);
  expect({ payment: order.payment, refunded: order.refunded }).toEqual({ payment: 'partially_refunded', refunded: 2 * lamp.price });
  // Restocked once: the two lamps are on sale again.
  await eventually(
    'the lamps back on sale',
    () => available(lampId),
    (n) => n === before + 2,
  );
});

test('"My returns" lists the refunded return; a second request is withdrawn there', async () => {
  await buyer.goto(url('/orders'));
  await buyer.getByRole('link', { name: 'My returns' }).first().click();
  await buyer.waitForURL(url('/returns'));
  const refunded = returnCard(buyer, lampReturnId, 'refunded');
  await refunded.waitFor();
  await expectText(refunded.getByTestId('return-status'), 'Refunded');
  expect(await refunded.getByRole('button', { name: 'Withdraw request' }).count()).toBe(0);

  // The mug, asked back in the browser on the order page, then withdrawn on "My returns".
  await buyer.goto(url(`/orders/${deliveredOrderId}`));
  await delivered(buyer).getByRole('button', { name: 'Return items' }).click();
  const form = buyer.getByTestId('return-form');
  await form.getByLabel(`${mug.title}: how many to return`).fill('1');
  await form.getByLabel('Reason').selectOption({ label: 'Changed my mind' });

  // What the API says about a field lands on that field: the reason is changed on its way to one
  // the form never offers, and the orders service's 400 names `reason`.
  const prefix = `return-${deliveredShipmentId}`;
  const returnsRoute = (u: URL) => /^\/api\/orders\/[^/]+\/returns$/.test(u.pathname);
  await buyer.route(returnsRoute, async (route) => {
    if (route.request().method() !== 'POST') return route.continue();
    const body = route.request().postDataJSON() as Record<string, unknown>;
    await route.continue({ postData: JSON.stringify({ ...body, reason: 'bored' }) });
  });
  await form.getByRole('button', { name: 'Request return' }).click();
  await buyer.locator(`#${prefix}-reason-error`).waitFor();
  expect(await buyer.locator(`#${prefix}-reason`).getAttribute('aria-invalid')).toBe('true');
  await buyer.unroute(returnsRoute);
  const stored = (await (await buyerContext.request.get(url(`/api/orders/${deliveredOrderId}/returns`))).json()) as ReturnRecord[];
  expect(stored.map((r) => r.id)).toEqual([lampReturnId]);

  await submitReturn(buyer);
  const mugCard = buyer.getByTestId('order-returns').locator('[data-testid="return"][data-return-status="requested"]');
  const mugReturnId = (await mugCard.getAttribute('data-return-id'))!;

  await buyer.goto(url('/returns'));
  const requested = returnCard(buyer, mugReturnId, 'requested');
  await requested.waitFor();
  await expectText(requested.getByTestId('return-reason'), 'Changed my mind');
  await requested.getByRole('button', { name: 'Withdraw request' }).click();
  await returnCard(buyer, mugReturnId, 'cancelled').waitFor();
  await expectText(returnCard(buyer, mugReturnId).getByTestId('return-status'), 'Withdrawn');
  await screenshot(buyer, 'my-returns');

  // Withdrawn, the mug can be asked back again; the seller sees the withdrawal in the history.
  await buyer.goto(url(`/orders/${deliveredOrderId}`));
  await delivered(buyer).getByRole('button', { name: 'Return items' }).click();
  expect(await buyer.getByTestId('return-form').getByLabel(`${mug.title}: how many to return`).isDisabled()).toBe(false);
  await seller.goto(url('/sell/returns'));
  await expectText(returnCard(seller, mugReturnId, 'cancelled').getByTestId('return-status'), 'Withdrawn');
});

test('a paid part not shipped yet is cancelled with "Cancel this part" and refunded in full', async () => {
  const orderId = await placePaidOrder([{ productId: mugId, quantity: 2 }]);
  await shipmentOf(orderId);
  await buyer.goto(url(`/orders/${orderId}`));
  const part = buyer.locator('[data-testid="shipment"][data-shipment-status="pending"]');
  await part.waitFor();
  expect(await part.getByRole('button', { name: 'Return items' }).count()).toBe(0);

  await part.getByRole('button', { name: 'Cancel this part' }).click();
  const dialog = buyer.getByRole('dialog', { name: 'Cancel this part?' });
  await dialog.waitFor();
  await dialog.getByRole('button', { name: 'Keep it' }).click();
  await dialog.waitFor({ state: 'detached' });
  expect(await buyer.evaluate(() => document.activeElement?.textContent)).toBe('Cancel this part');

  await part.getByRole('button', { name: 'Cancel this part' }).click();
  await dialog.getByRole('button', { name: 'Yes, cancel this part' }).click();
  const cancelled = buyer.locator('[data-testid="shipment"][data-shipment-status="cancelled"]');
  await cancelled.waitFor();
  await expectText(cancelled.getByTestId('part-cancelled'), 'cancelled before it shipped');
  expect(await cancelled.getByTestId('step-cancelled').getAttribute('data-done')).toBe('true');
  expect(await buyer.getByRole('button', { name: 'Cancel order' }).count()).toBe(0);

  // The refund comes by events; the open page follows the order to refunded.
  await buyer.locator('[data-testid="order-payment"][data-payment="refunded"]').waitFor({ timeout: 60_000 });
  await expectText(buyer.getByTestId('refunded-amount'), money(2 * mug.price));
  await screenshot(buyer, 'order-part-cancelled');
  expect((await apiOrder(orderId)).payment).toBe('refunded');
});

test('"Cancel order" on a paid order cancels its parts not shipped yet', async () => {
  const orderId = await placePaidOrder([{ productId: lampId, quantity: 1 }]);
  await shipmentOf(orderId);
  await buyer.goto(url(`/orders/${orderId}`));
  await buyer.locator('[data-testid="shipment"][data-shipment-status="pending"]').waitFor();

  await buyer.getByRole('button', { name: 'Cancel order' }).click();
  const dialog = buyer.getByRole('dialog', { name: 'Cancel this order?' });
  await expectText(dialog, 'Nothing has shipped yet');
  await dialog.getByRole('button', { name: 'Yes, cancel order' }).click();
  await buyer.locator('[data-testid="shipment"][data-shipment-status="cancelled"]').waitFor();
  await buyer.waitForFunction(() => document.activeElement?.getAttribute('data-testid') === 'parts-cancelled');
  expect(await buyer.getByRole('button', { name: 'Cancel order' }).count()).toBe(0);
  await buyer.locator('[data-testid="order-payment"][data-payment="refunded"]').waitFor({ timeout: 60_000 });
  await expectText(buyer.getByTestId('order-fulfillment'), 'Cancelled', 30_000);
});

test('a part the seller shipped meanwhile cannot be cancelled: the page says so and shows it shipped', async () => {
  const orderId = await placePaidOrder([{ productId: mugId, quantity: 1 }]);
  const shipment = await shipmentOf(orderId);
  await buyer.goto(url(`/orders/${orderId}`));
  const part = buyer.locator('[data-testid="shipment"][data-shipment-status="pending"]');
  await part.waitFor();
  // The page keeps seeing the part as it was when opened (its list is answered from that moment),
  // so the button is still there when the seller's ship has happened.
  const stale = JSON.stringify([shipment]);
  const listRoute = (u: URL) => u.pathname === '/api/shipments' && u.searchParams.has('orderId');
  await buyer.route(listRoute, (route) =>
    route.request().method() === 'GET' ? route.fulfill({ status: 200, contentType: 'application/json', body: stale }) : route.continue(),
  );
  const shipped = await sellerContext.request.post(url(`/api/shipments/${shipment.id}/ship`), {
    data: { carrier: 'UPS', trackingNumber: `1Z${run}` },
  });
  expect(shipped.status()).toBe(200);

  await part.getByRole('button', { name: 'Cancel this part' }).click();
  await buyer.getByRole('dialog', { name: 'Cancel this part?' }).getByRole('button', { name: 'Yes, cancel this part' }).click();
  const now = buyer.locator(`[data-testid="shipment"][data-shipment-id="${shipment.id}"]`);
  await expectText(now.getByTestId('form-error'), 'already shipped');
  await buyer.locator(`[data-testid="shipment"][data-shipment-id="${shipment.id}"][data-shipment-status="shipped"]`).waitFor();
  expect(await now.getByRole('button', { name: 'Cancel this part' }).count()).toBe(0);
  await buyer.unroute(listRoute);
  await screenshot(buyer, 'order-cancel-part-refused');
  expect((await apiOrder(orderId)).payment).toBe('paid');
});

test('the order page with its returns, "My returns" and "Returns to handle" fit a 375 px wide phone screen', async () => {
  for (const [context, path, ready, name] of [
    [buyerContext, `/orders/${deliveredOrderId}`, (p: Page) => p.getByTestId('order-returns').waitFor(), 'order-returns-phone'],
    [buyerContext, '/returns', (p: Page) => p.getByTestId('return').first().waitFor(), 'my-returns-phone'],
    [sellerContext, '/sell/returns', (p: Page) => p.getByTestId('return').first().waitFor(), 'returns-to-handle-phone'],
  ] as const) {
    const phone = await context.newPage();
    phone.setDefaultTimeout(20_000);
    await phone.setViewportSize(PHONE);
    await phone.goto(url(path));
    await ready(phone);
    const width = await phone.evaluate(() => Math.max(document.documentElement.scrollWidth, document.body.scrollWidth));
    expect({ path, width: Math.min(width, PHONE.width) }).toEqual({ path, width });
    await screenshot(phone, name);
    await phone.close();
  }
});
