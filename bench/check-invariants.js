#!/usr/bin/env node
'use strict';
// Reads every service's database directly (mongodb driver) and checks the SPEC invariants after a
// load has quiesced. Prints a report with counts; exits 1 on any violation.
//
//   node bench/check-invariants.js --mongo mongodb://127.0.0.1:PORT/ [--prefix jetmart] [--expect file.json]
//
// Orders in the internal status `failed` (placement could not hold every line; never answered 201,
// never published) must hold nothing and be unknown to products and payments.
// Databases: <prefix>_products, <prefix>_orders, <prefix>_payments, <prefix>_shipping. --expect names
// a JSON file written by the load generator: {orders: [id], paid: [orderId], cancelled: [orderId],
// shipped: {shipmentId: {carrier, trackingNumber}}, delivered: [shipmentId], fulfillment:
// {orderId: status}} (answers the clients got: 201 order, 201 payment, 200 cancel, 200 ship, 200
// deliver, and each order's `fulfillment` as GET /api/orders/:id showed it after the load),
// checked against what the databases hold.
// `forgotten` in that file (or the `forgotten` option): strings of deleted accounts (email, name,
// address lines) that no database of the run may hold any more (invariant 13, bench/lib/check-forgotten.js).
//
// Fulfilment (SPEC invariants 7 and 8): every line of a paid order placed with seller ids is in
// exactly one shipment, of its seller; no other order has a shipment; each shipment's state, version
// and timestamps agree (pending v0 → shipped v1 → delivered v2); orders' replica of every shipment is
// at shipping's version; and an order's fulfilment derived from shipping's shipments is what orders
// shows (from --expect) and what orders' replicas give.
//
// Catalog (SPEC invariants 14 and 15, bench/lib/check-catalog.js): every review was earned by a
// delivered line, once per (buyer, product), and each rating aggregate is the recount of the visible
// reviews; search's read model (database <prefix>_search, when it exists) holds every product at
// its latest product, stock and rating versions, listed as the product is.
const fs = require('node:fs');
const { MongoClient } = require('mongodb');
const { checkReturnsAndRefunds, restocksOf } = require('./lib/check-returns');
const { checkLedger } = require('./lib/check-ledger');
const { checkForgotten } = require('./lib/check-forgotten');
const { checkCatalog } = require('./lib/check-catalog');

function args(argv) {
  const out = { prefix: 'jetmart' };
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i].replace(/^--/, '');
    out[k] = argv[i + 1];
    i++;
  }
  return out;
}

async function checkInvariants({
  mongo: mongoUrl,
  prefix = 'jetmart',
  expect: expectFile,
  forgotten = [],
  now = new Date(),
  log = console.log,
}) {
  const client = await MongoClient.connect(mongoUrl);
  const violations = [];
  const bad = (kind, detail) => violations.push({ kind, detail });
  const counts = {};
  try {
    const P = client.db(`${prefix}_products`);
    const O = client.db(`${prefix}_orders`);
    const Y = client.db(`${prefix}_payments`);
    const S = client.db(`${prefix}_shipping`);
    const [products, ledger, orders, replicas, payOrders, payments, shipments, shipmentReplicas, refunds, returns, refundReplicas] =
      await Promise.all([
        P.collection('products').find({}).toArray(),
        P.collection('unitledgers').find({}).toArray(),
        O.collection('orders').find({}).toArray(),
        O.collection('productreplicas').find({}).toArray(),
        Y.collection('orders').find({}).toArray(),
        Y.collection('payments').find({}).toArray(),
        S.collection('shipments').find({}).toArray(),
        O.collection(SHIPMENT_REPLICAS).find({}).toArray(),
        Y.collection('refunds').find({}).toArray(),
        O.collection('returns').find({}).toArray(),
        O.collection('refundreplicas').find({}).toArray(),
      ]);
    // Units back on sale (cancelled parts, returns received with restock): no longer sold.
    const restockedUnits = new Map();
    for (const r of restocksOf({ shipments, returns }))
      restockedUnits.set(r.productId, (restockedUnits.get(r.productId) ?? 0) + r.quantity);
    const id = (x) => String(x);
    const orderById = new Map(orders.map((o) => [id(o._id), o]));
    const replicaById = new Map(replicas.map((r) => [id(r._id), r]));
    const payOrderById = new Map(payOrders.map((o) => [id(o._id), o]));
    const byStatus = (list, field = 'status') => list.reduce((m, x) => ((m[x[field]] = (m[x[field]] ?? 0) + 1), m), {});
    Object.assign(counts, {
      products: products.length,
      ledgerEntries: ledger.length,
      ledgerByState: byStatus(ledger, 'state'),
      orders: orders.length,
      ordersByStatus: byStatus(orders),
      productReplicas: replicas.length,
      paymentOrderReplicas: payOrders.length,
      payments: payments.length,
      paymentsByStatus: byStatus(payments),
      shipments: shipments.length,
      shipmentsByStatus: byStatus(shipments),
      shipmentReplicas: shipmentReplicas.length,
    });

    // Outboxes drained (everything that happened was published).
    for (const [name, list] of [
      ['products.products', products],
      ['orders.orders', orders],
      ['payments.payments', payments],
      ['shipping.shipments', shipments],
    ]) {
      const pending = list.filter((d) => Array.isArray(d.outbox) && d.outbox.length > 0);
      if (pending.length) bad('outbox not empty', `${name}: ${pending.length} documents still have unpublished events`);
    }

    // 2. one end per order; versions: created 0, ended exactly once → 1.
    for (const o of orders) {
      const oid = id(o._id);
      if (o.status === 'created') {
        if (!(new Date(o.expiresAt) > now))
          bad('order not ended', `${oid} still created, expired at ${new Date(o.expiresAt).toISOString()}`);
        if (o.version !== 0) bad('order version', `${oid} created at version ${o.version}`);
      } else if (o.status === 'complete' || o.status === 'cancelled') {
        if (o.version !== 1) bad('order ended more than once', `${oid} ${o.status} at version ${o.version} (expected 1)`);
      } else if (o.status === 'failed') {
        // Internal: placement could not hold every line (or died trying); never answered 201, never published.
      } else bad('order not settled', `${oid} has status ${o.status}`);
      if (o.holdAction) bad('hold settlement pending', `${oid} ${o.status} has holdAction ${JSON.stringify(o.holdAction)}`);
    }

    // 1 + 5. units: orders' replica vs orders' own records vs products' ledger vs listed quantity.
    const liveUnits = new Map(); // productId → units held by created orders (orders' records)
    const soldUnits = new Map(); // productId → units in complete orders
    const liveHolders = new Map(); // productId → Set(orderId) of created orders
    for (const o of orders) {
      for (const l of o.items ?? []) {
        if (o.status === 'created') {
          liveUnits.set(l.productId, (liveUnits.get(l.productId) ?? 0) + l.quantity);
          if (!liveHolders.has(l.productId)) liveHolders.set(l.productId, new Set());
          liveHolders.get(l.productId).add(id(o._id));
        } else if (o.status === 'complete') soldUnits.set(l.productId, (soldUnits.get(l.productId) ?? 0) + l.quantity);
      }
    }
    const ledgerTaken = new Map();
    for (const e of ledger) {
      const o = orderById.get(e.orderId);
      if (e.state === 'held' || e.state === 'sold') ledgerTaken.set(e.productId, (ledgerTaken.get(e.productId) ?? 0) + e.quantity);
      if (e.state === 'restocked') {
        // Checked against the decisions that restock (invariant 10, check-returns.js).
        ledgerTaken.set(e.productId, (ledgerTaken.get(e.productId) ?? 0) - e.quantity);
        if (o?.status !== 'complete') bad('restock of an unpaid order', `${e._id}: order ${o ? o.status : 'unknown'}`);
        continue;
      }
      const expected = !o
        ? undefined
        : o.status === 'created'
          ? 'held'
          : o.status === 'complete'
            ? 'sold'
            : o.status === 'cancelled'
              ? 'released'
              : 'none (never published)';
      if (!o) bad('ledger entry for unknown order', `${e._id} (${e.state})`);
      else if (e.state !== expected) bad('ledger state', `${e._id}: ${e.state}, order is ${o.status} (expected ${expected})`);
    }
    let unitsHeld = 0;
    let unitsSold = 0;
    for (const p of products) {
      const pid = id(p._id);
      const r = replicaById.get(pid);
      const live = liveUnits.get(pid) ?? 0;
      const sold = (soldUnits.get(pid) ?? 0) - (restockedUnits.get(pid) ?? 0);
      unitsHeld += live;
      unitsSold += sold;
      if (live + sold > p.quantity) bad('OVERSELL (orders records)', `${pid}: held ${live} + sold ${sold} > listed ${p.quantity}`);
      if ((ledgerTaken.get(pid) ?? 0) > p.quantity)
        bad('OVERSELL (products ledger)', `${pid}: ${ledgerTaken.get(pid)} > listed ${p.quantity}`);
      if (!r) {
        bad('replica missing', `orders has no replica of product ${pid}`);
        continue;
      }
      if (r.version !== p.version) bad('replica behind', `product ${pid}: orders replica v${r.version}, source v${p.version}`);
      const rHeld = (r.holds ?? []).reduce((s, h) => s + h.quantity, 0);
      if (rHeld + r.sold > r.quantity) bad('OVERSELL (orders replica)', `${pid}: held ${rHeld} + sold ${r.sold} > ${r.quantity}`);
      if (r.available !== r.quantity - rHeld - r.sold)
        bad('replica units do not add up', `${pid}: available ${r.available} != ${r.quantity} - ${rHeld} - ${r.sold}`);
      if (r.sold !== sold)
        bad('replica sold differs from orders', `${pid}: replica sold ${r.sold}, complete orders less restocked ${sold}`);
      if (rHeld !== live) bad('replica holds differ from orders', `${pid}: replica holds ${rHeld}, created orders ${live}`);
      const holders = liveHolders.get(pid) ?? new Set();
      for (const h of r.holds ?? []) {
        const o = orderById.get(h.orderId);
        if (!o || o.status !== 'created')
          bad('units held by an ended/unknown order', `${pid}: hold of ${h.quantity} by ${h.orderId} (${o ? o.status : 'no such order'})`);
      }
      for (const oid of holders)
        if (!(r.holds ?? []).some((h) => h.orderId === oid)) bad('live order without a hold', `${pid}: order ${oid}`);
    }
    for (const r of replicas) if (!products.some((p) => id(p._id) === id(r._id))) bad('replica of unknown product', id(r._id));
    Object.assign(counts, { unitsHeldByLiveOrders: unitsHeld, unitsSold });

    // 3. payments: one succeeded payment per complete order, none kept for a cancelled one.
    const succeeded = new Map();
    for (const y of payments) {
      if (y.status === 'succeeded') succeeded.set(y.orderId, (succeeded.get(y.orderId) ?? 0) + 1);
      if (y.status === 'pending') bad('payment still pending', `${y._id} for order ${y.orderId}`);
    }
    for (const o of orders) {
      const n = succeeded.get(id(o._id)) ?? 0;
      if (o.status === 'complete' && n !== 1) bad('complete order without exactly one succeeded payment', `${o._id}: ${n}`);
      // A cancelled order's charge must be refunded in full (checked with the refunds below).
      if (o.status === 'created' && n > 0) bad('paid order not complete', `${o._id}: ${n} succeeded, order still created`);
    }
    for (const [orderId] of succeeded) if (!orderById.has(orderId)) bad('payment for unknown order', orderId);

    // 2. payments' order replicas at their source's latest version.
    for (const o of orders) {
      const r = payOrderById.get(id(o._id));
      if (o.status === 'failed' || o.status === 'pending') {
        if (r) bad('unpublished order has a payments replica', `order ${o._id} (${o.status})`);
      } else if (!r) bad('payments replica missing', `order ${o._id}`);
      else if (r.version !== o.version || r.status !== o.status)
        bad('payments replica behind', `order ${o._id}: replica ${r.status} v${r.version}, source ${o.status} v${o.version}`);
    }

    // 7 + 8. fulfilment: shipments against orders, their states, orders' replicas of them.
    const fulfilment = checkShipments({ orders, shipments, shipmentReplicas, now, bad });
    Object.assign(counts, fulfilment.counts);

    // 8 (returns), 9, 10: refunds, returns and units back on sale.
    const returnsCheck = checkReturnsAndRefunds({
      orders,
      payments,
      refunds,
      returns,
      refundReplicas,
      shipments,
      shipmentReplicas,
      replicas,
      ledger,
      bad,
    });
    Object.assign(counts, returnsCheck.counts);

    // 11. the books balance: sellers' ledger, commission and payouts.
    const [sellerEntries, releases, accounts, payouts] = await Promise.all(
      ['ledgerentries', 'releases', 'selleraccounts', 'payouts'].map((c) => Y.collection(c).find({}).toArray()),
    );
    Object.assign(counts, checkLedger({ payOrders, payments, refunds, entries: sellerEntries, releases, accounts, payouts, bad }).counts);

    // 14 + 15. reviews are earned and counted; search's index follows the catalog.
    Object.assign(counts, (await checkCatalog({ client, prefix, bad })).counts);

    // Nothing lost: what the clients were told matches what is stored.
    if (expectFile) {
      const told = JSON.parse(fs.readFileSync(expectFile, 'utf8'));
      const shipmentById = new Map(shipments.map((x) => [id(x._id), x]));
      for (const [sid, t] of Object.entries(told.shipped ?? {})) {
        const x = shipmentById.get(sid);
        if (!x || !['shipped', 'delivered'].includes(x.status) || x.carrier !== t.carrier || x.trackingNumber !== t.trackingNumber)
          bad(
            'shipped shipment not shipped as answered',
            `${sid}: answered 200 with ${t.carrier}/${t.trackingNumber}, stored ${x ? `${x.status} ${x.carrier}/${x.trackingNumber}` : 'nothing'}`,
          );
      }
      for (const sid of told.cancelledParts ?? [])
        if (shipmentById.get(sid)?.status !== 'cancelled')
          bad('cancelled part not cancelled', `${sid}: answered 200, stored ${shipmentById.get(sid)?.status}`);
      const returnById = new Map(returns.map((r) => [id(r._id), r]));
      const AFTER = {
        requested: ['requested', 'approved', 'rejected', 'cancelled', 'received', 'refunded'],
        approved: ['approved', 'received', 'refunded'],
        rejected: ['rejected'],
        received: ['received', 'refunded'],
      };
      for (const [rid, answered] of Object.entries(told.returns ?? {}))
        if (!(AFTER[answered] ?? [answered]).includes(returnById.get(rid)?.status))
          bad('return not as answered', `${rid}: answered ${answered}, stored ${returnById.get(rid)?.status ?? 'nothing'}`);
      for (const sid of told.delivered ?? [])
        if (shipmentById.get(sid)?.status !== 'delivered')
          bad('delivered shipment not delivered', `${sid}: ${shipmentById.get(sid)?.status}`);
      let fulfilmentShown = 0;
      for (const [oid, shown] of Object.entries(told.fulfillment ?? {})) {
        const o = orderById.get(oid);
        if (!o) continue; // reported above as lost
        fulfilmentShown++;
        const expected = fulfilment.expectedOf(o);
        if (shown !== expected)
          bad('order fulfilment differs from its shipments', `${oid} (${o.status}): orders shows ${shown}, shipments give ${expected}`);
      }
      Object.assign(counts, {
        clientShipped200: Object.keys(told.shipped ?? {}).length,
        clientDelivered200: told.delivered?.length ?? 0,
        fulfilmentShownChecked: fulfilmentShown,
      });
      let lost = 0;
      for (const oid of told.orders ?? [])
        if (!orderById.has(oid)) {
          lost++;
          bad('order lost', `${oid} was answered 201 but is not stored`);
        }
      for (const oid of told.paid ?? [])
        if (orderById.get(oid)?.status !== 'complete') {
          // A 201 payment whose order ended first (the race with expiry that payment.started narrows
          // but cannot close): allowed only as a full refund of that charge, counted, not hidden.
          const refundedInFull = refunds.some((f) => f.reason === 'order-cancelled' && String(f.sourceId) === oid);
          if (orderById.get(oid)?.status === 'cancelled' && refundedInFull)
            counts.paidThenRefundedInFull = (counts.paidThenRefundedInFull ?? 0) + 1;
          else bad('paid order not complete', `${oid}: ${orderById.get(oid)?.status}`);
        }
      for (const oid of told.cancelled ?? [])
        if (orderById.get(oid)?.status !== 'cancelled') bad('cancelled order not cancelled', `${oid}: ${orderById.get(oid)?.status}`);
      forgotten = [...forgotten, ...(told.forgotten ?? [])];
      Object.assign(counts, {
        clientOrders201: told.orders?.length ?? 0,
        clientPaid201: told.paid?.length ?? 0,
        clientCancelled200: told.cancelled?.length ?? 0,
        ordersLost: lost,
      });
    }

    // 13. gone means gone: the strings of deleted accounts (`forgotten`, or the expect file's
    // `forgotten`: emails, names, address lines) are in no database of the run.
    if (forgotten.length)
      Object.assign(
        counts,
        (await checkForgotten({ client, needles: forgotten, databases: (d) => d.startsWith(`${prefix}_`), bad })).counts,
      );
  } finally {
    await client.close();
  }
  log('== invariant check ==');
  for (const [k, v] of Object.entries(counts)) log(`  ${k}: ${typeof v === 'object' ? JSON.stringify(v) : v}`);
  if (!violations.length) log('  violations: 0 — all invariants hold');
  else {
    log(`  violations: ${violations.length}`);
    const byKind = violations.reduce((m, v) => ((m[v.kind] = (m[v.kind] ?? 0) + 1), m), {});
    for (const [k, n] of Object.entries(byKind)) log(`    ${k}: ${n}`);
    for (const v of violations.slice(0, 40)) log(`    - ${v.kind}: ${v.detail}`);
  }
  return { counts, violations };
}

/** Where orders keeps its version-checked replica of each shipment (`_id` = the shipment id). */
const SHIPMENT_REPLICAS = 'shipmentreplicas';
const SHIPMENT_STATES = ['pending', 'shipped', 'delivered', 'cancelled'];
const VERSION_OF_STATE = { pending: 0, shipped: 1, delivered: 2, cancelled: 1 };

/**
 * An order's fulfilment as SPEC v2 and the fulfilment design define it, from the states of its
 * parts (sellerId → status): written here independently of orders' own function, so that the two
 * are checked against each other. A paid order's part with no shipment (yet) counts as pending.
 */
function deriveFulfillment(order, statusOfSeller) {
  if (order.status === 'cancelled') return 'cancelled';
  if (order.status !== 'complete') return 'unfulfilled';
  // Lines without a seller id predate fulfilment: they are no part (such an order has none).
  const sellers = [...new Set((order.items ?? []).map((l) => l.sellerId).filter(Boolean))];
  // Parts cancelled by the buyer before shipping are no longer to be fulfilled; all cancelled → cancelled.
  const states = sellers.map((sid) => statusOfSeller.get(sid) ?? 'pending').filter((x) => x !== 'cancelled');
  if (sellers.length && !states.length) return 'cancelled';
  const delivered = states.filter((x) => x === 'delivered').length;
  const shipped = states.filter((x) => x === 'shipped').length;
  if (states.length && delivered === states.length) return 'delivered';
  if (delivered > 0) return 'partially_delivered';
  if (states.length && delivered + shipped === states.length) return 'shipped';
  if (shipped > 0) return 'partially_shipped';
  return 'unfulfilled';
}

const sameAddress = (a, b) =>
  !!a && !!b && ['name', 'line1', 'line2', 'city', 'postalCode', 'country', 'phone'].every((k) => (a[k] ?? '') === (b[k] ?? ''));
const time = (d) => (d ? new Date(d).getTime() : undefined);

/** Invariants 7 and 8 over shipping's shipments, orders' orders and orders' shipment replicas. */
function checkShipments({ orders, shipments, shipmentReplicas, now, bad }) {
  const id = (x) => String(x);
  const orderById = new Map(orders.map((o) => [id(o._id), o]));
  const byOrder = new Map(); // orderId → shipments
  for (const x of shipments) {
    if (!byOrder.has(x.orderId)) byOrder.set(x.orderId, []);
    byOrder.get(x.orderId).push(x);
  }
  const placedWithSellers = (o) => (o.items ?? []).length > 0 && o.items.every((l) => l.sellerId) && !!o.shippingAddress;
  let linesShipped = 0;
  let paidWithSellers = 0;
  let paidBeforeFulfilment = 0;

  // 7. every line of a paid order (placed with seller ids) in exactly one shipment, of its seller.
  for (const o of orders) {
    const oid = id(o._id);
    const parts = byOrder.get(oid) ?? [];
    if (o.status !== 'complete') {
      if (parts.length) bad(`shipment for a ${o.status} order`, `${oid}: ${parts.length} shipment(s)`);
      continue;
    }
    if (!placedWithSellers(o)) {
      // Placed before fulfilment existed (no seller ids or address): shipping creates nothing for it.
      paidBeforeFulfilment++;
      if (parts.length) bad('shipment for an order placed before fulfilment', `${oid}: ${parts.length} shipment(s)`);
      continue;
    }
    paidWithSellers++;
    const sellers = [...new Set(o.items.map((l) => l.sellerId))];
    for (const sid of sellers) {
      const mine = parts.filter((x) => x.sellerId === sid);
      if (mine.length !== 1) {
        bad('paid order part not in exactly one shipment', `${oid} seller ${sid}: ${mine.length} shipments`);
        continue;
      }
      const x = mine[0];
      const want = o.items.filter((l) => l.sellerId === sid).map((l) => `${l.productId}×${l.quantity}@${l.priceMinor} ${l.title}`);
      const got = (x.items ?? []).map((l) => `${l.productId}×${l.quantity}@${l.priceMinor} ${l.title}`);
      if (JSON.stringify([...want].sort()) !== JSON.stringify([...got].sort()))
        bad(
          'shipment lines differ from the seller’s order lines',
          `${id(x._id)} (order ${oid}, seller ${sid}): ${JSON.stringify(got)} vs ${JSON.stringify(want)}`,
        );
      else linesShipped += want.length;
      if (x.buyerId !== o.userId) bad('shipment buyer differs from the order’s', `${id(x._id)}: ${x.buyerId} vs ${o.userId}`);
      if (!sameAddress(x.shippingAddress, o.shippingAddress))
        bad('shipment address differs from the order’s snapshot', `${id(x._id)} (order ${oid})`);
    }
    for (const x of parts)
      if (!sellers.includes(x.sellerId))
        bad('shipment of a seller the order does not have', `${id(x._id)}: seller ${x.sellerId}, order ${oid}`);
  }
  for (const [oid, parts] of byOrder) if (!orderById.has(oid)) bad('shipment for unknown order', `${oid}: ${parts.length} shipment(s)`);

  // 8. states valid and consistent with their versions and timestamps.
  for (const x of shipments) {
    const sid = `${id(x._id)} (${x.status} v${x.version})`;
    const [created, shipped, autoAt, delivered] = [time(x.createdAt), time(x.shippedAt), time(x.autoDeliverAt), time(x.deliveredAt)];
    if (!SHIPMENT_STATES.includes(x.status)) {
      bad('shipment state invalid', sid);
      continue;
    }
    if (x.status in VERSION_OF_STATE && x.version !== VERSION_OF_STATE[x.status]) bad('shipment version does not match its state', sid);
    const isShipped = x.status === 'shipped' || x.status === 'delivered';
    if (isShipped) {
      if (!x.carrier || !x.trackingNumber || shipped === undefined || autoAt === undefined)
        bad('shipped shipment without carrier, tracking or times', sid);
      else {
        if (created !== undefined && shipped < created) bad('shipment shipped before it was created', sid);
        if (!(autoAt > shipped)) bad('auto-delivery not after shipping', sid);
      }
    } else if (x.carrier || x.trackingNumber || shipped !== undefined || autoAt !== undefined)
      bad('unshipped shipment with shipping data', sid);
    if ((x.status === 'cancelled') !== (x.cancelledAt != null)) bad('cancellation time does not match the state', sid);
    if (x.status === 'delivered') {
      if (delivered === undefined || !['seller', 'buyer', 'auto'].includes(x.deliveredBy))
        bad('delivered shipment without time or by', sid);
      else {
        if (shipped !== undefined && delivered < shipped) bad('shipment delivered before it was shipped', sid);
        if (x.deliveredBy === 'auto' && autoAt !== undefined && delivered < autoAt) bad('shipment auto-delivered before its time', sid);
      }
    } else if (delivered !== undefined || x.deliveredBy) bad('undelivered shipment with delivery data', sid);
    // The timer is expiration's: a shipped shipment past its time was not delivered (the run waits for timers first).
    if (x.status === 'shipped' && autoAt !== undefined && autoAt < now.getTime())
      bad('shipment not auto-delivered', `${sid} due ${new Date(autoAt).toISOString()}`);
  }

  // 2 + 8. orders' replica of every shipment at shipping's version and state.
  const replicaById = new Map(shipmentReplicas.map((r) => [id(r._id), r]));
  for (const x of shipments) {
    const r = replicaById.get(id(x._id));
    if (!r) bad('orders shipment replica missing', `${id(x._id)} (order ${x.orderId})`);
    else if (r.version !== x.version || r.status !== x.status || r.orderId !== x.orderId || r.sellerId !== x.sellerId)
      bad('orders shipment replica behind', `${id(x._id)}: replica ${r.status} v${r.version}, source ${x.status} v${x.version}`);
  }
  const shipmentIds = new Set(shipments.map((x) => id(x._id)));
  for (const r of shipmentReplicas) if (!shipmentIds.has(id(r._id))) bad('orders replica of an unknown shipment', id(r._id));

  // 8. the fulfilment orders derives from its replicas is the one shipping's shipments give.
  const statusesOf = (list, oid) => new Map((list.get(oid) ?? []).map((x) => [x.sellerId, x.status]));
  const replicasByOrder = new Map();
  for (const r of shipmentReplicas) {
    if (!replicasByOrder.has(r.orderId)) replicasByOrder.set(r.orderId, []);
    replicasByOrder.get(r.orderId).push(r);
  }
  const expectedOf = (o) => deriveFulfillment(o, statusesOf(byOrder, id(o._id)));
  const fulfilment = {};
  for (const o of orders) {
    if (!['created', 'complete', 'cancelled'].includes(o.status)) continue;
    const expected = expectedOf(o);
    fulfilment[expected] = (fulfilment[expected] ?? 0) + 1;
    const fromReplicas = deriveFulfillment(o, statusesOf(replicasByOrder, id(o._id)));
    if (fromReplicas !== expected)
      bad('order fulfilment (orders replicas) differs from its shipments', `${id(o._id)}: ${fromReplicas} vs ${expected}`);
  }
  return {
    expectedOf,
    counts: {
      paidOrdersWithSellers: paidWithSellers,
      paidOrdersBeforeFulfilment: paidBeforeFulfilment,
      paidLinesInTheirShipment: linesShipped,
      fulfilment,
    },
  };
}

module.exports = { checkInvariants, deriveFulfillment };

if (require.main === module) {
  const a = args(process.argv.slice(2));
  if (!a.mongo) {
    console.error('usage: node bench/check-invariants.js --mongo mongodb://host:port/ [--prefix jetmart] [--expect file.json]');
    process.exit(2);
  }
  checkInvariants(a).then(
    (r) => process.exit(r.violations.length ? 1 : 0),
    (err) => {
      console.error(err);
      process.exit(2);
    },
  );
}
