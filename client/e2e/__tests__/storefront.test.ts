/**
 * The storefront in a real browser (Debian chromium through playwright-core) against the whole
 * platform started by `node scripts/platform.js`: every service, NATS, the databases and the
 * Next.js server behind the same path routing as the Kubernetes ingress.
 *
 * The steps share one seller and one buyer and run in order (the buyer buys what the seller lists).
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchChromium, parseMoney, screenshot, signUp as signUpAt } from '../support/browser';
import { startPlatform, type RunningPlatform } from '../support/platform';

const ORDER_EXPIRATION_SECONDS = 8;
const run = `r${Date.now().toString(36)}`;
const password = 'correct horse battery';
const sellerEmail = `seller-${run}@example.com`;
const buyerEmail = `buyer-${run}@example.com`;

// What the seller lists; the buyer's expectations are computed from these. The lamp's price is
// typed with a decimal comma, as many sellers write it.
const lamp = { title: `Lamp ${run}`, description: 'A warm desk lamp.', price: 12.5, priceText: '12,50', quantity: 5 };
const mug = { title: `Mug ${run}`, description: 'Holds coffee.', price: 4, editedPrice: 3.25, quantity: 10 };
const poster = { title: `Poster ${run}`, description: 'Listed with no stock.', price: 9.99, quantity: 0 };

let platform: RunningPlatform;
let browser: Browser;
let sellerContext: BrowserContext;
let buyerContext: BrowserContext;
let seller: Page;
let buyer: Page;
const productIds: Record<string, string> = {};
const orderIds: { paid?: string; expired?: string; cancelled?: string } = {};

const url = (path: string) => platform.baseUrl + path;

beforeAll(async () => {
  platform = await startPlatform({ ORDER_EXPIRATION_SECONDS: String(ORDER_EXPIRATION_SECONDS) });
  browser = await launchChromium();
  const viewport = { width: 1280, height: 860 };
  sellerContext = await browser.newContext({ viewport });
  buyerContext = await browser.newContext({ viewport });
  seller = await sellerContext.newPage();
  buyer = await buyerContext.newPage();
  for (const page of [seller, buyer]) page.setDefaultTimeout(20_000);
});

afterAll(async () => {
  await browser?.close();
  await platform?.stop();
});

/** Marks the page's JavaScript realm; still marked later means the page was never reloaded. */
async function markNoReload(page: Page): Promise<void> {
  await page.evaluate(() => ((window as unknown as { __sameDocument: boolean }).__sameDocument = true));
}
async function wasReloaded(page: Page): Promise<boolean> {
  return !(await page.evaluate(() => (window as unknown as { __sameDocument?: boolean }).__sameDocument === true));
}

const signUp = (page: Page, email: string) => signUpAt(page, platform.baseUrl, email, password);

async function listProduct(
  page: Page,
  p: { title: string; description: string; price: number; priceText?: string; quantity: number },
): Promise<string> {
  await page.goto(url('/sell/new'));
  await page.getByLabel('Title').fill(p.title);
  await page.getByLabel('Description (optional)').fill(p.description);
  await page.getByLabel('Price (USD)').fill(p.priceText ?? String(p.price));
  await page.getByLabel('Units in stock').fill(String(p.quantity));
  await page.getByRole('button', { name: 'List product' }).click();
  await page.waitForURL(/\/products\/[^/]+$/);
  await expectText(page.getByRole('heading', { level: 1 }), p.title);
  return new URL(page.url()).pathname.split('/').pop()!;
}

/**
 * Opens the catalog at `path` until it counts `total` products: the catalog is the search
 * service's index, which hears of new products by events a moment after they are listed.
 */
async function openCatalog(page: Page, path: string, total: number): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    await page.goto(url(path));
    const count = page.getByTestId('result-count');
    await count.waitFor();
    const shown = Number(await count.getAttribute('data-total'));
    if (shown === total) return;
    if (Date.now() > deadline) expect({ path, total: shown }).toEqual({ path, total });
    await page.waitForTimeout(300);
  }
}

async function addToCart(page: Page, productId: string, quantity: number): Promise<void> {
  await page.goto(url(`/products/${productId}`));
  await page.getByLabel('Quantity').fill(String(quantity));
  await page.getByRole('button', { name: 'Add to cart' }).click();
  await page
    .getByRole('status')
    .filter({ hasText: `Added ${quantity}` })
    .waitFor();
}

/** Checks out with a shipping address typed into the form (fulfilment's own test covers the address book). */
async function checkOut(page: Page): Promise<string> {
  await page.goto(url('/cart'));
  await page.getByLabel('Full name').fill('Grace Hopper');
  await page.getByLabel('Address line 1').fill('1 Harbour Road');
  await page.getByLabel('City').fill('Arlington');
  await page.getByLabel('Postal code').fill('22201');
  await page.getByLabel('Country').selectOption('US');
  await page.getByRole('button', { name: 'Check out' }).click();
  await page.waitForURL(/\/orders\/[^/]+$/);
  await page.getByTestId('order-page').waitFor();
  return new URL(page.url()).pathname.split('/').pop()!;
}

async function expectText(locator: ReturnType<Page['locator']>, text: string | RegExp): Promise<void> {
  await locator.first().waitFor();
  const deadline = Date.now() + 20_000;
  for (;;) {
    const actual = (await locator.first().textContent()) ?? '';
    if (typeof text === 'string' ? actual.includes(text) : text.test(actual)) return;
    if (Date.now() > deadline) expect(actual).toEqual(expect.stringContaining(String(text)));
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Waits (without reloading) until the order page shows `status`. */
async function waitForOrderStatus(page: Page, status: string, timeoutMs: number): Promise<void> {
  await page.locator(`[data-testid="order-page"][data-order-status="${status}"]`).waitFor({ timeout: timeoutMs });
  await expectText(page.getByTestId('order-status'), status === 'created' ? 'awaiting payment' : status);
}

test('sign-up shows the API validation errors next to the email and password fields', async () => {
  await buyer.goto(url('/signup'));
  await buyer.getByLabel('Email').fill('not-an-email');
  await buyer.getByLabel('Password').fill('short');
  await buyer.getByRole('button', { name: 'Sign up' }).click();

  for (const field of ['email', 'password']) {
    const error = buyer.locator(`#${field}-error`);
    await error.waitFor();
    expect((await error.textContent())?.trim().length).toBeGreaterThan(0);
    // The message is tied to its input for assistive technology, and the input is marked invalid.
    const input = buyer.locator(`#${field}`);
    expect(await input.getAttribute('aria-describedby')).toContain(`${field}-error`);
    expect(await input.getAttribute('aria-invalid')).toBe('true');
  }
  expect(buyer.url()).toBe(url('/signup'));
  await screenshot(buyer, 'signup-errors');
});

test('a seller signs up, sees validation errors on an empty product, lists products and edits one', async () => {
  await signUp(seller, sellerEmail);
  await seller.goto(url('/sell'));
  await seller.getByTestId('seller-empty').waitFor();

  await seller.goto(url('/sell/new'));
  await seller.getByRole('button', { name: 'List product' }).click();
  for (const field of ['title', 'price', 'quantity']) {
    await seller.locator(`#${field}-error`).waitFor();
    expect(await seller.locator(`#${field}`).getAttribute('aria-invalid')).toBe('true');
  }
  await expectText(seller.locator('#title-error'), 'Title is required.');
  // The first field to fix has the focus.
  expect(await seller.evaluate(() => document.activeElement?.id)).toBe('title');

  // Messages name the field as labelled and say what is expected; the help stays beside them.
  await seller.getByLabel('Title').fill(`Invalid ${run}`);
  await seller.getByLabel('Price (USD)').fill('twelve');
  await seller.getByLabel('Units in stock').fill('2.5');
  await seller.getByRole('button', { name: 'List product' }).click();
  await expectText(seller.locator('#price-error'), 'Price must be a number like 18.50.');
  await expectText(seller.locator('#quantity-error'), 'Units in stock must be a whole number, like 5.');
  expect(await seller.locator('#title-error').count()).toBe(0);
  for (const field of ['price', 'quantity']) {
    expect(await seller.locator(`#${field}-hint`).isVisible()).toBe(true);
    expect((await seller.locator(`#${field}`).getAttribute('aria-describedby'))?.split(' ')).toEqual([`${field}-error`, `${field}-hint`]);
  }
  await seller.getByLabel('Price (USD)').fill('12.505');
  await seller.getByLabel('Units in stock').fill('3');
  await seller.getByRole('button', { name: 'List product' }).click();
  await expectText(seller.locator('#price-error'), 'Price can have at most 2 decimals, like 18.50.');
  expect(await seller.locator('#quantity-error').count()).toBe(0);
  expect(seller.url()).toBe(url('/sell/new')); // nothing was listed
  await screenshot(seller, 'seller-product-form-errors');

  // "12,50" (decimal comma) lists the lamp at 12.50.
  productIds.lamp = await listProduct(seller, lamp);
  await expectText(seller.getByTestId('product-price'), '$12.50');
  productIds.mug = await listProduct(seller, mug);
  productIds.poster = await listProduct(seller, poster);
  // A seller's own product page offers editing instead of buying.
  await expectText(seller.locator('.notice'), 'This is your listing');
  expect(await seller.getByRole('button', { name: 'Add to cart' }).count()).toBe(0);

  await seller.goto(url('/sell'));
  await seller.getByRole('link', { name: `Edit ${mug.title}` }).click();
  await seller.waitForURL(url(`/sell/${productIds.mug}/edit`));
  await seller.getByLabel('Price (USD)').fill(String(mug.editedPrice));
  await seller.getByRole('button', { name: 'Save changes' }).click();
  await seller.waitForURL(url('/sell'));

  const rows = seller.getByTestId('seller-product');
  await rows.first().waitFor();
  expect(await rows.count()).toBe(3);
  const mugRow = seller.locator(`[data-testid="seller-product"][data-product-id="${productIds.mug}"]`);
  await expectText(mugRow, '$3.25');
  const posterRow = seller.locator(`[data-testid="seller-product"][data-product-id="${productIds.poster}"]`);
  await expectText(posterRow, 'Sold out');
  await screenshot(seller, 'seller-products');
});

test('a buyer signs up, signs out, is refused a wrong password and signs in', async () => {
  await signUp(buyer, buyerEmail);
  await buyer.getByRole('button', { name: 'Sign out' }).click();
  await buyer.getByRole('link', { name: 'Sign in' }).waitFor();
  expect(await buyer.getByTestId('current-user').count()).toBe(0);

  // Signing up again with the same email does not tell the page's reader that the email has an account.
  await buyer.goto(url('/signup'));
  await buyer.getByLabel('Email').fill(buyerEmail);
  await buyer.getByLabel('Password').fill('another long password');
  await buyer.getByRole('button', { name: 'Sign up' }).click();
  const refused = buyer.getByTestId('form-error');
  await expectText(refused, "We couldn't create an account with these details. If you already have one, sign in instead.");
  expect(await refused.textContent()).not.toMatch(/in use|already (used|registered|exists)|taken/i);
  expect(await buyer.locator('#email').getAttribute('aria-invalid')).toBeNull();
  expect(await refused.getByRole('link', { name: 'sign in' }).getAttribute('href')).toBe('/signin');
  expect(buyer.url()).toBe(url('/signup'));

  await buyer.goto(url('/signin'));
  await buyer.getByLabel('Email').fill(buyerEmail);
  await buyer.getByLabel('Password').fill('not the password');
  await buyer.getByRole('button', { name: 'Sign in' }).click();
  await buyer.getByTestId('form-error').waitFor();
  expect(buyer.url()).toBe(url('/signin'));

  await buyer.getByLabel('Password').fill(password);
  await buyer.getByRole('button', { name: 'Sign in' }).click();
  await buyer.waitForURL(url('/'));
  await expectText(buyer.getByTestId('current-user'), buyerEmail);
});

test('the catalog search finds the listed products and marks the one without stock sold out', async () => {
  await openCatalog(buyer, `/?q=${run}`, 3);
  const cards = buyer.getByTestId('product-card');
  await cards.first().waitFor();
  const titles = await cards.locator('h2').allTextContents();
  expect(titles.sort()).toEqual([lamp.title, mug.title, poster.title].sort());
  const posterCard = buyer.locator(`[data-testid="product-card"][data-product-id="${productIds.poster}"]`);
  await expectText(posterCard, 'Sold out');
  const lampCard = buyer.locator(`[data-testid="product-card"][data-product-id="${productIds.lamp}"]`);
  expect(await lampCard.locator('.sold-out').count()).toBe(0);
  await screenshot(buyer, 'catalog');

  await buyer.goto(url(`/?q=nothing-matches-${run}`));
  await buyer.getByTestId('catalog-empty').waitFor();

  await buyer.goto(url(`/products/${productIds.poster}`));
  await buyer.getByTestId('sold-out').waitFor();
  expect(await buyer.getByRole('button', { name: 'Add to cart' }).count()).toBe(0);

  const phone = await buyerContext.newPage();
  await phone.setViewportSize({ width: 390, height: 844 });
  await phone.goto(url(`/?q=${run}`));
  await phone.getByTestId('product-card').first().waitFor();
  // Usable at phone width: nothing wider than the screen.
  expect(await phone.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
  await screenshot(phone, 'catalog-phone');
  await phone.close();
});

test('two products go into the cart, which survives a reload and totals edited quantities', async () => {
  await addToCart(buyer, productIds.lamp, 2);
  await screenshot(buyer, 'product');
  await addToCart(buyer, productIds.mug, 1);
  await expectText(buyer.getByTestId('cart-count'), '3');

  await buyer.goto(url('/cart'));
  await buyer.getByTestId('cart-line').first().waitFor();
  await buyer.reload();
  const lines = buyer.getByTestId('cart-line');
  await lines.first().waitFor();
  expect(await lines.count()).toBe(2);

  await buyer.getByLabel(`Quantity of ${mug.title}`).fill('3');
  const expectedTotal = 2 * lamp.price + 3 * mug.editedPrice;
  const deadline = Date.now() + 10_000;
  while (parseMoney(await buyer.getByTestId('cart-total').textContent()) !== expectedTotal && Date.now() < deadline)
    await buyer.waitForTimeout(100);
  expect(parseMoney(await buyer.getByTestId('cart-total').textContent())).toBe(expectedTotal);
  await screenshot(buyer, 'cart');

  // The same cart (same browser profile) at phone width: stacked rows, nothing wider than the screen.
  const phone = await buyerContext.newPage();
  await phone.setViewportSize({ width: 390, height: 844 });
  await phone.goto(url('/cart'));
  await phone.getByTestId('cart-line').first().waitFor();
  expect(await phone.getByTestId('cart-line').count()).toBe(2);
  expect(await phone.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
  await screenshot(phone, 'cart-phone');
  await phone.close();
});

test('checkout creates the order and paying with tok_visa completes it without a reload', async () => {
  orderIds.paid = await checkOut(buyer);
  await waitForOrderStatus(buyer, 'created', 10_000);
  expect(await buyer.getByTestId('order-line').count()).toBe(2);
  expect(parseMoney(await buyer.getByTestId('order-total').textContent())).toBe(2 * lamp.price + 3 * mug.editedPrice);
  await buyer.getByTestId('countdown').waitFor();
  expect(await buyer.getByTestId('cart-count').count()).toBe(0); // the cart was emptied by the checkout
  await screenshot(buyer, 'order-created');

  await markNoReload(buyer);
  await buyer.getByLabel(/Test Visa/).check();
  await buyer.getByRole('button', { name: /^Pay / }).click();
  await waitForOrderStatus(buyer, 'complete', 45_000);
  expect(await wasReloaded(buyer)).toBe(false);

  // A receipt: date, lines, total paid and the payment's reference.
  await expectText(buyer.getByRole('heading', { level: 1 }), 'Receipt');
  const receipt = buyer.getByTestId('receipt');
  await expectText(receipt, 'Total paid');
  await expectText(receipt, '5 items');
  await expectText(receipt, `$${(2 * lamp.price + 3 * mug.editedPrice).toFixed(2)}`);
  const reference = (await buyer.getByTestId('payment-reference').textContent())?.trim();
  expect(reference).toMatch(/^[0-9a-f]{24}$/);
  expect(await buyer.getByTestId('order-date').first().getAttribute('datetime')).toMatch(/^\d{4}-\d\d-\d\dT/);
  await screenshot(buyer, 'order-complete');

  // Opened later, the receipt has the same reference (the server asks the payments API for it).
  await buyer.reload();
  await expectText(buyer.getByTestId('payment-reference'), reference!);
});

test('the product page shows fewer available units after the paid order', async () => {
  const deadline = Date.now() + 30_000;
  let available = NaN;
  do {
    await buyer.goto(url(`/products/${productIds.lamp}`));
    available = parseMoney(await buyer.getByTestId('product-available').textContent());
    if (available === lamp.quantity - 2) break;
    await buyer.waitForTimeout(1000);
  } while (Date.now() < deadline);
  expect(available).toBe(lamp.quantity - 2);
});

test('a declined card shows the decline message; the unpaid order then expires to cancelled on screen', async () => {
  await addToCart(buyer, productIds.lamp, 1);
  orderIds.expired = await checkOut(buyer);
  await waitForOrderStatus(buyer, 'created', 10_000);
  await markNoReload(buyer);

  await buyer.getByLabel(/declined/i).check();
  await buyer.getByRole('button', { name: /^Pay / }).click();
  const declined = buyer.locator('#token-error');
  await declined.waitFor();
  expect((await declined.textContent())?.trim().length).toBeGreaterThan(0);
  expect(await buyer.getByTestId('order-page').getAttribute('data-order-status')).toBe('created');
  await screenshot(buyer, 'order-declined');

  await waitForOrderStatus(buyer, 'cancelled', (ORDER_EXPIRATION_SECONDS + 45) * 1000);
  expect(await wasReloaded(buyer)).toBe(false);
  expect(await buyer.getByRole('button', { name: /^Pay / }).count()).toBe(0);
  await screenshot(buyer, 'order-expired');
});

test('cancelling an order asks first: "Keep order" keeps it, "Yes, cancel order" cancels it', async () => {
  await addToCart(buyer, productIds.mug, 1);
  orderIds.cancelled = await checkOut(buyer);
  await waitForOrderStatus(buyer, 'created', 10_000);

  await buyer.getByRole('button', { name: 'Cancel order' }).click();
  const dialog = buyer.getByRole('dialog', { name: 'Cancel this order?' });
  await dialog.waitFor();
  await expectText(dialog, 'Cancelling releases the 1 item held for you');
  await screenshot(buyer, 'order-cancel-confirm');
  await dialog.getByRole('button', { name: 'Keep order' }).click();
  await dialog.waitFor({ state: 'detached' });
  // Still open a moment later (a cancel would show within the page's next poll).
  await buyer.waitForTimeout(2500);
  expect(await buyer.getByTestId('order-page').getAttribute('data-order-status')).toBe('created');

  await buyer.getByRole('button', { name: 'Cancel order' }).click();
  await dialog.getByRole('button', { name: 'Yes, cancel order' }).click();
  await waitForOrderStatus(buyer, 'cancelled', 10_000);
  await expectText(buyer.getByTestId('cancel-reason'), 'You cancelled this order.');
});

test('my orders lists every order with its status and total', async () => {
  await buyer.goto(url('/orders'));
  await buyer.getByTestId('my-order').first().waitFor();
  const statusOf = async (id: string) =>
    buyer.locator(`[data-testid="my-order"][data-order-id="${id}"] [data-testid="order-status"]`).getAttribute('data-status');
  expect(await statusOf(orderIds.paid!)).toBe('complete');
  expect(await statusOf(orderIds.expired!)).toBe('cancelled');
  expect(await statusOf(orderIds.cancelled!)).toBe('cancelled');
  const row = (id: string) => buyer.locator(`[data-testid="my-order"][data-order-id="${id}"]`);
  const paidRow = row(orderIds.paid!);
  expect(parseMoney(await paidRow.locator('td').last().textContent())).toBe(2 * lamp.price + 3 * mug.editedPrice);

  // The date it was placed (today, in the browser's time zone), the number of items, why it was cancelled.
  const today = await buyer.evaluate(() => new Intl.DateTimeFormat('en-US', { dateStyle: 'medium' }).format(new Date()));
  for (const id of [orderIds.paid!, orderIds.expired!, orderIds.cancelled!]) await expectText(row(id).getByTestId('order-date'), today);
  await expectText(paidRow.getByTestId('order-item-count'), '5 items');
  await expectText(row(orderIds.expired!).getByTestId('order-item-count'), '1 item');
  expect(await paidRow.getByTestId('cancel-reason').count()).toBe(0);
  await expectText(row(orderIds.expired!).getByTestId('cancel-reason'), 'Expired: not paid in time');
  await expectText(row(orderIds.cancelled!).getByTestId('cancel-reason'), 'Cancelled by you');
  await screenshot(buyer, 'my-orders');
});

test('the catalog pages through results with the next cursor', async () => {
  // Twelve more of the seller's products (through the API, with the seller's session) make the
  // run's products span two catalog pages of twelve.
  for (let i = 1; i <= 12; i++) {
    const res = await sellerContext.request.post(url('/api/products'), { data: { title: `Sticker ${i} ${run}`, price: 1, quantity: 1 } });
    expect(res.status()).toBe(201);
  }
  await openCatalog(buyer, `/?q=${run}`, 15);
  const cards = buyer.getByTestId('product-card');
  await cards.first().waitFor();
  const firstPage = await cards.locator('h2').allTextContents();
  expect(firstPage).toHaveLength(12);
  await buyer.getByRole('link', { name: /Next page/ }).click();
  await buyer.waitForURL(/cursor=/);
  await cards.first().waitFor();
  const secondPage = await cards.locator('h2').allTextContents();
  expect(secondPage).toHaveLength(15 - 12);
  expect(secondPage.filter((t) => firstPage.includes(t))).toEqual([]);
  expect(await buyer.getByRole('link', { name: /Next page/ }).count()).toBe(0);
});
