#!/usr/bin/env node
'use strict';
// Reads every service's database directly (mongodb driver) and checks the SPEC invariants after a
// load has quiesced. Prints a report with counts; exits 1 on any violation.
//
//   node bench/check-invariants.js --mongo mongodb://127.0.0.1:PORT/ [--prefix jetmart] [--expect file.json]
//
// Orders in the internal status `failed` (placement could not hold every line; never answered 201,
// never published) must hold nothing and be unknown to products and payments.
// Databases: <prefix>_products, <prefix>_orders, <prefix>_payments. --expect names a JSON file
// written by the load generator: {orders: [id], paid: [orderId], cancelled: [orderId]} (answers
// the clients got: 201 order, 201 payment, 200 cancel), checked against what the databases hold.
const fs = require('node:fs');
const { MongoClient } = require('mongodb');

function args(argv) {
  const out = { prefix: 'jetmart' };
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i].replace(/^--/, '');
    out[k] = argv[i + 1];
    i++;
  }
  return out;
}

async function checkInvariants({ mongo: mongoUrl, prefix = 'jetmart', expect: expectFile, now = new Date(), log = console.log }) {
  const client = await MongoClient.connect(mongoUrl);
  const violations = [];
  const bad = (kind, detail) => violations.push({ kind, detail });
  const counts = {};
  try {
    const P = client.db(`${prefix}_products`);
    const O = client.db(`${prefix}_orders`);
    const Y = client.db(`${prefix}_payments`);
    const [products, ledger, orders, replicas, payOrders, payments] = await Promise.all([
      P.collection('products').find({}).toArray(),
      P.collection('unitledgers').find({}).toArray(),
      O.collection('orders').find({}).toArray(),
      O.collection('productreplicas').find({}).toArray(),
      Y.collection('orders').find({}).toArray(),
      Y.collection('payments').find({}).toArray(),
    ]);
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
    });

    // Outboxes drained (everything that happened was published).
    for (const [name, list] of [['products.products', products], ['orders.orders', orders], ['payments.payments', payments]]) {
      const pending = list.filter((d) => Array.isArray(d.outbox) && d.outbox.length > 0);
      if (pending.length) bad('outbox not empty', `${name}: ${pending.length} documents still have unpublished events`);
    }

    // 2. one end per order; versions: created 0, ended exactly once → 1.
    for (const o of orders) {
      const oid = id(o._id);
      if (o.status === 'created') {
        if (!(new Date(o.expiresAt) > now)) bad('order not ended', `${oid} still created, expired at ${new Date(o.expiresAt).toISOString()}`);
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
      const expected = !o ? undefined : o.status === 'created' ? 'held' : o.status === 'complete' ? 'sold' : o.status === 'cancelled' ? 'released' : 'none (never published)';
      if (!o) bad('ledger entry for unknown order', `${e._id} (${e.state})`);
      else if (e.state !== expected) bad('ledger state', `${e._id}: ${e.state}, order is ${o.status} (expected ${expected})`);
    }
    let unitsHeld = 0;
    let unitsSold = 0;
    for (const p of products) {
      const pid = id(p._id);
      const r = replicaById.get(pid);
      const live = liveUnits.get(pid) ?? 0;
      const sold = soldUnits.get(pid) ?? 0;
      unitsHeld += live;
      unitsSold += sold;
      if (live + sold > p.quantity) bad('OVERSELL (orders records)', `${pid}: held ${live} + sold ${sold} > listed ${p.quantity}`);
      if ((ledgerTaken.get(pid) ?? 0) > p.quantity) bad('OVERSELL (products ledger)', `${pid}: ${ledgerTaken.get(pid)} > listed ${p.quantity}`);
      if (!r) {
        bad('replica missing', `orders has no replica of product ${pid}`);
        continue;
      }
      if (r.version !== p.version) bad('replica behind', `product ${pid}: orders replica v${r.version}, source v${p.version}`);
      const rHeld = (r.holds ?? []).reduce((s, h) => s + h.quantity, 0);
      if (rHeld + r.sold > r.quantity) bad('OVERSELL (orders replica)', `${pid}: held ${rHeld} + sold ${r.sold} > ${r.quantity}`);
      if (r.available !== r.quantity - rHeld - r.sold) bad('replica units do not add up', `${pid}: available ${r.available} != ${r.quantity} - ${rHeld} - ${r.sold}`);
      if (r.sold !== sold) bad('replica sold differs from orders', `${pid}: replica sold ${r.sold}, complete orders ${sold}`);
      if (rHeld !== live) bad('replica holds differ from orders', `${pid}: replica holds ${rHeld}, created orders ${live}`);
      const holders = liveHolders.get(pid) ?? new Set();
      for (const h of r.holds ?? []) {
        const o = orderById.get(h.orderId);
        if (!o || o.status !== 'created') bad('units held by an ended/unknown order', `${pid}: hold of ${h.quantity} by ${h.orderId} (${o ? o.status : 'no such order'})`);
      }
      for (const oid of holders) if (!(r.holds ?? []).some((h) => h.orderId === oid)) bad('live order without a hold', `${pid}: order ${oid}`);
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
      if (o.status === 'cancelled' && n > 0) bad('cancelled order with a kept payment', `${o._id}: ${n} succeeded (not refunded)`);
      if (o.status === 'created' && n > 0) bad('paid order not complete', `${o._id}: ${n} succeeded, order still created`);
    }
    for (const [orderId] of succeeded) if (!orderById.has(orderId)) bad('payment for unknown order', orderId);

    // 2. payments' order replicas at their source's latest version.
    for (const o of orders) {
      const r = payOrderById.get(id(o._id));
      if (o.status === 'failed' || o.status === 'pending') {
        if (r) bad('unpublished order has a payments replica', `order ${o._id} (${o.status})`);
      } else if (!r) bad('payments replica missing', `order ${o._id}`);
      else if (r.version !== o.version || r.status !== o.status) bad('payments replica behind', `order ${o._id}: replica ${r.status} v${r.version}, source ${o.status} v${o.version}`);
    }

    // Nothing lost: what the clients were told matches what is stored.
    if (expectFile) {
      const told = JSON.parse(fs.readFileSync(expectFile, 'utf8'));
      let lost = 0;
      for (const oid of told.orders ?? []) if (!orderById.has(oid)) {
        lost++;
        bad('order lost', `${oid} was answered 201 but is not stored`);
      }
      for (const oid of told.paid ?? []) if (orderById.get(oid)?.status !== 'complete') bad('paid order not complete', `${oid}: ${orderById.get(oid)?.status}`);
      for (const oid of told.cancelled ?? []) if (orderById.get(oid)?.status !== 'cancelled') bad('cancelled order not cancelled', `${oid}: ${orderById.get(oid)?.status}`);
      Object.assign(counts, { clientOrders201: told.orders?.length ?? 0, clientPaid201: told.paid?.length ?? 0, clientCancelled200: told.cancelled?.length ?? 0, ordersLost: lost });
    }
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

module.exports = { checkInvariants };

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
