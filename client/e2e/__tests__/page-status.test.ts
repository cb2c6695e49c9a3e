/**
 * What the storefront's server answers before any JavaScript runs: real status codes (404 for an
 * unknown product or order, a server redirect to sign in for the account pages), the content in
 * the HTML itself (no "Loading…" placeholder), a title per page and a favicon.
 *
 * The built storefront runs alone (`next start`) against a stand-in for the ingress that answers
 * the API calls the way the services do, so each case controls exactly what the API says.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type {
  Address,
  NotificationFeed,
  NotificationRecord,
  Order,
  Product,
  ProductImageRecord,
  ReturnRecord,
  ReviewRecord,
  SavedAddress,
  SearchResponse,
  Shipment,
  User,
} from '@jetmart/common/contracts';
import { startNext, type RunningNext } from '../support/next-server';

const HOST = 'jetmart.dev';
const buyer: User = { id: 'user-buyer-1', email: 'buyer@jetmart.dev', emailVerified: true };
const seller: User = { id: 'user-seller-1', email: 'seller@jetmart.dev', emailVerified: true };
/** Cookie → who the stand-in auth says it is; any other cookie is a session that is no longer valid. */
const SESSIONS: Record<string, User> = { 'session=buyer': buyer, 'session=seller': seller };
const STALE = 'session=expired';

const teapot: Product = {
  id: 'aaaaaaaaaaaaaaaaaaaaaaa1',
  title: 'Server-rendered teapot',
  description: 'Brews on the server.',
  price: 21.5,
  quantity: 3,
  available: 3,
  userId: seller.id,
  listed: true,
  category: 'kitchen',
  images: ['bbbbbbbbbbbbbbbbbbbbbbb1', 'bbbbbbbbbbbbbbbbbbbbbbb2'].map((imageId): ProductImageRecord => ({
    id: imageId,
    width: 1200,
    height: 900,
    urls: {
      thumb: `/api/products/aaaaaaaaaaaaaaaaaaaaaaa1/images/${imageId}/thumb`,
      medium: `/api/products/aaaaaaaaaaaaaaaaaaaaaaa1/images/${imageId}/medium`,
      large: `/api/products/aaaaaaaaaaaaaaaaaaaaaaa1/images/${imageId}/large`,
    },
  })),
  rating: { average: 4.5, count: 2 },
  version: 0,
};
/** The catalog's answer (issue 19): the teapot, with filter-adjusted facets and a spelling suggestion. */
const teapotSearch: SearchResponse = {
  hits: [
    {
      id: teapot.id,
      title: teapot.title,
      description: teapot.description!,
      price: teapot.price,
      category: teapot.category,
      sellerId: seller.id,
      inStock: true,
      rating: teapot.rating,
      image: teapot.images[0],
      createdAt: '2026-03-01T10:00:00.000Z',
    },
  ],
  total: 1,
  nextCursor: 'search/page+2',
  facets: {
    // The API counts a product under its category and every ancestor.
    category: [
      { value: 'home', count: 5 },
      { value: 'kitchen', count: 1 },
      { value: 'lighting', count: 4 },
    ],
    price: [
      { min: 10, max: 25, count: 1 },
      { min: 25, max: 50, count: 4 },
    ],
    rating: [{ min: 4, count: 1 }],
    inStock: [{ value: true, count: 5 }],
  },
  didYouMean: 'teapot',
};
const teapotReview: ReviewRecord = {
  id: 'cccccccccccccccccccccc01',
  productId: teapot.id,
  userId: 'user-someone-else',
  rating: 4,
  text: 'Pours without a drip.',
  status: 'visible',
  reportCount: 0,
  reply: { text: 'Thank you for the kind words!', createdAt: '2026-03-03T10:00:00.000Z' },
  createdAt: '2026-03-02T10:00:00.000Z',
  updatedAt: '2026-03-02T10:00:00.000Z',
  version: 0,
};
/** The fields of an order the storefront reads (the API's record may carry more). */
type OrderShown = Pick<
  Order,
  | 'id'
  | 'userId'
  | 'status'
  | 'items'
  | 'total'
  | 'expiresAt'
  | 'createdAt'
  | 'cancelReason'
  | 'shippingAddress'
  | 'fulfillment'
  | 'payment'
  | 'refunded'
  | 'version'
>;
const address: Address = { name: 'Grace Hopper', line1: '1 Harbour Road', city: 'Arlington', postalCode: '22201', country: 'US' };
const order = (status: Order['status'], id: string, extra: Partial<OrderShown> = {}): OrderShown => ({
  id,
  userId: buyer.id,
  status,
  items: [{ productId: teapot.id, title: teapot.title, price: teapot.price, quantity: 2 }],
  total: 43,
  expiresAt: new Date(Date.now() + 15 * 60_000).toISOString(),
  createdAt: '2026-03-04T10:20:00.000Z',
  shippingAddress: address,
  fulfillment: 'unfulfilled',
  payment: status === 'complete' ? 'paid' : 'unpaid',
  refunded: 0,
  version: 0,
  ...extra,
});
const openOrder = order('created', 'bbbbbbbbbbbbbbbbbbbbbbb1');
const paidOrder = order('complete', 'bbbbbbbbbbbbbbbbbbbbbbb2', {
  version: 2,
  fulfillment: 'shipped',
  payment: 'partially_refunded',
  refunded: 10.75,
});
const deliveredOrder = order('complete', 'bbbbbbbbbbbbbbbbbbbbbbb5', { version: 1, fulfillment: 'delivered' });
const cancelledOrder = order('cancelled', 'bbbbbbbbbbbbbbbbbbbbbbb3', { cancelReason: 'expired', version: 1 });
const PAYMENT_ID = 'ccccccccccccccccccccccc1';
/** The paid order's one shipment (the seller's part), shipped; and a pending one the seller still has to ship. */
const shippedPart: Shipment = {
  id: 'ddddddddddddddddddddddd1',
  orderId: paidOrder.id,
  sellerId: seller.id,
  buyerId: buyer.id,
  status: 'shipped',
  items: paidOrder.items.map(({ productId, title, price, quantity }) => ({ productId, title, price, quantity })),
  shippingAddress: address,
  carrier: 'DHL',
  trackingNumber: 'JD014600006281',
  createdAt: '2026-03-04T10:25:00.000Z',
  shippedAt: '2026-03-05T08:00:00.000Z',
  version: 1,
};
const pendingPart: Shipment = {
  ...shippedPart,
  id: 'ddddddddddddddddddddddd2',
  orderId: 'bbbbbbbbbbbbbbbbbbbbbbb4',
  status: 'pending',
  shippingAddress: { ...address, name: 'Katherine Johnson', line2: 'Suite 4', phone: '+1 555 0100' },
  carrier: undefined,
  trackingNumber: undefined,
  shippedAt: undefined,
  version: 0,
};
/** The delivered order's part, its return window open; and a return of the paid order's, waiting for the seller. */
const deliveredPart: Shipment = {
  ...shippedPart,
  id: 'ddddddddddddddddddddddd3',
  orderId: deliveredOrder.id,
  status: 'delivered',
  deliveredAt: '2026-03-06T08:00:00.000Z',
  deliveredBy: 'buyer',
  returnableUntil: new Date(Date.now() + 20 * 86_400_000).toISOString(),
  version: 2,
};
const requestedReturn: ReturnRecord = {
  id: 'fffffffffffffffffffffff1',
  orderId: paidOrder.id,
  shipmentId: shippedPart.id,
  sellerId: seller.id,
  buyerId: buyer.id,
  status: 'requested',
  items: [{ productId: teapot.id, title: teapot.title, price: teapot.price, quantity: 1 }],
  amount: teapot.price,
  reason: 'damaged',
  note: 'Spout chipped in transit.',
  createdAt: '2026-03-07T09:00:00.000Z',
  updatedAt: '2026-03-07T09:00:00.000Z',
  version: 0,
};
/** The seller's shop (issue 18): an unlisted product next to the teapot, a sold line, the dashboard's figures, the balance. */
const unlistedMug: Product = { ...teapot, id: 'aaaaaaaaaaaaaaaaaaaaaaa2', title: 'Retired mug', available: 9, quantity: 9, listed: false };
const sale = {
  orderId: paidOrder.id,
  productId: teapot.id,
  title: teapot.title,
  quantity: 2,
  price: 21.5,
  total: 43,
  status: 'partially_returned',
  shipmentStatus: 'shipped',
  buyerCity: 'Arlington',
  soldAt: '2026-03-04T10:21:00.000Z',
};
const today = () => new Date().toISOString().slice(0, 10);
const dashboard = (days: number) => ({
  days: Array.from({ length: days }, (_, i) => ({
    date: new Date(Date.now() - (days - 1 - i) * 86_400_000).toISOString().slice(0, 10),
    revenue: i === days - 1 ? 64.5 : 0,
    orders: i === days - 1 ? 2 : 0,
  })),
  topProducts: [{ productId: teapot.id, title: teapot.title, units: 3, revenue: 64.5 }],
  averageOrderValue: 32.25,
  returnRate: 0.25,
  ordersCount: 2,
  revenue: 64.5,
});
const ledger = {
  balance: { pending: 19.35, available: 38.7, paidOut: 12 },
  entries: [
    {
      id: 'l1',
      kind: 'sale',
      orderId: paidOrder.id,
      productId: teapot.id,
      gross: 43,
      commission: 4.3,
      net: 38.7,
      commissionPercent: 10,
      createdAt: '2026-03-04T10:21:00.000Z',
      availableAt: '2026-04-05T08:00:00.000Z',
    },
  ],
  nextCursor: null,
};
const payout = { id: 'p1', amount: 12, status: 'sent', transferId: 'tr_1Ssr', createdAt: '2026-04-06T09:00:00.000Z' };
const savedAddress: SavedAddress = { id: 'eeeeeeeeeeeeeeeeeeeeeee1', ...address, line1: '7 Saved Street' };

/** The buyer's notifications: the newest page (one unread, one read, one whose link leaves the site) and an older one. */
const confirmed: NotificationRecord = {
  id: '99999999999999999999aaa1',
  kind: 'order.confirmed',
  title: 'Order confirmed',
  body: 'Your order of 2 items ($43.00) ships to Grace Hopper.',
  link: `/orders/${paidOrder.id}`,
  read: false,
  createdAt: '2026-03-05T09:30:00.000Z',
};
const shippedNotice: NotificationRecord = {
  ...confirmed,
  id: '99999999999999999999aaa2',
  kind: 'shipment.shipped',
  title: 'Your parcel is on its way',
  body: 'DHL, tracking JD014600006281.',
  read: true,
  createdAt: '2026-03-05T08:00:00.000Z',
};
const offSite: NotificationRecord = {
  ...shippedNotice,
  id: '99999999999999999999aaa3',
  title: 'A link that leaves the shop',
  link: '//evil.example/orders',
};
const olderNotice: NotificationRecord = {
  ...shippedNotice,
  id: '99999999999999999999aaa4',
  kind: 'payment.received',
  title: 'Payment received',
  body: 'We received $43.00.',
  createdAt: '2026-03-04T10:21:00.000Z',
};
const OLDER_CURSOR = 'older/page+2';
const feedPages: Record<string, NotificationFeed> = {
  '': { items: [confirmed, shippedNotice, offSite], unread: 1, nextCursor: OLDER_CURSOR },
  [OLDER_CURSOR]: { items: [olderNotice], unread: 1, nextCursor: null },
};
/** How the notifications API behaves: answers, fails at the entry (502), never answers, or answers with something that is not a feed. */
let notificationsApi: 'answers' | 'down' | 'hangs' | 'garbage' = 'answers';
let hanging: http.ServerResponse[] = [];

let paymentsLookup: 'answers' | 'missing' = 'answers';
let apiCalls: string[] = [];
let ingress: http.Server;
let next: RunningNext;

beforeAll(async () => {
  ingress = http.createServer((req, res) => {
    apiCalls.push(req.url ?? '');
    const json = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    const url = new URL(req.url ?? '/', 'http://ingress');
    const user = req.headers.host === HOST ? SESSIONS[req.headers.cookie ?? ''] : undefined;
    const needUser = () => (user ? false : (json(401, { errors: [{ message: 'Not authorized' }] }), true));
    const parts = url.pathname.split('/').filter(Boolean); // ['api', 'products', id]

    if (url.pathname === '/api/users/currentuser') return json(200, { currentUser: user ?? null });
    if (url.pathname === '/api/products') return json(200, { items: [teapot], nextCursor: null });
    if (url.pathname === '/api/search') return json(200, teapotSearch);
    if (parts[1] === 'products' && parts[3] === 'reviews' && parts.length === 4) {
      return json(200, { items: parts[2] === teapot.id ? [teapotReview] : [], nextCursor: null, rating: teapot.rating });
    }
    if (parts[1] === 'products' && parts[3] === 'reviews' && parts[4] === 'mine') {
      return needUser() || json(200, { eligible: user === buyer, review: null });
    }
    if (url.pathname === '/api/products/mine') {
      if (needUser()) return;
      const mine = user === seller ? [teapot, unlistedMug] : [];
      const low = url.searchParams.get('lowStock') === 'true';
      return json(200, { items: mine.filter((p) => !low || p.available <= 3), nextCursor: null });
    }
    if (url.pathname === '/api/sales') return needUser() || json(200, { sales: user === seller ? [sale] : [], nextCursor: null });
    if (url.pathname === '/api/sales/dashboard') return needUser() || json(200, dashboard(Number(url.searchParams.get('days'))));
    if (url.pathname === '/api/sellers/me/ledger') return needUser() || json(200, ledger);
    if (url.pathname === '/api/sellers/me/account') return needUser() || json(200, { stripeAccountId: 'acct_1Ssr' });
    if (url.pathname === '/api/payouts') return needUser() || json(200, { payouts: [payout] });
    if (parts[1] === 'products' && parts.length === 3) {
      if (!/^[0-9a-f]{24}$/.test(parts[2])) return json(400, { errors: [{ message: 'id is not valid', field: 'id' }] });
      return parts[2] === teapot.id ? json(200, teapot) : json(404, { errors: [{ message: 'Product not found' }] });
    }
    if (url.pathname === '/api/orders') return needUser() || json(200, user === buyer ? [paidOrder, cancelledOrder, openOrder] : []);
    if (parts[1] === 'orders' && parts.length === 3) {
      if (needUser()) return;
      const found = user === buyer ? [openOrder, paidOrder, cancelledOrder, deliveredOrder].find((o) => o.id === parts[2]) : undefined;
      return found ? json(200, found) : json(404, { errors: [{ message: 'Order not found' }] });
    }
    if (parts[1] === 'orders' && parts.length === 4 && parts[3] === 'returns') {
      if (needUser()) return;
      return json(200, user === buyer ? [requestedReturn].filter((r) => r.orderId === parts[2]) : []);
    }
    if (url.pathname === '/api/returns') {
      if (needUser()) return;
      const role = url.searchParams.get('role');
      const mine = (user === buyer && role === 'buyer') || (user === seller && role === 'seller');
      return json(200, mine ? [requestedReturn] : []);
    }
    if (url.pathname === '/api/payments') {
      if (needUser()) return;
      if (paymentsLookup === 'missing') return json(404, { errors: [{ message: 'Route not found' }] });
      const orderId = url.searchParams.get('orderId');
      return json(200, orderId === paidOrder.id ? [{ id: PAYMENT_ID, orderId, amount: paidOrder.total }] : []);
    }
    if (url.pathname === '/api/shipments') {
      if (needUser()) return;
      const orderId = url.searchParams.get('orderId');
      const status = url.searchParams.get('status');
      if (orderId) return json(200, user === buyer ? [shippedPart, deliveredPart].filter((s) => s.orderId === orderId) : []);
      return json(200, user === seller ? [pendingPart, shippedPart].filter((s) => !status || s.status === status) : []);
    }
    if (url.pathname === '/api/notifications') {
      if (notificationsApi === 'hangs') return void hanging.push(res);
      if (notificationsApi === 'down') return json(502, { errors: [{ message: 'Bad gateway' }] });
      if (needUser()) return;
      if (notificationsApi === 'garbage') return json(200, { unread: 'lots' });
      if (user !== buyer) return json(200, { items: [], unread: 0, nextCursor: null });
      const page = feedPages[url.searchParams.get('cursor') ?? ''];
      return page ? json(200, page) : json(400, { errors: [{ message: 'cursor is not valid', field: 'cursor' }] });
    }
    if (url.pathname === '/api/users/me/addresses') return needUser() || json(200, user === buyer ? [savedAddress] : []);
    if (url.pathname === '/api/users/me') return needUser() || json(200, { ...user, displayName: user === buyer ? 'Grace' : null });
    json(404, { errors: [{ message: 'Route not found' }] });
  });
  await new Promise<void>((resolve) => ingress.listen(0, '127.0.0.1', resolve));
  next = await startNext({ API_BASE_URL: `http://127.0.0.1:${(ingress.address() as AddressInfo).port}` });
});

afterAll(async () => {
  await next?.stop();
  await new Promise((resolve) => ingress?.close(resolve));
});

beforeEach(() => {
  apiCalls = [];
  paymentsLookup = 'answers';
  notificationsApi = 'answers';
});

afterEach(() => {
  for (const res of hanging) res.destroy();
  hanging = [];
});

interface Answer {
  status: number;
  location?: string;
  contentType?: string;
  html: string;
}

/** One GET as a browser's first request (no JavaScript, redirects not followed). */
function get(path: string, cookie?: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { host: HOST, accept: 'text/html' };
    if (cookie) headers.cookie = cookie;
    const req = http.request({ host: '127.0.0.1', port: next.port, path, headers }, (res) => {
      let html = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (html += c));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, location: res.headers.location, contentType: res.headers['content-type'], html }),
      );
    });
    req.on('error', reject);
    req.end();
  });
}

/** The path and query a Location header points to (Next may send it absolute). */
const target = (location: string | undefined) => {
  const u = new URL(location ?? '', `http://${HOST}`);
  return u.pathname + u.search;
};

const titleOf = (html: string) => /<title>([^<]*)<\/title>/.exec(html)?.[1];

describe('unknown pages answer 404', () => {
  test.each([
    ['a product id that does not exist', '/products/aaaaaaaaaaaaaaaaaaaaaaa9', undefined],
    ['a product id the API rejects', '/products/not-an-id', undefined],
    ['an order that is not there', '/orders/bbbbbbbbbbbbbbbbbbbbbbb9', 'session=buyer'],
    ["another buyer's order", `/orders/${openOrder.id}`, 'session=seller'],
    ["editing another seller's product", `/sell/${teapot.id}/edit`, 'session=buyer'],
  ])('%s', async (_case, path, cookie) => {
    const page = await get(path, cookie);
    expect(page.status).toBe(404);
    expect(page.html).toContain('Not found');
    expect(titleOf(page.html)).toBe('Not found · jetmart');
  });

  test('a page that exists answers 200 with its content', async () => {
    const page = await get(`/products/${teapot.id}`);
    expect(page.status).toBe(200);
    expect(page.html).toContain(teapot.title);
  });
});

describe('the account pages redirect on the server when signed out', () => {
  const paths = [
    '/account',
    '/orders',
    `/orders/${openOrder.id}`,
    '/returns',
    '/notifications',
    '/sell',
    '/sell/new',
    `/sell/${teapot.id}/edit`,
    '/sell/shipments',
    '/sell/returns',
    '/sell/dashboard',
    '/sell/sales',
    '/sell/payouts',
  ];

  test.each(paths)('%s without a session cookie: redirected before anything renders', async (path) => {
    const page = await get(path);
    expect([303, 307]).toContain(page.status);
    expect(target(page.location)).toBe(`/signin?next=${encodeURIComponent(path)}`);
    expect(apiCalls).toEqual([]); // decided by the proxy, no page rendered
  });

  test.each(paths)('%s with a session that is no longer valid: redirected by the page, still by HTTP', async (path) => {
    const page = await get(path, STALE);
    expect([303, 307]).toContain(page.status);
    expect(target(page.location)).toBe(`/signin?next=${encodeURIComponent(path)}`);
  });

  test('the query string is kept in the way back', async () => {
    const page = await get('/orders?from=mail');
    expect(target(page.location)).toBe(`/signin?next=${encodeURIComponent('/orders?from=mail')}`);
  });

  test('signed in, the same pages render', async () => {
    expect((await get('/orders', 'session=buyer')).status).toBe(200);
    expect((await get('/sell/new', 'session=seller')).status).toBe(200);
    expect((await get(`/sell/${teapot.id}/edit`, 'session=seller')).status).toBe(200);
    expect((await get('/sell/shipments', 'session=seller')).status).toBe(200);
    expect((await get('/returns', 'session=buyer')).status).toBe(200);
    expect((await get('/sell/returns', 'session=seller')).status).toBe(200);
    expect((await get('/notifications', 'session=buyer')).status).toBe(200);
    expect((await get('/account', 'session=buyer')).status).toBe(200);
  });

  test('an older page of notifications comes back to itself after signing in', async () => {
    const path = `/notifications?cursor=${encodeURIComponent(OLDER_CURSOR)}`;
    for (const cookie of [undefined, STALE]) {
      const page = await get(path, cookie);
      expect(target(page.location)).toBe(`/signin?next=${encodeURIComponent(path)}`);
    }
  });
});

describe('content arrives in the HTML of a full page load', () => {
  test.each([
    ['/', undefined, [teapot.title, '$21.50']],
    [`/products/${teapot.id}`, undefined, [teapot.title, teapot.description!, '$21.50', '3 available']],
    [
      '/?q=teepot&category=home',
      undefined,
      [
        'Did you mean',
        'href="/?q=teapot&amp;category=home"',
        '1 product',
        'Kitchen &amp; Dining',
        'Lighting',
        'href="/?q=teepot&amp;category=home&amp;cursor=search%2Fpage%2B2"',
        'Under $10',
        '$10 – $25',
        '4 stars &amp; up',
        'In stock only',
        'Rated 4.5 out of 5 (2 reviews)',
      ],
    ],
    [
      `/products/${teapot.id}`,
      undefined,
      [
        'Kitchen &amp; Dining',
        'photo 1 of 2',
        'Show photo 2 of 2',
        'Rated 4.5 out of 5 (2 reviews)',
        'Pours without a drip.',
        'Reply from the seller',
        'Thank you for the kind words!',
        'Sign in',
      ],
    ],
    [`/products/${teapot.id}`, 'session=buyer', ['Write a review', 'Your rating', 'Post review', 'Report']],
    [`/products/${teapot.id}`, 'session=seller', ['This is your listing', 'Reply']],
    [`/sell/${teapot.id}/edit`, 'session=seller', ['Category', 'Photos', 'Make cover', 'Upload photo', 'Add a photo']],
    ['/orders', 'session=buyer', ['My orders', '2 items', 'Expired: not paid in time', '$43.00', 'Shipped']],
    [`/orders/${openOrder.id}`, 'session=buyer', [teapot.title, '$43.00', 'Cancel order']],
    ['/sell', 'session=seller', ['My products', teapot.title, 'href="/sell/shipments"', 'Retired mug', 'Unlisted', 'Relist', 'Unlist']],
    ['/sell?lowStock=true', 'session=seller', ['My products running low', teapot.title]],
    [
      '/sell/sales',
      'session=seller',
      ['Sales', teapot.title, 'Arlington', 'Partly returned', 'Shipped', '$43.00', 'href="/api/sales?format=csv"', 'Mar 4, 2026'],
    ],
    ['/sell/sales?from=2026-03-01&status=paid', 'session=seller', ['href="/api/sales?format=csv&amp;from=2026-03-01&amp;status=paid"']],
    [
      '/sell/dashboard',
      'session=seller',
      ['Dashboard', '<svg', 'Revenue and orders per day', '$64.50', '$32.25', '25.0%', '$38.70', '$19.35', 'tr_1Ssr', teapot.title],
    ],
    ['/sell/payouts', 'session=seller', ['Payouts', 'acct_1Ssr', 'Pay out available balance', '$38.70', '$4.30', 'tr_1Ssr']],
    ['/account', 'session=buyer', ['Your account', buyer.email, 'value="Grace"', '7 Saved Street', 'href="/api/users/me/export"']],
    [`/orders/${openOrder.id}`, 'session=buyer', ['Ships to', 'Grace Hopper', '1 Harbour Road', '22201 Arlington', 'United States']],
    [`/orders/${paidOrder.id}`, 'session=buyer', ['Your shipment', 'DHL', 'JD014600006281', 'Confirm delivery', 'Grace Hopper']],
    [
      '/sell/shipments',
      'session=seller',
      [
        'To ship',
        'Katherine Johnson',
        'Suite 4',
        '+1 555 0100',
        'Waiting to be shipped',
        teapot.title,
        'Mark shipped',
        'JD014600006281',
        'Mark delivered',
        'href="/sell/returns"',
      ],
    ],
    [
      `/orders/${paidOrder.id}`,
      'session=buyer',
      ['Partially refunded', '$10.75', 'Returns', 'Arrived damaged', 'Spout chipped in transit.', 'Withdraw request'],
    ],
    [`/orders/${deliveredOrder.id}`, 'session=buyer', ['Return items', 'Returns possible until', 'confirmed by you']],
    [
      '/returns',
      'session=buyer',
      ['My returns', 'Requested', 'Arrived damaged', 'Spout chipped in transit.', '$21.50', 'Withdraw request'],
    ],
    [
      '/sell/returns',
      'session=seller',
      ['Returns to handle', 'Waiting for your decision (1)', 'Arrived damaged', 'Spout chipped in transit.', 'Approve', 'Reject'],
    ],
  ] as const)('%s', async (path, cookie, texts) => {
    const page = await get(path, cookie);
    expect(page.status).toBe(200);
    for (const text of texts) expect(page.html).toContain(text);
    expect(page.html).not.toContain('Loading…');
  });

  test('the order date is in the HTML, in UTC until the browser shows its own time zone', async () => {
    const page = await get('/orders', 'session=buyer');
    expect(page.html).toMatch(new RegExp(`datetime="${paidOrder.createdAt}"`, 'i'));
    expect(page.html).toMatch(/Mar 4, 2026, 10:20\sAM UTC/);
  });
});

describe("the seller's dashboard is drawn on the server", () => {
  test('the chart is an SVG in the HTML with a bar for the day with sales, named for screen readers, and a table of the same figures', async () => {
    const page = await get('/sell/dashboard?days=7', 'session=seller');
    expect(page.status).toBe(200);
    expect(apiCalls).toContain('/api/sales/dashboard?days=7');
    const chart = /<figure[^>]*data-testid="sales-chart"[^>]*>([\s\S]*?)<\/figure>/.exec(page.html)?.[1] ?? '';
    expect(chart).toMatch(/role="img" aria-label="Revenue and orders per day over 7 days: 2 orders\./);
    expect(chart).toContain('<svg');
    // One revenue bar: only today sold.
    const bars = [...chart.matchAll(/<path d="M[\d.]+ [\d.]+l[\d.]+ 0l0 -([\d.]+)[^"]*"[^>]*ecmeta_series_index="0"/g)];
    expect(bars.filter((b) => Number(b[1]) > 0)).toHaveLength(1);
    const rows = [...chart.matchAll(/data-testid="sales-day" data-date="([^"]+)" data-revenue="([^"]+)" data-orders="([^"]+)"/g)];
    expect(rows).toHaveLength(7);
    expect(rows[0].slice(1)).toEqual([today(), '64.5', '2']);
    // No browser JavaScript draws it: the page's scripts do not include ECharts.
    expect(page.html).not.toMatch(/echarts|zrender/i);
  });

  test('any other period in the address is the default 30 days', async () => {
    await get('/sell/dashboard?days=1000', 'session=seller');
    expect(apiCalls).toContain('/api/sales/dashboard?days=30');
  });
});

describe('a paid order reads like a receipt', () => {
  test('with the payment reference when the payments API gives it', async () => {
    const page = await get(`/orders/${paidOrder.id}`, 'session=buyer');
    expect(page.status).toBe(200);
    for (const text of ['Receipt', 'Total paid', '$43.00', '2 items', 'Payment reference', PAYMENT_ID, teapot.title])
      expect(page.html).toContain(text);
    expect(apiCalls).toContain(`/api/payments?orderId=${paidOrder.id}`);
  });

  test('still a receipt, without the reference, when the payments API cannot say', async () => {
    paymentsLookup = 'missing';
    const page = await get(`/orders/${paidOrder.id}`, 'session=buyer');
    expect(page.status).toBe(200);
    expect(page.html).toContain('Receipt');
    expect(page.html).toContain('$43.00');
    expect(page.html).not.toContain('Payment reference');
  });

  test('a cancelled order says why', async () => {
    const page = await get(`/orders/${cancelledOrder.id}`, 'session=buyer');
    expect(page.html).toContain('This order expired: it was not paid in time.');
  });
});

/** The bell's link in the header, as the server rendered it (its attributes and what is inside). */
function bellOf(html: string): string | undefined {
  return /<a[^>]*data-testid="notification-bell"[^>]*>[\s\S]*?<\/a>/.exec(html)?.[0];
}
const bellName = (bell: string | undefined) => /aria-label="([^"]*)"/.exec(bell ?? '')?.[1];
const bellCount = (bell: string | undefined) => /data-testid="notification-count"[^>]*>([^<]*)</.exec(bell ?? '')?.[1];

describe('the bell in the header', () => {
  test('a signed-in buyer with unread notifications: named with the count, a badge, a link to /notifications', async () => {
    const page = await get('/', 'session=buyer');
    expect(page.status).toBe(200);
    const bell = bellOf(page.html);
    expect(bell).toContain('href="/notifications"');
    expect(bellName(bell)).toBe('Notifications, 1 unread');
    expect(bellCount(bell)).toBe('1');
    expect(apiCalls).toContain('/api/notifications');
  });

  test('nothing unread: the bell, without a badge', async () => {
    const bell = bellOf((await get('/orders', 'session=seller')).html);
    expect(bellName(bell)).toBe('Notifications');
    expect(bellCount(bell)).toBeUndefined();
  });

  test('signed out: no bell, and the notifications API is not asked', async () => {
    const page = await get('/');
    expect(bellOf(page.html)).toBeUndefined();
    expect(apiCalls).not.toContain('/api/notifications');
  });

  test.each(['down', 'hangs', 'garbage'] as const)(
    'the notifications API %s: every page still renders, the bell without a count',
    async (mode) => {
      notificationsApi = mode;
      for (const [path, text] of [
        ['/', teapot.title],
        ['/orders', 'My orders'],
        [`/orders/${paidOrder.id}`, 'Receipt'],
      ] as const) {
        const page = await get(path, 'session=buyer');
        expect(page.status).toBe(200);
        expect(page.html).toContain(text);
        expect(page.html).toContain('buyer@jetmart.dev');
        const bell = bellOf(page.html);
        expect(bellName(bell)).toBe('Notifications');
        expect(bellCount(bell)).toBeUndefined();
      }
    },
  );
});

describe('/notifications', () => {
  test('lists the newest first with their links and times, the unread one marked, and marks nothing while rendering', async () => {
    const page = await get('/notifications', 'session=buyer');
    expect(page.status).toBe(200);
    const html = page.html;
    for (const text of [confirmed.title, confirmed.body, shippedNotice.title, shippedNotice.body, 'Mark all read', 'Older'])
      expect(html).toContain(text);
    expect(html.indexOf(confirmed.title)).toBeLessThan(html.indexOf(shippedNotice.title));
    expect(html).toContain(`href="/orders/${paidOrder.id}"`);
    expect(html).toMatch(new RegExp(`datetime="${confirmed.createdAt}"`, 'i'));
    expect(html).toMatch(/Mar 5, 2026, 9:30\sAM UTC/);
    const unreadMarks = html.match(/data-testid="notification-unread"/g) ?? [];
    expect(unreadMarks).toHaveLength(1);
    expect(html).toMatch(new RegExp(`data-notification-id="${confirmed.id}"[^>]*data-read="false"`));
    expect(html).toMatch(new RegExp(`data-notification-id="${shippedNotice.id}"[^>]*data-read="true"`));
    // Marking read is the browser's step once the page is open (a prefetch or a crawler marks nothing).
    expect(apiCalls.filter((c) => c.includes('read'))).toEqual([]);
    expect(html).toContain(`href="/notifications?cursor=${encodeURIComponent(OLDER_CURSOR).replace(/%20/g, '+')}"`);
  });

  test('a link that would leave the shop leads to the list instead', async () => {
    const html = (await get('/notifications', 'session=buyer')).html;
    expect(html).toContain(offSite.title);
    expect(html).not.toContain('evil.example');
  });

  test('the older page, with the way back to the newest', async () => {
    const page = await get(`/notifications?cursor=${encodeURIComponent(OLDER_CURSOR)}`, 'session=buyer');
    expect(page.status).toBe(200);
    expect(page.html).toContain(olderNotice.title);
    expect(page.html).not.toContain(confirmed.title);
    expect(page.html).toContain('Newest');
    expect(page.html).not.toContain('rel="next"');
    expect(apiCalls).toContain(`/api/notifications?cursor=${encodeURIComponent(OLDER_CURSOR).replace(/%20/g, '+')}`);
  });

  test('nothing yet: an empty state, and nothing to mark', async () => {
    const page = await get('/notifications', 'session=seller');
    expect(page.status).toBe(200);
    expect(page.html).toContain('No notifications yet.');
    expect(page.html).toContain('data-testid="notifications-empty"');
    expect(page.html).not.toContain('Mark all read');
  });

  test('a cursor the API refuses: its message and the way back, not a broken page', async () => {
    const page = await get('/notifications?cursor=nonsense', 'session=buyer');
    expect(page.status).toBe(200);
    expect(page.html).toContain('Could not load your notifications');
    expect(page.html).toContain('cursor is not valid');
    expect(page.html).toContain('Back to the newest');
  });

  test('the notifications API down: the page says so and the rest of the shop still renders around it', async () => {
    notificationsApi = 'down';
    const page = await get('/notifications', 'session=buyer');
    expect(page.status).toBe(200);
    expect(page.html).toContain('Could not load your notifications');
    expect(page.html).toContain('buyer@jetmart.dev');
  });
});

describe('titles and favicon', () => {
  test.each([
    ['/', undefined, 'Catalog · jetmart'],
    ['/?q=teapot', undefined, 'Results for “teapot” · jetmart'],
    [`/products/${teapot.id}`, undefined, `${teapot.title} · jetmart`],
    ['/cart', undefined, 'Cart · jetmart'],
    ['/signin', undefined, 'Sign in · jetmart'],
    ['/signup', undefined, 'Sign up · jetmart'],
    ['/orders', 'session=buyer', 'My orders · jetmart'],
    [`/orders/${openOrder.id}`, 'session=buyer', `Order #${openOrder.id.slice(-8)} · jetmart`],
    ['/sell', 'session=seller', 'My products · jetmart'],
    ['/sell/new', 'session=seller', 'List a product · jetmart'],
    [`/sell/${teapot.id}/edit`, 'session=seller', 'Edit product · jetmart'],
    ['/sell/shipments', 'session=seller', 'To ship · jetmart'],
    ['/returns', 'session=buyer', 'My returns · jetmart'],
    ['/sell/returns', 'session=seller', 'Returns to handle · jetmart'],
    ['/sell/dashboard', 'session=seller', 'Seller dashboard · jetmart'],
    ['/sell/sales', 'session=seller', 'Sales · jetmart'],
    ['/sell/payouts', 'session=seller', 'Payouts · jetmart'],
    ['/notifications', 'session=buyer', 'Notifications · jetmart'],
    ['/notifications', 'session=seller', 'Notifications · jetmart'],
  ])('%s is titled', async (path, cookie, title) => {
    const page = await get(path, cookie);
    expect(page.status).toBe(200);
    expect(titleOf(page.html)).toBe(title);
  });

  test('every page links the favicon, which is served as SVG', async () => {
    const page = await get('/');
    const href = /<link rel="icon" href="([^"]+)"/.exec(page.html)?.[1];
    expect(href).toMatch(/^\/icon\.svg/);
    const icon = await get(href!);
    expect(icon.status).toBe(200);
    expect(icon.contentType).toContain('image/svg+xml');
    expect(icon.html).toContain('<svg');
  });
});

describe('the catalog and the product page work from their URL alone (issue 19)', () => {
  test('the catalog asks GET /api/search with the filters of the page URL, and drops what the API would refuse', async () => {
    await get('/?q=teapot&category=kitchen&minPrice=10&maxPrice=25&minRating=4&inStock=true&sort=price_asc&cursor=abc&bogus=1');
    const call = apiCalls.find((c) => c.startsWith('/api/search?'));
    expect(Object.fromEntries(new URL(call!, 'http://x').searchParams)).toEqual({
      q: 'teapot',
      category: 'kitchen',
      minPrice: '10',
      maxPrice: '25',
      minRating: '4',
      inStock: 'true',
      sort: 'price_asc',
      cursor: 'abc',
      limit: '12',
    });
    apiCalls = [];
    await get('/?category=no-such-category&minPrice=ten&minRating=9&sort=cheapest');
    const plain = apiCalls.find((c) => c.startsWith('/api/search?'));
    expect(Object.fromEntries(new URL(plain!, 'http://x').searchParams)).toEqual({ sort: 'newest', limit: '12' });
  });

  test('the selected filters are marked in the sidebar and their links take them off again', async () => {
    const page = await get('/?category=kitchen&minPrice=10&maxPrice=24.99');
    const link = (testId: string) => new RegExp(`<a[^>]*data-testid="${testId}"[^>]*>`).exec(page.html)?.[0] ?? '';
    expect(link('category-kitchen')).toContain('aria-current="true"');
    expect(link('category-kitchen')).toContain('href="/?minPrice=10&amp;maxPrice=24.99"');
    expect(link('category-home')).toContain('data-count="5"');
    expect(link('price-10')).toContain('aria-current="true"');
    expect(link('price-10')).toContain('href="/?category=kitchen"');
    expect(link('price-25')).not.toContain('aria-current');
    expect(link('price-25')).toContain('href="/?category=kitchen&amp;minPrice=25&amp;maxPrice=49.99"');
  });

  test('?image= shows that photo large; the thumbnails are links to the others', async () => {
    const [first, second] = teapot.images;
    const page = await get(`/products/${teapot.id}?image=${second.id}`);
    expect(page.status).toBe(200);
    expect(page.html).toContain(`data-image-id="${second.id}"`);
    expect(page.html).toContain(`src="${second.urls.large}"`);
    expect(page.html).toContain('photo 2 of 2');
    expect(page.html).toContain(`href="/products/${teapot.id}?image=${first.id}"`);
    const unknown = await get(`/products/${teapot.id}?image=nope`);
    expect(unknown.html).toContain(`src="${first.urls.large}"`);
  });
});
