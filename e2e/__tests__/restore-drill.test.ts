/**
 * The restore drill (issue 20): a platform in the middle of its business (a paid and shipped order,
 * an unpaid order still holding units with its expiry timer running, a cancelled order, a revoked
 * session) is backed up with the operators' tool (scripts/backup.js: every stream with its
 * consumers, every database), wiped (the platform stops and its data directory is deleted), and a
 * new platform starts from the backup (`npm start -- --restore-from`). The invariant checker passes
 * on the restored databases, the buyer sees their orders with the same cookie, the restored expiry
 * timer still cancels the unpaid order, the revoked session stays revoked, and the shop goes on
 * (a new order is placed and paid).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import type { Order, Shipment } from '@jetmart/common/contracts';
import { eventually } from '@jetmart/common/testing';
import { httpClient, signUp, startLocalPlatform, type HttpClient, type LocalPlatform } from '../support/local-platform';

// eslint-disable-next-line @typescript-eslint/no-require-imports -- the checker is a plain CommonJS script of bench/
const { checkInvariants } = require('../../bench/check-invariants.js') as {
  checkInvariants(o: {
    mongo: string;
    log?: (s: string) => void;
  }): Promise<{ violations: { kind: string; detail: string }[]; counts: Record<string, unknown> }>;
};

const run = promisify(execFile);
const root = resolve(__dirname, '..', '..');
/** Long enough to back up and restore before it passes; short enough to see the timer fire after. */
const EXPIRATION_SECONDS = 75;
const env = { ORDER_EXPIRATION_SECONDS: String(EXPIRATION_SECONDS) };

let platform: LocalPlatform | undefined;
const backupDir = mkdtempSync(join(tmpdir(), 'jetmart-backup-'));
afterAll(async () => {
  await platform?.stop();
  rmSync(backupDir, { recursive: true, force: true });
}, 60_000);
afterEach(() => {
  if (expect.getState().suppressedErrors?.length && platform) console.log(`--- platform output\n${platform.output().slice(-6000)}`);
});

describe('back up mid-flow, wipe, restore', () => {
  const base = () => platform!.baseUrl;
  const seller = httpClient(base);
  const buyer = httpClient(base);
  const revoked = httpClient(base);
  /** A second session of the revoked account, ended by the first one's "sign out everywhere". */
  const revokedElsewhere = httpClient(base);
  const address = { name: 'Drill Buyer', line1: '1 Backup Lane', city: 'Oslo', postalCode: '0150', country: 'NO' };
  const ids = { product: '', paid: '', pending: '', cancelled: '', shipment: '' };
  const out = join(backupDir, 'mid-flow');

  const place = async (c: HttpClient, quantity: number): Promise<Order> =>
    eventually(
      async () => {
        const res = await c<Order>('POST', '/api/orders', { items: [{ productId: ids.product, quantity }], shippingAddress: address });
        if (res.status === 404) return undefined; // orders has not heard of the product yet
        expect(res.status).toBe(201);
        return res.body;
      },
      30_000,
      250,
    );
  const pay = async (c: HttpClient, orderId: string) =>
    eventually(
      async () => {
        const res = await c('POST', '/api/payments', { orderId, token: 'tok_visa' });
        return res.status === 404 ? undefined : res; // payments has not heard of the order yet
      },
      30_000,
      250,
    );

  it('a running shop: one order paid and shipped, one unpaid and holding, one cancelled, one session revoked', async () => {
    platform = await startLocalPlatform('restore-a', env);
    await signUp(seller, 'seller@drill.dev');
    await signUp(buyer, 'buyer@drill.dev');
    await signUp(revoked, 'revoked@drill.dev');
    ids.product = (await seller('POST', '/api/products', { title: 'Backup tape', price: 12.5, quantity: 10 })).body.id;

    ids.paid = (await place(buyer, 2)).id;
    expect((await pay(buyer, ids.paid)).status).toBe(201);
    ids.pending = (await place(buyer, 3)).id;
    ids.cancelled = (await place(buyer, 1)).id;
    expect((await buyer('DELETE', `/api/orders/${ids.cancelled}`)).status).toBe(200);
    const shipment = await eventually(async () => {
      const res = await seller<Shipment[]>('GET', `/api/shipments?orderId=${ids.paid}`);
      return res.body.length === 1 ? res.body[0] : undefined;
    }, 30_000);
    ids.shipment = shipment.id;
    const shipped = await seller('POST', `/api/shipments/${ids.shipment}/ship`, { carrier: 'DHL', trackingNumber: 'DRILL-1' });
    expect(shipped.status).toBe(200);
    expect(
      (await revokedElsewhere('POST', '/api/users/signin', { email: 'revoked@drill.dev', password: 'e2e-test-password' })).status,
    ).toBe(200);
    expect((await revokedElsewhere('GET', '/api/orders')).status).toBe(200);
    expect((await revoked('POST', '/api/users/signout-everywhere')).status).toBe(200);
    await eventually(async () => ((await revokedElsewhere('GET', '/api/orders')).status === 401 ? true : undefined), 15_000);
    // Wait until the facts have reached the services that react to them (the orders' fulfilment is derived from shipping's events).
    await eventually(async () => {
      const res = await buyer<Order & { fulfillment: string }>('GET', `/api/orders/${ids.paid}`);
      return res.body.fulfillment === 'shipped' ? true : undefined;
    }, 30_000);
  }, 300_000);

  it('backs up every stream and database while the unpaid order is still holding its units', async () => {
    const started = Date.now();
    const { stdout } = await run(
      process.execPath,
      ['scripts/backup.js', '--nats', platform!.natsUrl, '--mongo', platform!.mongoUrl, '--out', out, '--prefix', 'jetmart_'],
      { cwd: root },
    );
    const tookMs = Date.now() - started;
    const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) as {
      streams: Record<string, { lastSeq: number; messages: number }>;
      databases: Record<string, Record<string, number>>;
    };
    expect(stdout).toContain('"streams"');
    for (const stream of ['PRODUCTS', 'ORDERS', 'PAYMENTS', 'SHIPMENTS', 'USERS'])
      expect(manifest.streams[stream]?.messages).toBeGreaterThan(0);
    expect(Object.keys(manifest.streams).some((s) => s.startsWith('KV_'))).toBe(true);
    expect(manifest.databases.jetmart_orders.orders).toBe(3);
    // The copy holds the unpaid order still open: whatever cancels it later is the restored platform.
    const dumped = readFileSync(join(out, 'databases', 'jetmart_orders', 'orders.ejson'), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { _id: { $oid: string }; status: string });
    expect(dumped.find((o) => o._id.$oid === ids.pending)?.status).toBe('created');
    expect(manifest.databases.jetmart_shipping.shipments).toBe(1);
    console.log(
      `restore drill: backup of ${Object.keys(manifest.streams).length} streams and ${Object.keys(manifest.databases).length} databases took ${tookMs} ms`,
    );
  }, 120_000);

  it('wipes the platform and starts a new one from the backup: the invariants hold and the buyer sees the same orders', async () => {
    await platform!.stop(); // its data directory (NATS store, databases) is deleted
    const started = Date.now();
    platform = await startLocalPlatform('restore-b', env, ['--restore-from', out]);
    console.log(`restore drill: wiped platform restored and ready in ${Date.now() - started} ms`);
    expect(platform.output()).toMatch(/restore: \d+ streams, \d+ databases/);

    const lines: string[] = [];
    const { violations } = await checkInvariants({ mongo: platform.mongoUrl, log: (s) => lines.push(s) });
    if (violations.length) console.log(lines.join('\n'));
    expect(violations).toEqual([]);

    // The same cookie: sessions, their revocations and the orders came back.
    const mine = await buyer<Order[]>('GET', '/api/orders');
    expect(mine.status).toBe(200);
    const status = Object.fromEntries(mine.body.map((o) => [o.id, o.status]));
    // The unpaid order is still open, or already expired if the restore took longer than its deadline.
    expect(status).toEqual({
      [ids.paid]: 'complete',
      [ids.pending]: expect.stringMatching(/^(created|cancelled)$/),
      [ids.cancelled]: 'cancelled',
    });
    expect((await revokedElsewhere('GET', '/api/orders')).status).toBe(401);
    const shipment = await seller<Shipment>('GET', `/api/shipments/${ids.shipment}`);
    expect(shipment.body).toMatchObject({ status: 'shipped', trackingNumber: 'DRILL-1' });
  }, 300_000);

  it('goes on from where it was: the restored expiry timer cancels the unpaid order (open in the copy), and a new order is placed and paid', async () => {
    const fresh = await place(buyer, 1);
    expect((await pay(buyer, fresh.id)).status).toBe(201);
    const expired = await eventually(
      async () => {
        const res = await buyer<Order>('GET', `/api/orders/${ids.pending}`);
        return res.body.status === 'cancelled' ? res.body : undefined;
      },
      (EXPIRATION_SECONDS + 60) * 1000,
      500,
    );
    expect(expired.status).toBe('cancelled');
    // Its 3 units are back: 10 listed − 2 sold (paid) − 1 sold (new order) = 7.
    const product = await eventually(async () => {
      const res = await buyer<{ available: number }>('GET', `/api/products/${ids.product}`);
      return res.body.available === 7 ? res.body : undefined;
    }, 30_000);
    expect(product.available).toBe(7);
    const { violations } = await checkInvariants({ mongo: platform!.mongoUrl });
    expect(violations).toEqual([]);
  }, 240_000);
});
