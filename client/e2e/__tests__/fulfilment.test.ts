/**
 * Fulfilment in a real browser against the whole platform (every service, shipping included):
 * the buyer checks out with a new shipping address and saves it to the address book, pays; the
 * seller sees the part to ship on "To ship" and marks it shipped with a carrier and tracking
 * number; the buyer's order page shows the tracking number without a reload, and the buyer
 * confirms the delivery. The saved address is offered at the next checkout, whose shipment the
 * seller ships and marks delivered. Every page involved fits a 375 px wide phone screen.
 *
 * The steps share one seller and one buyer and run in order.
 */
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import type { Address, Order } from '@jetmart/common/contracts';
import { launchChromium, screenshot, signUp } from '../support/browser';
import { sharedPlatform, type RunningPlatform } from '../support/platform';

const run = `f${Date.now().toString(36)}`;
const password = 'correct horse battery';
const PHONE = { width: 375, height: 812 };

/** What the buyer types (with spaces around, which the form trims); the order must keep exactly the trimmed address. */
const typed = {
  name: ' Ada Lovelace ',
  line1: '12 St James Square',
  line2: 'Flat 3',
  city: 'London',
  postalCode: 'SW1Y 4JH',
  phone: '+44 20 7946 0000',
};
const expectedAddress: Address = {
  name: 'Ada Lovelace',
  line1: '12 St James Square',
  line2: 'Flat 3',
  city: 'London',
  postalCode: 'SW1Y 4JH',
  country: 'GB',
  phone: '+44 20 7946 0000',
};
const carrier = 'Royal Mail';
const trackingNumber = `RM${Date.now()}GB`;

let platform: RunningPlatform;
let browser: Browser;
let sellerContext: BrowserContext;
let buyerContext: BrowserContext;
let seller: Page;
let buyer: Page;
let productId: string;
let firstOrderId: string;
let secondOrderId: string;

const url = (path: string) => platform.baseUrl + path;

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
  const listed = await sellerContext.request.post(url('/api/products'), {
    data: { title: `Telescope ${run}`, description: 'Sees far.', price: 120, quantity: 10 },
  });
  expect(listed.status()).toBe(201);
  productId = ((await listed.json()) as { id: string }).id;
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

async function addToCart(page: Page, quantity: number): Promise<void> {
  await page.goto(url(`/products/${productId}`));
  await page.getByLabel('Quantity').fill(String(quantity));
  await page.getByRole('button', { name: 'Add to cart' }).click();
  await page
    .getByRole('status')
    .filter({ hasText: `Added ${quantity}` })
    .waitFor();
}

/**
 * Clicks "Check out" until the order page opens: right after a product is listed, the orders
 * service may not know it yet (it learns of products by events) and refuses the line once.
 */
async function submitCheckout(page: Page): Promise<string> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    await page.getByRole('button', { name: 'Check out' }).click();
    const outcome = await Promise.race([
      page.waitForURL(/\/orders\/[^/]+$/, { timeout: 20_000 }).then(() => 'order' as const),
      page
        .locator('.line-error, [data-testid="form-error"]')
        .first()
        .waitFor({ timeout: 20_000 })
        .then(() => 'refused' as const),
    ]);
    if (outcome === 'order') break;
    if (Date.now() > deadline)
      throw new Error(`checkout refused: ${await page.locator('.line-error, [data-testid="form-error"]').first().textContent()}`);
    await page.waitForTimeout(500);
  }
  await page.getByTestId('order-page').waitFor();
  return new URL(page.url()).pathname.split('/').pop()!;
}

async function pay(page: Page): Promise<void> {
  await page.getByLabel(/Test Visa/).check();
  await page.getByRole('button', { name: /^Pay / }).click();
  await page.locator('[data-testid="order-page"][data-order-status="complete"]').waitFor({ timeout: 45_000 });
}

async function apiOrder(orderId: string): Promise<Order> {
  const res = await buyerContext.request.get(url(`/api/orders/${orderId}`));
  expect(res.status()).toBe(200);
  return (await res.json()) as Order;
}

/** Opens `path` at phone width in the same browser profile and checks nothing is wider than the screen. */
async function expectFitsPhone(
  context: BrowserContext,
  path: string,
  ready: (page: Page) => Promise<unknown>,
  name: string,
): Promise<void> {
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

const sellerShipment = (page: Page, orderId: string) => page.locator(`[data-testid="seller-shipment"][data-order-id="${orderId}"]`);

test('checkout asks for the address field by field and shows the API’s own field errors where they belong', async () => {
  await addToCart(buyer, 2);
  await buyer.goto(url('/cart'));
  await buyer.getByRole('heading', { name: 'Shipping address' }).waitFor();
  // A new buyer has no address book yet: the form itself is shown.
  expect(await buyer.getByTestId('address-book').count()).toBe(0);

  await buyer.getByRole('button', { name: 'Check out' }).click();
  const required: Array<[string, string]> = [
    ['name', 'Full name is required.'],
    ['line1', 'Address line 1 is required.'],
    ['city', 'City is required.'],
    ['postalCode', 'Postal code is required.'],
    ['country', 'Country is required'],
  ];
  for (const [field, message] of required) {
    await expectText(buyer.locator(`#address-${field}-error`), message);
    expect(await buyer.locator(`#address-${field}`).getAttribute('aria-invalid')).toBe('true');
    expect(await buyer.locator(`#address-${field}`).getAttribute('aria-describedby')).toContain(`address-${field}-error`);
  }
  for (const optional of ['line2', 'phone']) expect(await buyer.locator(`#address-${optional}-error`).count()).toBe(0);
  // The first field to fix has the focus; nothing was ordered.
  await buyer.waitForFunction(() => document.activeElement?.id === 'address-name');
  expect(buyer.url()).toBe(url('/cart'));
  await screenshot(buyer, 'checkout-address-errors');

  // The country list shows names, and is the ISO code underneath.
  await buyer.getByLabel('Full name').fill(typed.name);
  await buyer.getByLabel('Address line 1').fill(typed.line1);
  await buyer.getByLabel('Address line 2 (optional)').fill(typed.line2);
  await buyer.getByLabel('City').fill(typed.city);
  await buyer.getByLabel('Postal code').fill(typed.postalCode);
  await buyer.getByLabel('Country').selectOption({ label: 'United Kingdom' });
  expect(await buyer.getByLabel('Country').inputValue()).toBe('GB');
  await buyer.getByLabel('Phone (optional)').fill('x'.repeat(31));
  await buyer.getByRole('button', { name: 'Check out' }).click();
  await expectText(buyer.locator('#address-phone-error'), 'Phone can have at most 30 characters (it has 31).');
  expect(await buyer.locator('#address-name-error').count()).toBe(0);
  await buyer.getByLabel('Phone (optional)').fill(typed.phone);

  // What the API says about a field lands on that field: the body is changed on its way (a country
  // the form would never send), and the orders service's 400 names shippingAddress.country.
  await buyer.route('**/api/orders', async (route) => {
    const body = route.request().postDataJSON() as { shippingAddress: Address };
    await route.continue({ postData: JSON.stringify({ ...body, shippingAddress: { ...body.shippingAddress, country: 'XX' } }) });
  });
  await buyer.getByRole('button', { name: 'Check out' }).click();
  await expectText(buyer.locator('#address-country-error'), /^Country/);
  expect(await buyer.locator('#address-country').getAttribute('aria-invalid')).toBe('true');
  expect(buyer.url()).toBe(url('/cart'));
  await buyer.unroute('**/api/orders');
});

test('the buyer saves the new address to the address book, places the order with it and pays', async () => {
  await buyer.getByLabel('Save to my address book').check();
  firstOrderId = await submitCheckout(buyer);

  // The order keeps exactly the address that was entered (trimmed), as a snapshot.
  expect((await apiOrder(firstOrderId)).shippingAddress).toEqual(expectedAddress);
  const shown = buyer.getByTestId('order-address');
  for (const text of ['Ada Lovelace', '12 St James Square', 'Flat 3', 'SW1Y 4JH London', 'United Kingdom']) await expectText(shown, text);

  // Saved to the address book once.
  const book = await buyerContext.request.get(url('/api/users/me/addresses'));
  expect(book.status()).toBe(200);
  const entries = (await book.json()) as Array<Address & { id: string }>;
  expect(entries.map(({ id: _id, ...a }) => a)).toEqual([expectedAddress]);

  await pay(buyer);
  // Paid: the seller's part appears as a shipment waiting to be shipped.
  const shipment = buyer.getByTestId('shipment');
  await buyer.locator('[data-testid="shipment"][data-shipment-status="pending"]').waitFor({ timeout: 30_000 });
  expect(await shipment.getByTestId('step-paid').getAttribute('data-done')).toBe('true');
  expect(await shipment.getByTestId('step-shipped').getAttribute('data-done')).toBe('false');
  expect(await shipment.getByRole('button', { name: 'Confirm delivery' }).count()).toBe(0);
  await expectText(buyer.getByTestId('order-fulfillment'), 'Not shipped yet');
  await screenshot(buyer, 'order-paid-awaiting-shipment');
});

test('the seller sees the part to ship with the buyer’s name and address, and marks it shipped', async () => {
  await seller.goto(url('/sell'));
  await seller.getByRole('link', { name: 'To ship' }).first().click();
  await seller.waitForURL(url('/sell/shipments'));
  const part = sellerShipment(seller, firstOrderId);
  await part.waitFor();
  expect(await part.getAttribute('data-shipment-status')).toBe('pending');
  await expectText(part.getByRole('heading'), 'Ada Lovelace');
  await expectText(part, `2 × Telescope ${run}`);
  const address = part.getByTestId('shipment-address');
  for (const text of ['12 St James Square', 'Flat 3', 'SW1Y 4JH London', 'United Kingdom', '+44 20 7946 0000'])
    await expectText(address, text);

  // Both fields are needed; the messages name them.
  await part.getByRole('button', { name: 'Mark shipped' }).click();
  await expectText(part.locator('.field-error').first(), 'Carrier is required.');
  await expectText(part.locator('.field-error').nth(1), 'Tracking number is required.');
  await screenshot(seller, 'to-ship-errors');

  await part.getByLabel('Carrier').fill(carrier);
  await part.getByLabel('Tracking number').fill(trackingNumber);
  await part.getByRole('button', { name: 'Mark shipped' }).click();
  const shipped = seller.locator(`[data-testid="seller-shipment"][data-order-id="${firstOrderId}"][data-shipment-status="shipped"]`);
  await shipped.waitFor();
  await expectText(shipped.getByTestId('tracking-number'), trackingNumber);
  await expectText(shipped.getByTestId('carrier'), carrier);
  expect(
    await seller.locator(`[data-testid="seller-shipment"][data-order-id="${firstOrderId}"][data-shipment-status="pending"]`).count(),
  ).toBe(0);
  await screenshot(seller, 'to-ship-shipped');
});

test('the buyer’s open order page shows the carrier and tracking number without a reload, then the buyer confirms the delivery', async () => {
  await buyer.evaluate(() => ((window as unknown as { __sameDocument: boolean }).__sameDocument = true));
  const shipment = buyer.locator('[data-testid="shipment"][data-shipment-status="shipped"]');
  await shipment.waitFor({ timeout: 30_000 });
  await expectText(shipment.getByTestId('tracking-number'), trackingNumber);
  await expectText(shipment.getByTestId('carrier'), carrier);
  expect(await shipment.getByTestId('step-shipped').getAttribute('data-done')).toBe('true');
  expect(await shipment.getByTestId('step-shipped').getAttribute('aria-current')).toBe('step');
  expect(await shipment.getByTestId('step-shipped').locator('time').getAttribute('datetime')).toMatch(/^\d{4}-\d\d-\d\dT/);
  await expectText(buyer.getByTestId('order-fulfillment'), 'Shipped', 30_000);
  expect(await buyer.evaluate(() => (window as unknown as { __sameDocument?: boolean }).__sameDocument)).toBe(true);
  await screenshot(buyer, 'order-shipped');

  await shipment.getByRole('button', { name: 'Confirm delivery' }).click();
  const delivered = buyer.locator('[data-testid="shipment"][data-shipment-status="delivered"]');
  await delivered.waitFor();
  expect(await delivered.getByTestId('step-delivered').getAttribute('data-done')).toBe('true');
  await expectText(delivered.getByTestId('delivered-by'), 'confirmed by you');
  expect(await delivered.getByRole('button', { name: 'Confirm delivery' }).count()).toBe(0);
  await buyer.locator('[data-testid="order-fulfillment"][data-fulfillment="delivered"]').waitFor({ timeout: 30_000 });
  await screenshot(buyer, 'order-delivered');

  // Opened afresh, the page says the same.
  await buyer.reload();
  await buyer.locator('[data-testid="shipment"][data-shipment-status="delivered"]').waitFor();
  await expectText(buyer.getByTestId('tracking-number'), trackingNumber);
  await expectText(buyer.getByTestId('order-fulfillment'), 'Delivered');
});

test('my orders shows the fulfilment status; the seller sees the delivery in the history', async () => {
  await buyer.goto(url('/orders'));
  const row = buyer.locator(`[data-testid="my-order"][data-order-id="${firstOrderId}"]`);
  await row.waitFor();
  await expectText(row.getByTestId('order-fulfillment'), 'Delivered');

  await seller.reload();
  const part = seller.locator(`[data-testid="seller-shipment"][data-order-id="${firstOrderId}"][data-shipment-status="delivered"]`);
  await part.waitFor();
  await expectText(part, 'confirmed by the buyer');
});

test('the saved address is offered at the next checkout; the seller ships that order and marks it delivered', async () => {
  await addToCart(buyer, 1);
  await buyer.goto(url('/cart'));
  const book = buyer.getByTestId('address-book');
  await book.waitFor();
  const saved = book.getByTestId('saved-address');
  expect(await saved.count()).toBe(1);
  await expectText(saved, 'Ada Lovelace, 12 St James Square, Flat 3, SW1Y 4JH London, United Kingdom');
  // Chosen already, so the address form is not asked for again.
  expect(await saved.locator('input').isChecked()).toBe(true);
  expect(await buyer.locator('#address-name').count()).toBe(0);
  await screenshot(buyer, 'checkout-saved-address');

  secondOrderId = await submitCheckout(buyer);
  expect((await apiOrder(secondOrderId)).shippingAddress).toEqual(expectedAddress);
  await pay(buyer);
  await buyer.locator('[data-testid="shipment"][data-shipment-status="pending"]').waitFor({ timeout: 30_000 });

  await seller.goto(url('/sell/shipments'));
  const part = sellerShipment(seller, secondOrderId);
  await part.waitFor();
  await part.getByLabel('Carrier').fill('DHL');
  await part.getByLabel('Tracking number').fill(`JD${Date.now()}`);
  await part.getByRole('button', { name: 'Mark shipped' }).click();
  const shipped = seller.locator(`[data-testid="seller-shipment"][data-order-id="${secondOrderId}"][data-shipment-status="shipped"]`);
  await shipped.getByRole('button', { name: 'Mark delivered' }).click();
  const delivered = seller.locator(`[data-testid="seller-shipment"][data-order-id="${secondOrderId}"][data-shipment-status="delivered"]`);
  await delivered.waitFor();
  await expectText(delivered, 'marked delivered by you');

  const shipment = buyer.locator('[data-testid="shipment"][data-shipment-status="delivered"]');
  await shipment.waitFor({ timeout: 30_000 });
  await expectText(shipment.getByTestId('delivered-by'), 'marked delivered by the seller');
});

test('the checkout, the order page, my orders and "To ship" fit a 375 px wide phone screen', async () => {
  // One more paid order (through the API), so "To ship" has a part with its form open.
  const placed = await buyerContext.request.post(url('/api/orders'), {
    data: { items: [{ productId, quantity: 3 }], shippingAddress: { ...expectedAddress, name: 'Charles Babbage-Wollstonecraft-Shelley' } },
  });
  expect(placed.status()).toBe(201);
  const thirdOrderId = ((await placed.json()) as Order).id;
  const paid = await buyerContext.request.post(url('/api/payments'), {
    data: { orderId: thirdOrderId, token: 'tok_visa' },
    headers: { 'Idempotency-Key': `phone-${run}` },
  });
  expect(paid.status()).toBe(201);
  // Its shipment is made from the order.completed event, moments after the payment.
  const deadline = Date.now() + 30_000;
  for (;;) {
    const res = await buyerContext.request.get(url(`/api/shipments?orderId=${thirdOrderId}`));
    if (res.status() === 200 && ((await res.json()) as unknown[]).length === 1) break;
    if (Date.now() > deadline) throw new Error(`no shipment for the paid order: ${res.status()} ${await res.text()}`);
    await new Promise((r) => setTimeout(r, 300));
  }

  await addToCart(buyer, 1);
  // The cart with the address form open (the new-address choice), at phone width.
  const phone = await buyerContext.newPage();
  await phone.setViewportSize(PHONE);
  await phone.goto(url('/cart'));
  await phone.getByTestId('address-book').waitFor();
  await phone.getByLabel('A new address').check();
  await phone.locator('#address-name').waitFor();
  await phone.getByRole('button', { name: 'Check out' }).click();
  await phone.locator('#address-name-error').waitFor();
  expect(await phone.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width);
  await screenshot(phone, 'checkout-phone');
  await phone.close();

  await expectFitsPhone(buyerContext, `/orders/${firstOrderId}`, (p) => p.getByTestId('shipment').waitFor(), 'order-delivered-phone');
  await expectFitsPhone(buyerContext, '/orders', (p) => p.getByTestId('my-order').first().waitFor(), 'my-orders-phone');
  await expectFitsPhone(
    buyerContext,
    `/orders/${thirdOrderId}`,
    (p) => p.getByTestId('shipment').waitFor({ timeout: 30_000 }),
    'order-paid-phone',
  );
  await expectFitsPhone(
    sellerContext,
    '/sell/shipments',
    (p) => sellerShipment(p, thirdOrderId).getByRole('button', { name: 'Mark shipped' }).waitFor(),
    'to-ship-phone',
  );
});
