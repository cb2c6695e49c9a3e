/**
 * Notifications in a real browser against the whole platform (the notifications service and
 * Mailpit included): a buyer orders and pays; the notifications service hears of both (order
 * confirmed, payment received) and the bell in the buyer's header counts them, its accessible name
 * saying how many ("Notifications, 2 unread"), also after a client-side navigation (the header is
 * not rendered again then). Opening /notifications lists them newest first, marked new and linking
 * to the order, and the count is gone afterwards, for the page and for the API. The seller hears of
 * the sale the same way and clears the marks with "Mark all read".
 *
 * The order is placed through the API with the buyer's session (retried while the orders service
 * learns of the new product) and paid in the browser. The steps share one seller and one buyer and
 * run in order.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { NotificationFeed, NotificationRecord } from '@jetmart/common/contracts';
import { launchChromium, screenshot, signUp } from '../support/browser';
import { sharedPlatform, type RunningPlatform } from '../support/platform';

const run = `n${Date.now().toString(36)}`;
const password = 'correct horse battery';
const shippingAddress = { name: 'Grace Hopper', line1: '1 Harbour Road', city: 'Arlington', postalCode: '22201', country: 'US' };

let platform: RunningPlatform;
let browser: Browser;
let sellerContext: BrowserContext;
let buyerContext: BrowserContext;
let seller: Page;
let buyer: Page;
let productId: string;
let orderId: string;

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
    data: { title: `Kettle ${run}`, description: 'Whistles when it is done.', price: 27.5, quantity: 10 },
  });
  expect(listed.status()).toBe(201);
  productId = ((await listed.json()) as { id: string }).id;
  await signUp(buyer, platform.baseUrl, `buyer-${run}@example.com`, password);
});

afterAll(async () => {
  await browser?.close();
  await platform?.stop();
});

/** Asks `read` until `done` holds (notifications are written when their service hears of a step, a moment after it), or fails with the last answer. */
async function eventually<T>(what: string, read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 45_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`${what}: still ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, 300));
  }
}

/** The newest page of a person's notifications, through the API with their session. */
async function feedOf(context: BrowserContext): Promise<NotificationFeed> {
  const res = await context.request.get(url('/api/notifications'));
  expect(res.status()).toBe(200);
  return (await res.json()) as NotificationFeed;
}

const about = (feed: NotificationFeed, link: string) => feed.items.filter((n) => n.link === link);
const kinds = (items: NotificationRecord[]) => items.map((n) => n.kind).sort();

const bell = (page: Page) => page.getByTestId('notification-bell');
const bellBadge = (page: Page) => bell(page).getByTestId('notification-count');

/** The bell as a person meets it: its accessible name, and the number on its badge (null without one). */
async function bellState(page: Page): Promise<{ name: string | null; badge: string | null }> {
  await bell(page).waitFor();
  const name = await bell(page).getAttribute('aria-label');
  const badge = (await bellBadge(page).count()) > 0 ? await bellBadge(page).textContent() : null;
  return { name, badge };
}

/** An order of the buyer's through the API (placing is retried while the orders service learns of the new product). */
async function placeOrder(): Promise<string> {
  const placed = await eventually(
    'order placed',
    async () => {
      const res = await buyerContext.request.post(url('/api/orders'), { data: { items: [{ productId, quantity: 2 }], shippingAddress } });
      return { status: res.status(), body: (await res.json().catch(() => null)) as { id: string } | null };
    },
    (r) => r.status === 201,
    30_000,
  );
  return placed.body!.id;
}

test('after ordering and paying, the bell counts the unread notifications and is named with the count', async () => {
  // A new account: the bell is there, linking to the page.
  await buyer.goto(url('/'));
  expect(await bell(buyer).getAttribute('href')).toBe('/notifications');

  orderId = await placeOrder();
  await buyer.goto(url(`/orders/${orderId}`));
  await buyer.getByRole('button', { name: /^Pay / }).click();
  await buyer.locator('[data-testid="order-page"][data-order-status="complete"]').waitFor({ timeout: 45_000 });

  // Both of the buyer's notices about the order are written: the confirmation and the receipt.
  const feed = await eventually(
    "the buyer's notifications about the order",
    () => feedOf(buyerContext),
    (f) => kinds(about(f, `/orders/${orderId}`)).join() === 'order.confirmed,payment.received',
  );
  expect(about(feed, `/orders/${orderId}`).every((n) => !n.read)).toBe(true);
  expect(feed.unread).toBeGreaterThanOrEqual(2);

  // The order page was rendered before they existed; a client-side navigation (the header stays) asks
  // again, and the bell shows the count without a reload.
  await buyer.evaluate(() => ((window as unknown as { stillThisDocument: boolean }).stillThisDocument = true));
  await buyer.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'My orders' }).click();
  await buyer.waitForURL(url('/orders'));
  await bellBadge(buyer).waitFor();
  expect(await buyer.evaluate(() => (window as unknown as { stillThisDocument?: boolean }).stillThisDocument)).toBe(true);
  // The badge may still show the count the order page was rendered with until the new answer arrives.
  await buyer.waitForFunction(() => Number(document.querySelector('[data-testid="notification-count"]')?.textContent ?? 0) >= 2);
  const shown = await bellState(buyer);
  const count = Number(shown.badge);
  expect(count).toBeGreaterThanOrEqual(2);
  expect(shown.name).toBe(`Notifications, ${count} unread`);
  expect(await buyer.getByRole('link', { name: `Notifications, ${count} unread` }).count()).toBe(1);

  // A full page load renders the same count on the server.
  await buyer.goto(url('/returns'));
  expect(await bellState(buyer)).toEqual({ name: `Notifications, ${count} unread`, badge: String(count) });
  await screenshot(buyer, 'notifications-bell');
});

test('opening /notifications lists them newest first, marked new, linking to the order; afterwards the count is gone', async () => {
  await bell(buyer).click();
  await buyer.waitForURL(url('/notifications'));
  await buyer.getByRole('heading', { level: 1, name: 'Notifications' }).waitFor();

  const entries = buyer.locator('[data-testid="notification"]');
  await entries.first().waitFor();
  const listed = await entries.evaluateAll((els) =>
    els.map((el) => ({
      id: el.getAttribute('data-notification-id'),
      kind: el.getAttribute('data-kind'),
      read: el.getAttribute('data-read'),
      href: el.querySelector('h2 a')?.getAttribute('href') ?? null,
      title: el.querySelector('h2 a')?.textContent ?? '',
      isNew: el.querySelector('[data-testid="notification-unread"]') !== null,
    })),
  );
  const aboutOrder = listed.filter((n) => n.href === `/orders/${orderId}`);
  expect(aboutOrder.map((n) => n.kind).sort()).toEqual(['order.confirmed', 'payment.received']);
  // Both were unread when the page opened, and are marked so.
  expect(aboutOrder.every((n) => n.read === 'false' && n.isNew && n.title.length > 0)).toBe(true);
  // Newest first: the page lists them in the feed's order, whose times never go up.
  const feed = await feedOf(buyerContext);
  expect(listed.map((n) => n.id)).toEqual(feed.items.map((n) => n.id));
  const times = feed.items.map((n) => Date.parse(n.createdAt));
  expect(times).toEqual([...times].sort((a, b) => b - a));
  await screenshot(buyer, 'notifications-page');

  // Opening the page marked them read: the bell has no count any more, in the page and on the server.
  await bellBadge(buyer).waitFor({ state: 'detached' });
  expect(await bellState(buyer)).toEqual({ name: 'Notifications', badge: null });
  const after = await eventually(
    'the unread count after opening the page',
    () => feedOf(buyerContext),
    (f) => f.unread === 0,
  );
  expect(about(after, `/orders/${orderId}`).every((n) => n.read)).toBe(true);

  // Read again, the page shows them read, and nothing left to mark.
  await buyer.reload();
  await entries.first().waitFor();
  expect(await buyer.getByTestId('notification-unread').count()).toBe(0);
  expect(await buyer.getByRole('button', { name: 'Mark all read' }).count()).toBe(0);
  expect(await bellState(buyer)).toEqual({ name: 'Notifications', badge: null });

  // A notification leads to the page it is about.
  await buyer.locator(`[data-testid="notification"][data-kind="order.confirmed"] h2 a[href="/orders/${orderId}"]`).click();
  await buyer.waitForURL(url(`/orders/${orderId}`));
  await buyer.getByTestId('order-page').waitFor();
});

test('the seller hears of the sale; "Mark all read" clears the marks', async () => {
  const feed = await eventually(
    "the seller's notification of the sale",
    () => feedOf(sellerContext),
    (f) => f.items.some((n) => n.kind === 'sale.made' && !n.read),
  );
  expect(feed.unread).toBeGreaterThanOrEqual(1);

  await seller.goto(url('/sell'));
  const shown = await bellState(seller);
  expect(shown.name).toBe(`Notifications, ${shown.badge} unread`);
  expect(Number(shown.badge)).toBeGreaterThanOrEqual(1);

  await seller.goto(url('/notifications'));
  const sale = seller.locator('[data-testid="notification"][data-kind="sale.made"]').first();
  await sale.getByTestId('notification-unread').waitFor();
  expect(await sale.locator('h2 a').getAttribute('href')).toBe('/sell/shipments');
  await bellBadge(seller).waitFor({ state: 'detached' });

  // The marks stay for this visit, so the seller sees what was new, until "Mark all read".
  await seller.getByRole('button', { name: 'Mark all read' }).click();
  // While the request is out the button reads "Marking…"; done is when the page shows no mark and no button.
  await seller.getByTestId('notification-unread').first().waitFor({ state: 'detached' });
  expect(await seller.getByTestId('notification-unread').count()).toBe(0);
  expect(await seller.getByRole('button', { name: /Mark all read|Marking/ }).count()).toBe(0);
  await seller.waitForFunction(() => document.activeElement?.id === 'notifications-heading');
  expect((await feedOf(sellerContext)).unread).toBe(0);

  await sale.locator('h2 a').click();
  await seller.waitForURL(url('/sell/shipments'));
});
