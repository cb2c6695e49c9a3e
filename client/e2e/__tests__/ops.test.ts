/**
 * The operations page in a real browser (Debian chromium through playwright-core) against the
 * whole platform (`node scripts/platform.js`), whose ops service (/api/ops) the page reads. The
 * test runs the nats-server itself and hands it to the platform (NATS_URL, NATS_MONITOR_URL), so
 * it can publish a malformed event that a service dead-letters, then check what the page shows
 * and that its replay button republishes it. The storefront itself never connects to NATS.
 */
import type { Browser, Page } from 'playwright-core';
import { createLogger, EventBus, Streams } from '@jetmart/common';
import { publishRaw, readStream, startNats, type NatsTestServer } from '@jetmart/common/testing';
import type { OpsDeadLetterPage } from '@jetmart/common/contracts';
import { launchChromium, screenshot, signUp as signUpAt } from '../support/browser';
import { startPlatform, type RunningPlatform } from '../support/platform';

const run = `r${Date.now().toString(36)}`;
const password = 'correct horse battery';
const adminEmail = `ops-${run}@example.com`;
const shopperEmail = `shopper-${run}@example.com`;

let nats: NatsTestServer;
let bus: EventBus;
let platform: RunningPlatform;
let browser: Browser;
let admin: Page;
let shopper: Page;

const url = (path: string) => platform.baseUrl + path;

beforeAll(async () => {
  nats = await startNats();
  platform = await startPlatform({
    NATS_URL: nats.url,
    NATS_MONITOR_URL: nats.monitorUrl,
    ADMIN_EMAILS: `someone@example.com, ${adminEmail.toUpperCase()}`,
  });
  bus = await EventBus.connect({
    servers: nats.url,
    name: 'ops-browser-test',
    logger: createLogger('ops-browser-test', { level: 'silent' }),
  });
  browser = await launchChromium();
  admin = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
  shopper = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
  for (const page of [admin, shopper]) page.setDefaultTimeout(20_000);
});

afterAll(async () => {
  await browser?.close();
  await bus?.drain();
  await platform?.stop();
  await nats?.destroy();
});

const signUp = (page: Page, email: string) => signUpAt(page, platform.baseUrl, email, password);

const deadLettersFor = async (durable: string) =>
  (await readStream(bus, Streams.deadLetter.name, { subject: `deadletter.${durable}` })).map((m) => m.seq);

async function until<T>(what: string, check: () => Promise<T | null | undefined | false>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

// Anyone but an admin gets the storefront's ordinary not-found page with HTTP 404: proxy.ts
// decides before rendering (the page's own notFound() would come after the root loading.tsx
// began streaming, i.e. with status 200).
async function expectNotFoundPage(page: Page): Promise<void> {
  const res = await page.goto(url('/ops'));
  expect(res?.status()).toBe(404);
  await page.getByRole('heading', { name: 'Not found' }).waitFor();
  expect(await page.getByTestId('ops-page').count()).toBe(0);
  expect(await page.content()).not.toContain('DEADLETTER');
  expect(await page.getByRole('link', { name: 'Ops' }).count()).toBe(0);
  // Below /ops too, and for a plain request with the same cookies.
  expect((await page.request.get(url('/ops/anything'))).status()).toBe(404);
}

test('signed out, or signed in without being an admin: /ops is the not-found page with HTTP 404, and the ops API refuses (401, 403)', async () => {
  await expectNotFoundPage(shopper);
  const signedOut = await shopper.request.post(url('/api/ops/deadletters/1/replay'), { data: {} });
  expect([signedOut.status(), await signedOut.json()]).toEqual([401, { errors: [{ message: 'Not signed in' }] }]);
  await signUp(shopper, shopperEmail);
  await expectNotFoundPage(shopper);
  const replay = await shopper.request.post(url('/api/ops/deadletters/1/replay'), { data: {} });
  expect([replay.status(), await replay.json()]).toEqual([403, { errors: [{ message: 'Admins only' }] }]);
  expect((await shopper.request.get(url('/api/ops/status'))).status()).toBe(403);
});

test('an admin sees the services, streams and consumers, and a dead-lettered event, and replays it', async () => {
  // A malformed product.created: orders' durable dead-letters it at once (schema check).
  await publishRaw(bus, 'product.created', [new TextEncoder().encode(JSON.stringify({ id: 'not-an-event' }))]);
  const deadSeq = await until('dead-lettered by orders', async () => (await deadLettersFor('orders-product-created')).at(0) ?? null);

  await signUp(admin, adminEmail);
  await admin.getByRole('link', { name: 'Ops' }).click();
  await admin.waitForURL(url('/ops'));
  await admin.getByTestId('ops-page').waitFor();
  expect((await admin.request.get(url('/ops'))).status()).toBe(200);
  // What the page shows is what the ops API answers the admin.
  const api = await admin.request.get(url('/api/ops/deadletters'));
  expect(api.status()).toBe(200);
  expect(((await api.json()) as OpsDeadLetterPage).messages.find((m) => m.seq === deadSeq)).toMatchObject({
    originalSubject: 'product.created',
    consumer: 'orders-product-created',
  });

  for (const name of ['auth', 'products', 'orders', 'payments', 'expiration']) {
    expect(await admin.locator(`[data-testid="ops-service"][data-service="${name}"]`).getAttribute('data-ready')).toBe('true');
  }
  expect(await admin.getByTestId('ops-server').textContent()).toMatch(/nats-server 2\.\d+\.\d+/);
  for (const stream of ['PRODUCTS', 'ORDERS', 'PAYMENTS', 'EXPIRATION', 'DEADLETTER']) {
    await admin.locator(`[data-testid="ops-stream"][data-stream="${stream}"]`).waitFor();
  }
  const products = admin.locator('[data-testid="ops-stream"][data-stream="PRODUCTS"]');
  const lastSeqBefore = Number(await products.getAttribute('data-last-seq'));
  expect(lastSeqBefore).toBeGreaterThanOrEqual(1);
  await admin.locator('[data-testid="ops-consumer"][data-consumer="orders-product-created"]').waitFor();

  const row = admin.locator(`[data-testid="ops-deadletter"][data-seq="${deadSeq}"]`);
  expect(await row.getAttribute('data-original-subject')).toBe('product.created');
  expect(await row.textContent()).toContain('orders-product-created');
  expect(await row.textContent()).toContain('invalid event');
  expect(await row.textContent()).toContain('not-an-event');
  await screenshot(admin, 'ops-page');

  await row.getByRole('button', { name: /Replay/ }).click();
  await admin.getByRole('status').filter({ hasText: 'Replayed to product.created' }).waitFor();
  // Gone from DEADLETTER, republished to PRODUCTS with a new sequence.
  await admin.locator(`[data-testid="ops-deadletter"][data-seq="${deadSeq}"]`).waitFor({ state: 'detached' });
  expect(await deadLettersFor('orders-product-created').then((seqs) => seqs.includes(deadSeq))).toBe(false);
  const replayed = await bus.jsm.streams.getMessage('PRODUCTS', { last_by_subj: 'product.created' });
  expect(replayed!.seq).toBeGreaterThan(lastSeqBefore);
  expect(replayed!.header?.get('Jetmart-Replayed-From')).toBe(`DEADLETTER/${deadSeq}`);
  expect(JSON.parse(replayed!.string())).toEqual({ id: 'not-an-event' });
  // Still malformed, so orders dead-letters the replayed copy again: the replay reached the consumer.
  await until('the replayed copy dead-lettered again', async () =>
    (await deadLettersFor('orders-product-created')).find((s) => s > deadSeq),
  );
});
