/**
 * Every hot query of the checkout path (issue 21), explained on the run's MongoDB-wire server
 * against the collections the services' own models build (their declared indexes included).
 *
 * What each server can tell:
 * - mongod (MONGO_URL pointing at one): the winning plan. Every query marked `id` or `index` must
 *   use an index (IDHACK / EXPRESS_IXSCAN / IXSCAN, never COLLSCAN).
 * - FerretDB 1.x: `filterPushdown` only, and what it pushes down depends on its storage. Measured
 *   here: on SQLite a filter is pushed down when it has `_id` equality and no other top-level field
 *   (dotted paths beside it, such as `outbox.0` or `holds.orderId`, do not spoil it; `{_id, status}`
 *   does); on PostgreSQL when any top-level field is compared for equality with a scalar
 *   (`{orderId}`, `{status: 'pending'}`, `{_id, version}`; not `$or`, `$lt`, `$exists`). Explain of
 *   update / delete / findAndModify always says false, so every filter is explained as a `find`.
 *   Asserted exactly that (`ferretPushdown`): if FerretDB changes, this fails and
 *   docs/BENCHMARKS.md must be updated. Whether an `index` query would use its index
 *   cannot be reported there; that part is skipped with the reason printed, and what is checked
 *   instead on every server is that the model declares an index led by a field of the filter.
 * - `scan` marks the known collection scans (periodic safety nets, not per checkout): asserted to
 *   scan on mongod, so an index added for them makes this fail and the list get updated.
 */
import mongoose, { type Model } from 'mongoose';
import { installDatabasePlugins } from '@jetmart/common';
import { testDatabaseUrl } from '@jetmart/common/testing';
import { ordersModels, type OrdersModels } from '../../orders/src/models';
import { paymentsModels, type PaymentsModels } from '../../payments/src/models';

type Filter = Record<string, unknown>;
interface HotQuery {
  name: string;
  /** Where the code sends it. */
  source: string;
  model: (m: { orders: OrdersModels; payments: PaymentsModels }) => Model<any>;
  filter: Filter;
  sort?: Record<string, 1 | -1>;
  expect: 'id' | 'index' | 'scan';
}

const id = '65f000000000000000000001';
const id2 = '65f000000000000000000002';

const HOT: HotQuery[] = [
  // orders: place (POST /api/orders)
  {
    name: 'forgotten buyer?',
    source: 'common/src/models/forgotten-person.ts isForgottenPerson',
    model: (m) => m.orders.ForgottenPerson,
    filter: { _id: id },
    expect: 'id',
  },
  {
    name: 'product replica of a line',
    source: 'orders/src/lifecycle/place-order.ts placeHolding',
    model: (m) => m.orders.ProductReplica,
    filter: { _id: id },
    expect: 'id',
  },
  {
    name: 'reserve units',
    source: 'orders/src/models/product-replica.ts reserveUnits',
    model: (m) => m.orders.ProductReplica,
    filter: { _id: id, listed: { $ne: false }, available: { $gte: 1 }, 'holds.orderId': { $ne: id2 } },
    expect: 'index',
  },
  {
    name: 'confirm pending → created',
    source: 'orders/src/lifecycle/place-order.ts placeHolding',
    model: (m) => m.orders.Order,
    filter: { _id: id, status: 'pending' },
    expect: 'index',
  },
  // orders: complete (payment.created)
  {
    name: 'order to complete',
    source: 'orders/src/lifecycle/end-order.ts',
    model: (m) => m.orders.Order,
    filter: { _id: id },
    expect: 'id',
  },
  {
    name: 'sell held units',
    source: 'orders/src/models/product-replica.ts sellUnits',
    model: (m) => m.orders.ProductReplica,
    filter: { _id: id, 'holds.orderId': id2 },
    expect: 'index',
  },
  {
    name: 'clear hold action',
    source: 'orders/src/models/order-holds.ts settleHolds',
    model: (m) => m.orders.Order,
    filter: { _id: id, holdAction: 'sell' },
    expect: 'index',
  },
  // replicas' version checks (common/src/replica applyVersion), orders' and payments' copies
  {
    name: 'product replica version step',
    source: 'common/src/replica/index.ts applyVersion',
    model: (m) => m.orders.ProductReplica,
    filter: { _id: id, version: 3 },
    expect: 'index',
  },
  {
    name: 'product replica current version',
    source: 'common/src/replica/index.ts applyVersion',
    model: (m) => m.orders.ProductReplica,
    filter: { _id: id },
    expect: 'id',
  },
  {
    name: 'order replica version step (payments)',
    source: 'common/src/replica/index.ts applyVersion',
    model: (m) => m.payments.Order,
    filter: { _id: id, version: 1 },
    expect: 'index',
  },
  // payments: claim (POST /api/payments)
  {
    name: 'order copy of the payment',
    source: 'payments/src/charging/pay-order.ts',
    model: (m) => m.payments.Order,
    filter: { _id: id },
    expect: 'id',
  },
  {
    name: 'payment of an order (claim lost the insert)',
    source: 'payments/src/charging/pay-order.ts',
    model: (m) => m.payments.Payment,
    filter: { orderId: id },
    expect: 'index',
  },
  { name: 'payment by id', source: 'payments/src/models/payment.ts', model: (m) => m.payments.Payment, filter: { _id: id }, expect: 'id' },
  // outbox relay by _id (common/src/outbox), on every outbox model of the path
  ...(['Order', 'Payment'] as const).flatMap((which): HotQuery[] => {
    const model = (m: { orders: OrdersModels; payments: PaymentsModels }) => (which === 'Order' ? m.orders.Order : m.payments.Payment);
    return [
      {
        name: `relay: pending entries of a written ${which}`,
        source: 'common/src/outbox/index.ts',
        model,
        filter: { _id: id, 'outbox.0': { $exists: true } },
        expect: 'index',
      },
      {
        name: `relay: pop a published entry of ${which}`,
        source: 'common/src/outbox/index.ts',
        model,
        filter: { _id: id, 'outbox.0.id': 'e1' },
        expect: 'index',
      },
      {
        name: `relay: safety net over every ${which} (start-up, a peer's lease expired, every 15 min)`,
        source: 'common/src/outbox/index.ts',
        model,
        filter: { 'outbox.0': { $exists: true } },
        expect: 'scan',
      },
    ];
  }),
  // sweepers
  {
    name: 'order sweeper scan (start-up, a peer sweeper lease expired, every 15 min)',
    source: 'orders/src/background/order-sweeper.ts sweepOnce',
    model: (m) => m.orders.Order,
    filter: { $or: [{ status: 'pending' }, { holdAction: { $in: ['release', 'sell'] } }] },
    expect: 'index',
  },
  {
    name: 'over-held products (with the order sweeper scan)',
    source: 'orders/src/background/order-sweeper.ts withdrawOverheld',
    model: (m) => m.orders.ProductReplica,
    filter: { available: { $lt: 0 } },
    expect: 'scan',
  },
  {
    name: 'pending payments scan (start-up, a peer sweeper lease expired, every 15 min)',
    source: 'payments/src/background/pending-payment-sweeper.ts',
    model: (m) => m.payments.Payment,
    filter: { status: 'pending' },
    sort: { updatedAt: 1 },
    expect: 'index',
  },
];

/** Stage names of a mongod plan tree (winningPlan, possibly with queryPlan inside on 7+/SBE). */
function stages(plan: unknown): string[] {
  if (!plan || typeof plan !== 'object') return [];
  const p = plan as Record<string, unknown>;
  const own = typeof p.stage === 'string' ? [p.stage] : [];
  return [
    ...own,
    ...stages(p.queryPlan),
    ...stages(p.inputStage),
    ...((p.inputStages as unknown[]) ?? []).flatMap(stages),
    ...stages(p.winningPlan),
  ];
}

/** What FerretDB 1.24 reports as pushed down, on SQLite and on PostgreSQL (see the top of the file). */
const ferretPushdown = (f: Filter): boolean =>
  process.env.JETMART_TEST_FERRETDB_BACKEND === 'postgresql'
    ? Object.entries(f).some(([k, v]) => !k.startsWith('$') && !k.includes('.') && ['string', 'number', 'boolean'].includes(typeof v))
    : typeof f._id === 'string' && Object.keys(f).every((k) => k === '_id' || k.includes('.'));

/** Top-level field names of a filter, or of each `$or` branch. */
const branches = (f: Filter): string[][] => (Array.isArray(f.$or) ? (f.$or as Filter[]).map((b) => Object.keys(b)) : [Object.keys(f)]);

describe('hot queries of the checkout path use an index', () => {
  let ordersConn: mongoose.Connection;
  let paymentsConn: mongoose.Connection;
  let models: { orders: OrdersModels; payments: PaymentsModels };
  let ferret = false;

  beforeAll(async () => {
    ordersConn = mongoose.createConnection();
    paymentsConn = mongoose.createConnection();
    installDatabasePlugins(ordersConn);
    installDatabasePlugins(paymentsConn);
    models = { orders: ordersModels(ordersConn), payments: paymentsModels(paymentsConn) };
    await ordersConn.openUri(testDatabaseUrl('explain_orders'), { serverSelectionTimeoutMS: 10_000 });
    await paymentsConn.openUri(testDatabaseUrl('explain_payments'), { serverSelectionTimeoutMS: 10_000 });
    for (const m of [...Object.values(models.orders), ...Object.values(models.payments)]) {
      await (m as Model<unknown>).createCollection().catch(() => undefined);
      await (m as Model<unknown>).syncIndexes();
    }
    const info = await ordersConn.db!.admin().command({ buildInfo: 1 });
    ferret = 'ferretdbVersion' in info;
  });
  afterAll(async () => {
    for (const c of [ordersConn, paymentsConn]) {
      await c.db?.dropDatabase().catch(() => undefined);
      await c.close();
    }
  });

  it.each(HOT.map((q) => [q.name, q] as const))('%s', async (_name, q) => {
    const model = q.model(models);
    const explained = (await model.collection.find(q.filter as never, q.sort ? { sort: q.sort } : {}).explain()) as Record<string, unknown>;
    if (q.expect === 'index') {
      // On every server: the model declares an index led by a field of the filter (of every $or branch).
      const leading = (await model.collection.indexes()).map((ix) => Object.keys(ix.key)[0]);
      for (const fields of branches(q.filter)) expect(fields.filter((f) => leading.includes(f))).not.toHaveLength(0);
    }
    if (ferret) {
      expect({ query: q.name, filterPushdown: explained.filterPushdown }).toEqual({
        query: q.name,
        filterPushdown: ferretPushdown(q.filter),
      });
      if (q.expect === 'index')
        console.info(
          `skipped on FerretDB (${q.source}): it cannot report whether ${JSON.stringify(q.filter)} uses an index, only filterPushdown`,
        );
      return;
    }
    const planner = (explained.queryPlanner ?? {}) as Record<string, unknown>;
    const used = stages(planner.winningPlan);
    if (q.expect === 'scan') expect({ query: q.name, used }).toEqual({ query: q.name, used: expect.arrayContaining(['COLLSCAN']) });
    else {
      expect({ query: q.name, used }).not.toEqual({ query: q.name, used: expect.arrayContaining(['COLLSCAN']) });
      expect(used.some((s) => /IXSCAN|IDHACK|EXPRESS/.test(s))).toBe(true);
    }
  });
});
