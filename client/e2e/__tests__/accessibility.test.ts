/**
 * Accessibility of the storefront in a real browser against the whole platform:
 *  - axe-core (through @axe-core/playwright) on every page, in the states a person meets them
 *    (empty and filled, with form errors, the cancel confirmation open, a receipt): no violation
 *    of serious or critical impact;
 *  - a purchase with the keyboard only (Tab, Enter, arrows): add to cart, open the cart, type the
 *    shipping address, place the order and pay with the sandbox card, and cancel an order through
 *    its confirmation; a return asked for with the keyboard only; the header's notifications bell
 *    reached with the keyboard.
 */
import { AxeBuilder } from '@axe-core/playwright';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchChromium, signUp } from '../support/browser';
import { sharedPlatform, type RunningPlatform } from '../support/platform';

const run = `a${Date.now().toString(36)}`;
const password = 'correct horse battery';

let platform: RunningPlatform;
let browser: Browser;
let sellerContext: BrowserContext;
let buyerContext: BrowserContext;
let guestContext: BrowserContext;
let seller: Page;
let buyer: Page;
let guest: Page;
let productId: string;
let soldOutId: string;
let paidOrderId: string;
const shippingAddress = { name: 'Grace Hopper', line1: '1 Harbour Road', city: 'Arlington', postalCode: '22201', country: 'US' };

const url = (path: string) => platform.baseUrl + path;

beforeAll(async () => {
  platform = await sharedPlatform();
  browser = await launchChromium();
  const viewport = { width: 1280, height: 860 };
  [sellerContext, buyerContext, guestContext] = await Promise.all([0, 1, 2].map(() => browser.newContext({ viewport })));
  [seller, buyer, guest] = await Promise.all([sellerContext, buyerContext, guestContext].map((c) => c.newPage()));
  for (const page of [seller, buyer, guest]) page.setDefaultTimeout(20_000);

  await signUp(seller, platform.baseUrl, `seller-${run}@example.com`, password);
  const listed = await sellerContext.request.post(url('/api/products'), {
    data: { title: `Keyboard ${run}`, description: 'Mechanical, quiet switches.', price: 49.9, quantity: 20 },
  });
  expect(listed.status()).toBe(201);
  productId = ((await listed.json()) as { id: string }).id;
  const soldOut = await sellerContext.request.post(url('/api/products'), { data: { title: `Sold out ${run}`, price: 5, quantity: 0 } });
  soldOutId = ((await soldOut.json()) as { id: string }).id;
  await signUp(buyer, platform.baseUrl, `buyer-${run}@example.com`, password);
});

afterAll(async () => {
  await browser?.close();
  await platform?.stop();
});

/**
 * Opens a page of the storefront and checks it answered 2xx (or `expectedStatus`), so axe never
 * audits an error body.
 * A 502/503 from the local entry (the storefront or an API not answering for a moment on a busy
 * machine) is retried a few times; any other status, or a 5xx that persists, fails with it.
 */
async function visit(page: Page, path: string, expectedStatus?: number): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    const res = await page.goto(url(path));
    const status = res?.status() ?? 0;
    if (expectedStatus === undefined ? status >= 200 && status < 300 : status === expectedStatus) return;
    if (!(status === 502 || status === 503) || attempt >= 4) {
      throw new Error(`GET ${path} answered ${status}: ${(await res?.text())?.slice(0, 300)}`);
    }
    await page.waitForTimeout(1_000 * attempt);
  }
}

/** The serious and critical axe violations on the page as it is now, in a form that reads well in a failure. */
async function seriousViolations(page: Page): Promise<string[]> {
  const results = await new AxeBuilder({ page }).analyze();
  return results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .flatMap((v) => v.nodes.map((n) => `${v.id} (${v.impact}): ${v.help} at ${n.target.join(' ')}`));
}

async function expectAccessible(page: Page, what: string): Promise<void> {
  const found = await seriousViolations(page);
  expect({ page: what, violations: found }).toEqual({ page: what, violations: [] });
}

/** Presses Tab until the focused element is the one wanted (by its accessible text), or fails. */
async function tabTo(page: Page, wanted: RegExp, maxPresses = 80): Promise<void> {
  const seen: string[] = [];
  for (let i = 0; i < maxPresses; i++) {
    await page.keyboard.press('Tab');
    const focused = await page.evaluate(() => {
      const el = document.activeElement as HTMLElement | null;
      if (!el || el === document.body) return '';
      const labelled = (el as HTMLInputElement).labels?.[0]?.textContent;
      return `${el.tagName.toLowerCase()}: ${(el.getAttribute('aria-label') || labelled || el.textContent || '').trim()}`;
    });
    seen.push(focused);
    if (wanted.test(focused)) return;
  }
  throw new Error(`Tab never reached ${wanted}; focus went through:\n${seen.join('\n')}`);
}

/** An order of the buyer's, placed through the API with the buyer's session (retried while the orders service learns of the product). */
async function placeOrder(quantity = 1): Promise<string> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const res = await buyerContext.request.post(url('/api/orders'), { data: { items: [{ productId, quantity }], shippingAddress } });
    if (res.status() === 201) return ((await res.json()) as { id: string }).id;
    if (Date.now() > deadline) throw new Error(`order not placed: ${res.status()} ${await res.text()}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

/**
 * Opens /notifications until it lists something: notifications are written by the notifications
 * service when it hears of the step that caused them, a moment after that step.
 */
async function openNotificationsWithEntries(page: Page): Promise<void> {
  const deadline = Date.now() + 45_000;
  for (;;) {
    await visit(page, '/notifications');
    if ((await page.getByTestId('notification').count()) > 0) return;
    if (Date.now() > deadline) throw new Error('/notifications listed nothing in time');
    await page.waitForTimeout(1_000);
  }
}

test('the pages a visitor sees have no serious or critical accessibility violations', async () => {
  const pages: Array<[string, string, number?]> = [
    ['catalog', '/'],
    ['catalog search with no result', `/?q=nothing-${run}`],
    ['product', `/products/${productId}`],
    ['sold-out product', `/products/${soldOutId}`],
    ['empty cart', '/cart'],
    ['sign in', '/signin'],
    ['sign up', '/signup'],
    ['forgot password', '/forgot-password'],
    ['reset password', `/reset-password?token=${'a'.repeat(64)}`],
    ['reset password without a code', '/reset-password'],
    ['verify email without a code', '/verify-email'],
    ['account deleted', '/account/deleted'],
    ['not found', '/products/000000000000000000000000', 404],
  ];
  for (const [what, path, status] of pages) {
    await visit(guest, path, status);
    await expectAccessible(guest, what);
  }

  await visit(guest, '/signup');
  await guest.getByLabel('Email').fill('not-an-email');
  await guest.getByLabel('Password').fill('short');
  await guest.getByRole('button', { name: 'Sign up' }).click();
  await guest.locator('#password-error').waitFor();
  await expectAccessible(guest, 'sign up with errors');

  await visit(guest, '/forgot-password');
  await guest.getByRole('button', { name: 'Send reset link' }).click();
  await guest.locator('#email-error').waitFor();
  await expectAccessible(guest, 'forgot password with errors');
});

test('the account page has no serious or critical accessibility violations, in each of its states', async () => {
  await visit(buyer, '/account');
  await buyer.getByRole('heading', { level: 1, name: 'Your account' }).waitFor();
  await expectAccessible(buyer, 'account');
  await buyer.getByRole('button', { name: 'Add an address' }).click();
  await buyer.getByRole('button', { name: 'Add address' }).click();
  await buyer.locator('#address-new-name-error').waitFor();
  await buyer.getByTestId('password-form').getByRole('button', { name: 'Change password' }).click();
  await buyer.locator('#newPassword-error').waitFor();
  await expectAccessible(buyer, 'account with form errors');
  await buyer.getByTestId('delete-account').getByLabel('Password').fill('not submitted');
  await buyer.getByRole('button', { name: 'Delete my account', exact: true }).click();
  await buyer.getByRole('dialog', { name: 'Delete your account?' }).waitFor();
  await expectAccessible(buyer, 'delete account confirmation');
  await buyer.getByRole('button', { name: 'Keep my account' }).click();
  await buyer.getByRole('dialog').waitFor({ state: 'detached' });
});

test("the seller's pages have no serious or critical accessibility violations", async () => {
  for (const [what, path] of [
    ['my products', '/sell'],
    ['list a product', '/sell/new'],
    ['edit product', `/sell/${productId}/edit`],
    ["seller's own product", `/products/${productId}`],
    ['to ship, nothing yet', '/sell/shipments'],
    ['returns to handle, nothing yet', '/sell/returns'],
    ['notifications', '/notifications'],
  ] as const) {
    await visit(seller, path);
    await expectAccessible(seller, what);
  }
  await visit(seller, '/sell/new');
  await seller.getByLabel('Price (USD)').fill('a lot');
  await seller.getByRole('button', { name: 'List product' }).click();
  await seller.locator('#price-error').waitFor();
  await expectAccessible(seller, 'list a product with errors');
});

test("the buyer's pages have no serious or critical accessibility violations", async () => {
  await visit(buyer, '/orders');
  await expectAccessible(buyer, 'my orders, empty');
  await visit(buyer, '/returns');
  await buyer.getByTestId('returns-empty').waitFor();
  await expectAccessible(buyer, 'my returns, empty');

  await visit(buyer, `/products/${productId}`);
  await buyer.getByRole('button', { name: 'Add to cart' }).click();
  await buyer.getByRole('status').filter({ hasText: 'Added 1' }).waitFor();
  await expectAccessible(buyer, 'product, added to cart');
  await visit(buyer, '/cart');
  await buyer.getByTestId('cart-line').waitFor();
  await expectAccessible(buyer, 'cart with a line and the address form');
  await buyer.getByRole('button', { name: 'Check out' }).click();
  await buyer.locator('#address-name-error').waitFor();
  await expectAccessible(buyer, 'checkout with address errors');
  await buyer.getByRole('button', { name: 'Empty cart' }).click();

  const open = await placeOrder();
  await visit(buyer, `/orders/${open}`);
  await buyer.getByTestId('countdown').waitFor();
  await expectAccessible(buyer, 'open order with the pay form');
  await buyer.getByRole('button', { name: 'Cancel order' }).click();
  await buyer.getByRole('dialog', { name: 'Cancel this order?' }).waitFor();
  await expectAccessible(buyer, 'cancel confirmation');
  await buyer.getByRole('button', { name: 'Yes, cancel order' }).click();
  await buyer.locator('[data-testid="order-page"][data-order-status="cancelled"]').waitFor();
  await expectAccessible(buyer, 'cancelled order');

  paidOrderId = await placeOrder(2);
  await visit(buyer, `/orders/${paidOrderId}`);
  await buyer.getByRole('button', { name: /^Pay / }).click();
  await buyer.locator('[data-testid="order-page"][data-order-status="complete"]').waitFor({ timeout: 45_000 });
  await expectAccessible(buyer, 'receipt');
  await buyer.locator('[data-testid="shipment"][data-shipment-status="pending"]').waitFor({ timeout: 30_000 });
  await expectAccessible(buyer, 'receipt with its shipment waiting to be shipped');

  // The order's notifications (they arrive by events): the list with the new ones marked, then all read;
  // the bell is reached with the keyboard and named with what it counts.
  await openNotificationsWithEntries(buyer);
  await expectAccessible(buyer, 'notifications, new ones marked');
  await buyer.getByRole('button', { name: 'Mark all read' }).click();
  await buyer.getByRole('button', { name: 'Mark all read' }).waitFor({ state: 'detached' });
  await buyer.waitForFunction(() => document.activeElement?.id === 'notifications-heading');
  await expectAccessible(buyer, 'notifications, all read');
  await visit(buyer, '/');
  await tabTo(buyer, /^a: Notifications(, \d+ unread)?$/);

  await visit(buyer, '/orders');
  await buyer.getByTestId('my-order').first().waitFor();
  await expectAccessible(buyer, 'my orders');
});

test('the fulfilment pages have no serious or critical accessibility violations', async () => {
  await visit(seller, '/sell/shipments');
  const part = seller.locator(`[data-testid="seller-shipment"][data-order-id="${paidOrderId}"]`);
  await part.waitFor();
  await expectAccessible(seller, 'to ship, with a part to ship');
  await part.getByRole('button', { name: 'Mark shipped' }).click();
  await part.locator('.field-error').first().waitFor();
  await expectAccessible(seller, 'to ship, with form errors');
  await part.getByLabel('Carrier').fill('DHL');
  await part.getByLabel('Tracking number').fill(`JD${run}`);
  await part.getByRole('button', { name: 'Mark shipped' }).click();
  await seller.locator(`[data-testid="seller-shipment"][data-order-id="${paidOrderId}"][data-shipment-status="shipped"]`).waitFor();
  await expectAccessible(seller, 'to ship, with a shipped part');

  await visit(buyer, `/orders/${paidOrderId}`);
  await buyer.locator('[data-testid="shipment"][data-shipment-status="shipped"]').waitFor();
  await expectAccessible(buyer, 'order with a shipped shipment');
  await buyer.getByRole('button', { name: 'Confirm delivery' }).click();
  await buyer.locator('[data-testid="shipment"][data-shipment-status="delivered"]').waitFor();
  await expectAccessible(buyer, 'order delivered');
  await visit(buyer, '/orders');
  await buyer.getByTestId('order-fulfillment').first().waitFor();
  await expectAccessible(buyer, 'my orders with fulfilment');
});

/**
 * Presses "Request return" until the API takes the request: right after a delivery the orders
 * service may not have heard of it yet and answers 409 (not delivered yet).
 */
async function requestReturn(page: Page, press: () => Promise<void>): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    await press();
    const outcome = await Promise.race([
      page
        .getByTestId('return-requested')
        .waitFor()
        .then(() => 'requested' as const),
      page
        .getByTestId('return-form')
        .getByTestId('form-error')
        .waitFor()
        .then(() => 'refused' as const),
    ]);
    if (outcome === 'requested') return;
    const message = (await page.getByTestId('return-form').getByTestId('form-error').textContent()) ?? '';
    if (!/not (been )?delivered/i.test(message) || Date.now() > deadline) throw new Error(`return refused: ${message}`);
    await page.waitForTimeout(500);
    await page.getByRole('button', { name: 'Request return' }).focus();
  }
}

test('the returns pages have no serious or critical accessibility violations, and a return is asked for with the keyboard only', async () => {
  // The order delivered above: its return form, with errors, then sent with the keyboard only.
  const page = await buyerContext.newPage();
  page.setDefaultTimeout(20_000);
  await visit(page, `/orders/${paidOrderId}`);
  await page.locator('[data-testid="shipment"][data-shipment-status="delivered"]').waitFor();
  await tabTo(page, /^button: Return items$/);
  await page.keyboard.press('Enter');
  await page.getByTestId('return-form').waitFor();
  await tabTo(page, /^button: Request return$/);
  await page.keyboard.press('Enter');
  await page.locator('[data-field-error="items"]').waitFor();
  await expectAccessible(page, 'return form with errors');
  // The focus went to the first line to fix; its quantity is typed there.
  expect(await page.evaluate(() => (document.activeElement as HTMLInputElement | null)?.labels?.[0]?.textContent)).toMatch(
    /how many to return$/,
  );
  await page.keyboard.press('Control+A');
  await page.keyboard.type('1');
  await tabTo(page, /^select: Reason/);
  await page.keyboard.type('Wrong');
  expect(await page.getByLabel('Reason').inputValue()).toBe('wrong_item');
  await tabTo(page, /^textarea: Note for the seller/);
  await page.keyboard.type('A different keyboard came.');
  await tabTo(page, /^button: Request return$/);
  await requestReturn(page, () => page.keyboard.press('Enter'));
  await page.waitForFunction(() => document.activeElement?.getAttribute('data-testid') === 'return-requested');
  await page.locator('[data-testid="return"][data-return-status="requested"]').waitFor();
  await expectAccessible(page, 'order with a requested return');
  await page.close();

  await visit(buyer, '/returns');
  await buyer.getByTestId('return').first().waitFor();
  await expectAccessible(buyer, 'my returns, with a request');

  await visit(seller, '/sell/returns');
  const card = seller.locator('[data-testid="return"][data-return-status="requested"]').first();
  await card.waitFor();
  await expectAccessible(seller, 'returns to handle, with a request');
  await card.getByRole('button', { name: 'Reject' }).click();
  await card.getByRole('button', { name: 'Reject return' }).click();
  await card.locator('.field-error').waitFor();
  await expectAccessible(seller, 'returns to handle, reject form with errors');
  await card.getByRole('button', { name: 'Keep it open' }).click();
  await card.getByRole('button', { name: 'Approve' }).click();
  const approved = seller.locator('[data-testid="return"][data-return-status="approved"]').first();
  await approved.waitFor();
  await expectAccessible(seller, 'returns to handle, approved');
  await approved.getByRole('button', { name: 'Mark received' }).click();
  await approved.locator('[data-field-error="restock"]').waitFor();
  await expectAccessible(seller, 'returns to handle, mark received with errors');
  await approved.getByLabel('No, keep them off sale').check();
  await approved.getByRole('button', { name: 'Mark received' }).click();
  await seller.getByTestId('returns-done').getByTestId('return').first().waitFor();
  await expectAccessible(seller, 'returns to handle, handled');

  // A paid order's part not shipped yet, with its cancel confirmation open.
  const orderId = await placeOrder();
  const paid = await buyerContext.request.post(url('/api/payments'), {
    data: { orderId, token: 'tok_visa' },
    headers: { 'Idempotency-Key': `a11y-${orderId}` },
  });
  expect(paid.status()).toBe(201);
  await visit(buyer, `/orders/${orderId}`);
  await buyer.locator('[data-testid="shipment"][data-shipment-status="pending"]').waitFor({ timeout: 30_000 });
  await expectAccessible(buyer, 'paid order with a part that can be cancelled');
  await buyer.getByRole('button', { name: 'Cancel this part' }).click();
  await buyer.getByRole('dialog', { name: 'Cancel this part?' }).waitFor();
  await expectAccessible(buyer, 'cancel a part, confirmation');
  await buyer.getByRole('button', { name: 'Yes, cancel this part' }).click();
  await buyer.locator('[data-testid="shipment"][data-shipment-status="cancelled"]').waitFor();
  await expectAccessible(buyer, 'paid order with its part cancelled');
});

test('a buyer checks out and pays with the keyboard only', async () => {
  const page = await buyerContext.newPage();
  page.setDefaultTimeout(20_000);
  await visit(page, `/products/${productId}`);

  await tabTo(page, /^input: Quantity$/);
  await page.keyboard.press('Control+A');
  await page.keyboard.type('2');
  await tabTo(page, /^button: Add to cart$/);
  await page.keyboard.press('Enter');
  await page.getByRole('status').filter({ hasText: 'Added 2' }).waitFor();

  await tabTo(page, /^a: Go to cart$/);
  await page.keyboard.press('Enter');
  await page.waitForURL(url('/cart'));
  await page.getByTestId('cart-line').waitFor();

  // The shipping address, typed field by field; the country is picked by typing its name (type-ahead).
  for (const [label, text] of [
    [/^input: Full name$/, 'Ada Lovelace'],
    [/^input: Address line 1$/, 'Unter den Linden 1'],
    [/^input: City$/, 'Berlin'],
    [/^input: Postal code$/, '10117'],
  ] as const) {
    await tabTo(page, label);
    await page.keyboard.type(text);
  }
  await tabTo(page, /^select: Country/);
  await page.keyboard.type('Germany');
  expect(await page.getByLabel('Country').inputValue()).toBe('DE');
  await tabTo(page, /^button: Check out$/);
  await page.keyboard.press('Enter');
  await page.waitForURL(/\/orders\/[^/]+$/);
  await page.getByTestId('countdown').waitFor();

  // The sandbox's succeeding card is chosen by default; Tab enters the card choice on it.
  await tabTo(page, /^input: Test Visa/);
  expect(await page.getByLabel(/Test Visa/).isChecked()).toBe(true);
  await tabTo(page, /^button: Pay /);
  await page.keyboard.press('Enter');
  await page.locator('[data-testid="order-page"][data-order-status="complete"]').waitFor({ timeout: 45_000 });
  await page.getByTestId('payment-reference').waitFor();
  await page.close();
});

test('the cancel confirmation works with the keyboard: Escape keeps the order, the confirm button cancels it', async () => {
  const orderId = await placeOrder();
  const page = await buyerContext.newPage();
  page.setDefaultTimeout(20_000);
  await visit(page, `/orders/${orderId}`);
  await page.getByTestId('countdown').waitFor();

  await tabTo(page, /^button: Cancel order$/);
  await page.keyboard.press('Enter');
  const dialog = page.getByRole('dialog', { name: 'Cancel this order?' });
  await dialog.waitFor();
  // Focus starts on the safe choice.
  expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Keep order');
  await page.keyboard.press('Escape');
  await dialog.waitFor({ state: 'detached' });
  expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Cancel order');
  expect(await page.getByTestId('order-page').getAttribute('data-order-status')).toBe('created');

  await page.keyboard.press('Enter');
  await dialog.waitFor();
  await page.keyboard.press('Shift+Tab'); // from "Keep order" back to "Yes, cancel order"
  expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Yes, cancel order');
  await page.keyboard.press('Enter');
  await page.locator('[data-testid="order-page"][data-order-status="cancelled"]').waitFor();
  // The focus lands on the outcome, not back at the top of the page.
  await page.waitForFunction(() => document.activeElement?.getAttribute('data-testid') === 'order-outcome');
  await page.close();
});
