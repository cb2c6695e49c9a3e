/**
 * The catalog a person can shop (issue 19) in a real browser against the whole platform (search
 * and products with its images and reviews included):
 *  - filtering by category and by price: the URL, the visible results and the sidebar's counts
 *    change with each click; sorting; "did you mean" for a misspelt word;
 *  - the seller adds photos on the edit page (plain forms: a file that is not an image is
 *    refused), makes one the cover and deletes one; the product page's gallery switches photos
 *    through its thumbnails (?image=);
 *  - a buyer cannot review before delivery; after an order is bought, paid with the sandbox card,
 *    shipped and delivered (through the API, as the other browser tests do), the buyer writes a
 *    review in the browser, it appears, the product's rating updates (product page and the
 *    catalog's search results), the buyer edits it, and the seller replies;
 *  - three other shoppers report the review, it is hidden and leaves the rating; an admin finds it on
 *    /ops/reviews and restores it (it shows and counts again), a non-admin gets the not-found page;
 *  - no serious or critical accessibility violation on these pages (axe-core).
 *
 * The steps share one seller and one buyer and run in order.
 */
import { AxeBuilder } from '@axe-core/playwright';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import {
  REVIEW_LIMITS,
  type Address,
  type MyReview,
  type Order,
  type Product,
  type SearchResponse,
  type Shipment,
} from '@jetmart/common/contracts';
import { launchChromium, screenshot, signUp } from '../support/browser';
import { startPlatform, type RunningPlatform } from '../support/platform';
import { solidPng } from '../support/png';

const run = `k${Date.now().toString(36)}`;
const adminEmail = `admin-${run}@example.com`;
const password = 'correct horse battery';
const shippingAddress: Address = {
  name: 'Ada Lovelace',
  line1: '12 St James Square',
  city: 'London',
  postalCode: 'SW1Y 4JH',
  country: 'GB',
};

/** Four products in three categories and four price buckets; `run` makes them this file's own. */
const products = {
  brassLamp: { title: `Brass lamp ${run}`, category: 'lighting', price: 45, quantity: 10 },
  floorLamp: { title: `Floor lamp ${run}`, category: 'lighting', price: 120, quantity: 5 },
  teapot: { title: `Teapot ${run}`, category: 'kitchen', price: 18, quantity: 5 },
  novel: { title: `Novel ${run}`, category: 'fiction', price: 9, quantity: 5 },
};
type Key = keyof typeof products;
const ids = {} as Record<Key, string>;

let platform: RunningPlatform;
let browser: Browser;
let sellerContext: BrowserContext;
let buyerContext: BrowserContext;
let seller: Page;
let buyer: Page;

const url = (path: string) => platform.baseUrl + path;

beforeAll(async () => {
  platform = await startPlatform({ ADMIN_EMAILS: adminEmail });
  browser = await launchChromium();
  const viewport = { width: 1280, height: 900 };
  sellerContext = await browser.newContext({ viewport });
  buyerContext = await browser.newContext({ viewport });
  seller = await sellerContext.newPage();
  buyer = await buyerContext.newPage();
  for (const page of [seller, buyer]) page.setDefaultTimeout(20_000);

  await signUp(seller, platform.baseUrl, `seller-${run}@example.com`, password);
  for (const key of Object.keys(products) as Key[]) {
    const res = await sellerContext.request.post(url('/api/products'), {
      data: { ...products[key], description: `A ${key} for the catalog test.` },
    });
    expect(res.status()).toBe(201);
    const product = (await res.json()) as Product;
    expect(product.category).toBe(products[key].category);
    ids[key] = product.id;
  }
  await signUp(buyer, platform.baseUrl, `buyer-${run}@example.com`, password);
});

afterAll(async () => {
  await browser?.close();
  await platform?.stop();
});

/** Asks `read` until `done` holds (services learn of each other's changes by events), or fails with the last answer. */
async function eventually<T>(what: string, read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 45_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`${what}: still ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, 300));
  }
}

async function search(query: Record<string, string>): Promise<SearchResponse> {
  const res = await buyerContext.request.get(url(`/api/search?${new URLSearchParams(query)}`));
  expect(res.status()).toBe(200);
  return (await res.json()) as SearchResponse;
}

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

async function expectAccessible(page: Page, what: string): Promise<void> {
  const results = await new AxeBuilder({ page }).analyze();
  const found = results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .flatMap((v) => v.nodes.map((n) => `${v.id} (${v.impact}): ${v.help} at ${n.target.join(' ')}`));
  expect({ page: what, violations: found }).toEqual({ page: what, violations: [] });
}

/** The result titles on the page, sorted, and the count it announces. */
async function results(page: Page): Promise<{ titles: string[]; total: number }> {
  await page.getByTestId('result-count').waitFor();
  const titles = (await page.getByTestId('product-card').locator('h2').allTextContents()).map((t) => t.trim()).sort();
  const total = Number(await page.getByTestId('result-count').getAttribute('data-total'));
  return { titles, total };
}

const titlesOf = (...keys: Key[]) => keys.map((k) => products[k].title).sort();
const facetCount = async (page: Page, testId: string) => Number(await page.getByTestId(testId).getAttribute('data-count'));
const card = (page: Page, key: Key) => page.locator(`[data-testid="product-card"][data-product-id="${ids[key]}"]`);

test('filtering by category and then by price changes the URL, the results and the counts', async () => {
  // The search service indexes products from their events: wait until it has all four.
  await eventually(
    'the four products searchable',
    () => search({ q: run }),
    (r) => r.total === 4,
  );

  await buyer.goto(url(`/?q=${run}`));
  expect(await results(buyer)).toEqual({ titles: titlesOf('brassLamp', 'floorLamp', 'teapot', 'novel'), total: 4 });
  await expectText(buyer.getByTestId('result-count'), '4 products');
  // Top-level categories, each counting its children's products.
  expect(await facetCount(buyer, 'category-home')).toBe(3);
  expect(await facetCount(buyer, 'category-books')).toBe(1);
  expect(await buyer.getByTestId('category-fashion').count()).toBe(0); // nothing there: not offered
  expect(await facetCount(buyer, 'price-25')).toBe(1);
  expect(await facetCount(buyer, 'price-100')).toBe(1);
  await expectAccessible(buyer, 'catalog with facets');

  // A parent category: its children's products; the sidebar now offers its children.
  await buyer.getByTestId('category-home').click();
  await buyer.waitForURL((u) => u.searchParams.get('category') === 'home' && u.searchParams.get('q') === run);
  await buyer.getByTestId('category-lighting').waitFor();
  expect(await results(buyer)).toEqual({ titles: titlesOf('brassLamp', 'floorLamp', 'teapot'), total: 3 });
  expect(await facetCount(buyer, 'category-lighting')).toBe(2);
  expect(await facetCount(buyer, 'category-kitchen')).toBe(1);
  // The price counts follow the category filter (the novel's bucket is empty now).
  expect(await facetCount(buyer, 'price-0')).toBe(0);
  expect(await facetCount(buyer, 'price-10')).toBe(1);

  await buyer.getByTestId('category-lighting').click();
  await buyer.waitForURL((u) => u.searchParams.get('category') === 'lighting');
  expect(await results(buyer)).toEqual({ titles: titlesOf('brassLamp', 'floorLamp'), total: 2 });
  expect(await buyer.getByTestId('category-lighting').getAttribute('aria-current')).toBe('true');

  // A price bucket on top: one lamp is left; the category counts now apply the price filter.
  await buyer.getByTestId('price-25').click();
  // [25, 50) as the bucket counts it: the API's maxPrice is inclusive, so the link stops a cent below.
  await buyer.waitForURL((u) => u.searchParams.get('minPrice') === '25' && u.searchParams.get('maxPrice') === '49.99');
  expect(new URL(buyer.url()).searchParams.get('category')).toBe('lighting');
  expect(await results(buyer)).toEqual({ titles: titlesOf('brassLamp'), total: 1 });
  await expectText(buyer.getByTestId('result-count'), '1 product');
  expect(await facetCount(buyer, 'category-lighting')).toBe(1);
  expect(await buyer.getByTestId('price-25').getAttribute('aria-current')).toBe('true');
  await screenshot(buyer, 'catalog-filtered');

  // The same bucket again takes the price filter off; "All categories" the category.
  await buyer.getByTestId('price-25').click();
  await buyer.waitForURL((u) => !u.searchParams.has('minPrice') && u.searchParams.get('category') === 'lighting');
  expect((await results(buyer)).total).toBe(2);
  await buyer.getByRole('link', { name: '← All categories' }).click();
  await buyer.waitForURL((u) => !u.searchParams.has('category'));
  expect((await results(buyer)).total).toBe(4);

  // A price range typed into the sidebar's form.
  await buyer.getByLabel('Min $').fill('10');
  await buyer.getByLabel('Max $').fill('50');
  await buyer.getByRole('button', { name: 'Go', exact: true }).click();
  await buyer.waitForURL((u) => u.searchParams.get('minPrice') === '10' && u.searchParams.get('maxPrice') === '50');
  expect(await results(buyer)).toEqual({ titles: titlesOf('brassLamp', 'teapot'), total: 2 });
});

test('sorting by price and "did you mean" for a misspelt word', async () => {
  await buyer.goto(url(`/?q=${run}`));
  await buyer.getByLabel('Sort by').selectOption('price_desc');
  await buyer.getByRole('button', { name: 'Sort', exact: true }).click();
  await buyer.waitForURL((u) => u.searchParams.get('sort') === 'price_desc');
  const prices = await buyer.getByTestId('card-price').allTextContents();
  expect(prices).toEqual(['$120.00', '$45.00', '$18.00', '$9.00']);

  // "brsas" is "brass" with two letters swapped: one typo, so the lamp is found and the corrected query offered.
  await buyer.goto(url(`/?${new URLSearchParams({ q: `brsas ${run}` })}`));
  expect((await results(buyer)).titles).toEqual(titlesOf('brassLamp'));
  const suggestion = buyer.getByTestId('did-you-mean').getByRole('link');
  await expectText(suggestion, `brass ${run}`);
  await suggestion.click();
  await buyer.waitForURL((u) => u.searchParams.get('q') === `brass ${run}`);
  expect((await results(buyer)).titles).toEqual(titlesOf('brassLamp'));
});

test('the seller adds photos (a file that is not an image is refused), picks the cover and deletes one; the gallery switches photos', async () => {
  await seller.goto(url(`/sell/${ids.brassLamp}/edit`));
  await seller.getByTestId('photos').waitFor();
  expect(await seller.getByLabel('Category').inputValue()).toBe('lighting');

  const upload = async (name: string, mimeType: string, buffer: Buffer) => {
    // From the plain edit page each time, so the outcome in the URL is this upload's.
    await seller.goto(url(`/sell/${ids.brassLamp}/edit`));
    await seller.getByLabel('Add a photo').setInputFiles({ name, mimeType, buffer });
    await seller.getByRole('button', { name: 'Upload photo' }).click();
    await seller.waitForURL(/photo(Error)?=/);
  };
  // Named and typed as a PNG, but not one: checked by content, refused, nothing stored.
  await upload('fake.png', 'image/png', Buffer.from('<?php echo "not a picture"; ?>'));
  await expectText(seller.getByTestId('photo-error'), 'not a JPEG, PNG or WebP');
  expect(await seller.getByTestId('seller-photo').count()).toBe(0);

  await upload('red.png', 'image/png', solidPng(64, 48, [200, 30, 30]));
  await expectText(seller.getByTestId('photo-done'), 'Photo added.');
  await upload('blue.png', 'image/png', solidPng(48, 64, [30, 30, 200]));
  await expectText(seller.getByTestId('photo-done'), 'Photo added.');
  await upload('green.png', 'image/png', solidPng(32, 32, [30, 160, 30]));
  const photos = seller.getByTestId('seller-photo');
  expect(await photos.count()).toBe(3);
  const [red, blue, green] = await Promise.all([0, 1, 2].map((i) => photos.nth(i).getAttribute('data-image-id')));
  await expectAccessible(seller, 'edit product with photos');

  // The second becomes the cover (first in the order); the third is deleted.
  await seller.getByRole('button', { name: 'Make cover: photo 2' }).click();
  await expectText(seller.getByTestId('photo-done'), 'Cover photo changed.');
  expect(await photos.nth(0).getAttribute('data-image-id')).toBe(blue);
  expect(await photos.nth(0).getByTestId('cover-badge').count()).toBe(1);
  await seller.getByRole('button', { name: 'Delete photo 3' }).click();
  await expectText(seller.getByTestId('photo-done'), 'Photo deleted.');
  expect(await Promise.all([0, 1].map((i) => photos.nth(i).getAttribute('data-image-id')))).toEqual([blue, red]);
  expect(await seller.locator(`[data-testid="seller-photo"][data-image-id="${green}"]`).count()).toBe(0);
  await screenshot(seller, 'seller-photos');

  // The product page: the cover large, a thumbnail switches to the other photo (its URL says which).
  await buyer.goto(url(`/products/${ids.brassLamp}`));
  const gallery = buyer.getByTestId('gallery');
  expect(await gallery.getAttribute('data-image-id')).toBe(blue);
  const large = await buyer.getByTestId('gallery-main').locator('img').getAttribute('src');
  const image = await buyerContext.request.get(url(large!));
  expect(image.status()).toBe(200);
  expect(image.headers()['content-type']).toBe('image/webp');
  await buyer.locator(`[data-testid="gallery-thumb"][data-image-id="${red}"]`).click();
  await buyer.waitForURL((u) => u.searchParams.get('image') === red);
  await buyer.locator(`[data-testid="gallery"][data-image-id="${red}"]`).waitFor();
  expect(await buyer.getByRole('img', { name: `${products.brassLamp.title}, photo 2 of 2`, exact: true }).count()).toBe(1);
  await expectAccessible(buyer, 'product page with a gallery');

  // The catalog's card shows the cover once search has heard of the photos.
  await eventually(
    'the cover in the search results',
    async () => (await search({ q: run, category: 'lighting', minPrice: '25', maxPrice: '49.99' })).hits[0]?.image?.id,
    (id) => id === blue,
  );
  await buyer.goto(url(`/?q=${run}`));
  expect(await card(buyer, 'brassLamp').locator('img').getAttribute('src')).toContain(`/images/${blue}/`);
});

/** A paid order of the buyer's through the API (placing is retried while the orders service learns of new products). */
async function placePaidOrder(productId: string): Promise<string> {
  const placed = await eventually(
    'order placed',
    async () => {
      const res = await buyerContext.request.post(url('/api/orders'), { data: { items: [{ productId, quantity: 1 }], shippingAddress } });
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

/** The product page's rating summary says `text`, reloading while the aggregate catches up with the review. */
async function expectRating(path: string, text: string): Promise<void> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const actual = (await buyer.getByTestId('rating-summary').textContent()) ?? '';
    if (actual.includes(text)) return;
    if (Date.now() > deadline) expect(actual).toContain(text);
    await buyer.waitForTimeout(500);
    await buyer.goto(url(path));
  }
}

test('a buyer reviews the product once it is delivered; the review shows, the rating updates, the seller replies', async () => {
  const product = `/products/${ids.brassLamp}`;
  await buyer.goto(url(product));
  await buyer.getByTestId('review-not-eligible').waitFor();
  expect(await buyer.getByTestId('review-form').count()).toBe(0);
  await expectText(buyer.getByTestId('rating-summary'), 'No reviews yet');
  // The API says the same: no delivered line, no review.
  const early = await buyerContext.request.post(url(`/api/products/${ids.brassLamp}/reviews`), { data: { rating: 5, text: 'Too early.' } });
  expect(early.status()).toBe(403);

  // Bought, paid, shipped and delivered.
  const orderId = await placePaidOrder(ids.brassLamp);
  const [shipment] = await eventually(
    'the shipment',
    async () => {
      const res = await buyerContext.request.get(url(`/api/shipments?${new URLSearchParams({ orderId })}`));
      return res.status() === 200 ? ((await res.json()) as Shipment[]) : [];
    },
    (l) => l.length === 1,
  );
  expect(
    (
      await sellerContext.request.post(url(`/api/shipments/${shipment.id}/ship`), { data: { carrier: 'DHL', trackingNumber: `JD${run}` } })
    ).status(),
  ).toBe(200);
  expect((await sellerContext.request.post(url(`/api/shipments/${shipment.id}/deliver`))).status()).toBe(200);

  // Products learns of the delivery by an event: the form appears once it has.
  await eventually(
    'the review form after delivery',
    async () => {
      await buyer.goto(url(product));
      await buyer.getByTestId('reviews').waitFor();
      return buyer.getByTestId('review-form').count();
    },
    (n) => n === 1,
  );
  await expectAccessible(buyer, 'product page with the review form');

  // Nothing chosen: both fields say so, nothing is sent.
  await buyer.getByRole('button', { name: 'Post review' }).click();
  await expectText(buyer.locator('#rating-error'), 'Choose a rating');
  await expectText(buyer.locator('#text-error'), 'Write a few words');

  const text = `Warm light, solid brass. ${run}`;
  await buyer.getByRole('radio', { name: '4 stars' }).check();
  await buyer.getByLabel('Your review').fill(text);
  await buyer.getByRole('button', { name: 'Post review' }).click();
  await buyer.getByTestId('review-saved').waitFor();
  const review = buyer.getByTestId('review').filter({ hasText: text });
  await review.waitFor();
  await expectText(review, 'Your review');
  // Nobody reports their own review.
  expect(await review.getByText('Report', { exact: true }).count()).toBe(0);
  await expectRating(product, 'Rated 4.0 out of 5 (1 review)');
  expect(await buyer.getByTestId('rating-summary').getAttribute('data-count')).toBe('1');
  await screenshot(buyer, 'product-reviewed');

  // One review per buyer: the form now edits it, and the rating follows.
  await buyer.reload();
  await expectText(buyer.getByTestId('review-form'), 'Edit your review');
  await buyer.getByRole('radio', { name: '2 stars' }).check();
  await buyer.getByRole('button', { name: 'Save review' }).click();
  await buyer.getByTestId('review-saved').waitFor();
  await expectRating(product, 'Rated 2.0 out of 5 (1 review)');
  expect(await buyer.getByTestId('review').count()).toBe(1);

  // The product's rating reaches search (product.rating-changed) and the catalog's card.
  await eventually(
    "the lamp's rating in search",
    async () => (await search({ q: run, category: 'lighting' })).hits.find((h) => h.id === ids.brassLamp)?.rating,
    (r) => r?.count === 1 && r.average === 2,
  );
  await buyer.goto(url(`/?q=${run}`));
  const cardRating = card(buyer, 'brassLamp').getByTestId('card-rating');
  expect(await cardRating.getAttribute('data-average')).toBe('2');
  expect(await cardRating.getAttribute('data-count')).toBe('1');
  // The rating facet counts it: "2 stars & up" has the lamp, "4 stars & up" nothing.
  expect(await facetCount(buyer, 'rating-2')).toBe(1);
  expect(await facetCount(buyer, 'rating-4')).toBe(0);

  // The seller replies under the review; the buyer sees the reply.
  await seller.goto(url(product));
  const sellersView = seller.getByTestId('review').filter({ hasText: text });
  await sellersView.getByText('Reply', { exact: true }).click();
  await sellersView.getByLabel('Your reply (shown under the review)').fill('Thank you! Enjoy the light.');
  await sellersView.getByRole('button', { name: 'Post reply' }).click();
  await expectText(sellersView.getByTestId('review-reply'), 'Thank you! Enjoy the light.');
  await buyer.goto(url(product));
  await expectText(buyer.getByTestId('review-reply'), 'Thank you! Enjoy the light.');
  await expectAccessible(buyer, 'product page with a review and a reply');
});

test('reports hide the review until an admin restores it on /ops/reviews; nobody else sees that page', async () => {
  const product = `/products/${ids.brassLamp}`;
  const mine = await buyerContext.request.get(url(`/api/products/${ids.brassLamp}/reviews/mine`));
  const review = ((await mine.json()) as MyReview).review!;
  expect(review.status).toBe('visible');
  // Three other shoppers report it (REVIEW_LIMITS.hideAfterReports): hidden, out of the rating.
  for (let i = 0; i < REVIEW_LIMITS.hideAfterReports; i++) {
    const reporter = await browser.newContext();
    const email = `reporter-${i}-${run}@example.com`;
    expect((await reporter.request.post(url('/api/users/signup'), { data: { email, password } })).status()).toBe(201);
    expect((await reporter.request.post(url(`/api/reviews/${review.id}/report`), { data: { reason: 'spam' } })).status()).toBe(202);
    await reporter.close();
  }
  await buyer.goto(url(product));
  await expectRating(product, 'No reviews yet');

  // The buyer (signed in, not an admin) gets the not-found page.
  const refused = await buyer.goto(url('/ops/reviews'));
  expect(refused?.status()).toBe(404);

  const adminContext = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const admin = await adminContext.newPage();
  admin.setDefaultTimeout(20_000);
  await signUp(admin, platform.baseUrl, adminEmail, password);
  await admin.goto(url('/ops'));
  await admin.getByRole('link', { name: 'Reported reviews' }).click();
  await admin.waitForURL(url('/ops/reviews'));
  const row = admin.locator(`[data-testid="reported-review"][data-review="${review.id}"]`);
  await expectText(row, review.text);
  expect(await row.locator('td[data-label="Reports"]').textContent()).toBe(String(REVIEW_LIMITS.hideAfterReports));
  await expectAccessible(admin, 'reported reviews');

  // Remove asks first; dismissing it changes nothing.
  await row.getByRole('button', { name: /^Remove the review/ }).click();
  await admin.getByRole('button', { name: 'Keep it hidden' }).click();
  expect(await row.count()).toBe(1);
  await row.getByRole('button', { name: /^Restore the review/ }).click();
  await expectText(admin.getByTestId('review-decided'), 'visible again');
  expect(await row.count()).toBe(0);

  await buyer.goto(url(product));
  await expectRating(product, 'Rated 2.0 out of 5 (1 review)');
  await adminContext.close();
});
