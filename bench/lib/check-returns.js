'use strict';
// Invariants 8 (returns), 9 (refunds never exceed the charge; one per source) and 10 (units come back
// once, only when restocking was chosen) over payments' refunds, orders' returns and replicas, and
// shipping's cancelled shipments. Used by bench/check-invariants.js; written independently of the
// services' code so the two are checked against each other.

const id = (x) => String(x);
const sumLines = (items) => (items ?? []).reduce((s, l) => s + l.priceMinor * l.quantity, 0);
const LIVE_RETURN = ['requested', 'approved', 'received', 'refunded'];
const RETURN_VERSION = { requested: 0, approved: 1, rejected: 1, cancelled: 1, received: 2, refunded: 3 };

/**
 * Units that went back on sale, from the decisions that put them there: every line of a cancelled
 * shipment, and the lines of a received return whose seller chose to restock.
 * Returns [{sourceId, orderId, productId, quantity}].
 */
function restocksOf({ shipments, returns }) {
  const out = [];
  for (const x of shipments)
    if (x.status === 'cancelled')
      for (const l of x.items ?? []) out.push({ sourceId: id(x._id), orderId: x.orderId, productId: l.productId, quantity: l.quantity });
  for (const r of returns)
    if ((r.status === 'received' || r.status === 'refunded') && r.restock === true)
      for (const l of r.items ?? []) out.push({ sourceId: id(r._id), orderId: r.orderId, productId: l.productId, quantity: l.quantity });
  return out;
}

function checkReturnsAndRefunds({
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
}) {
  const orderById = new Map(orders.map((o) => [id(o._id), o]));
  const shipmentById = new Map(shipments.map((x) => [id(x._id), x]));
  const shipmentReplicaById = new Map(shipmentReplicas.map((r) => [id(r._id), r]));
  const counts = { refunds: refunds.length, returns: returns.length, refundedConflicts: 0 };

  // 9. per payment: the refunds' sum is what the payment reserved, and never more than the charge.
  const refundsByPayment = new Map();
  for (const f of refunds) {
    if (!refundsByPayment.has(id(f.paymentId))) refundsByPayment.set(id(f.paymentId), []);
    refundsByPayment.get(id(f.paymentId)).push(f);
    if (!(f.amountMinor > 0)) bad('refund of nothing', `${f._id}: ${f.amountMinor}`);
    if (Array.isArray(f.outbox) && f.outbox.length) bad('outbox not empty', `payments.refunds ${f._id}`);
  }
  let refundedMinor = 0;
  for (const p of payments) {
    const mine = refundsByPayment.get(id(p._id)) ?? [];
    const sum = mine.reduce((s, f) => s + f.amountMinor, 0);
    refundedMinor += sum;
    if (sum > p.amountMinor) bad('REFUNDS EXCEED THE CHARGE', `payment ${p._id}: refunded ${sum} > charged ${p.amountMinor}`);
    if ((p.refundedMinor ?? 0) !== sum)
      bad('payment refunded total differs from its refunds', `payment ${p._id}: refundedMinor ${p.refundedMinor}, refunds sum ${sum}`);
    const keys = [...(p.refundKeys ?? [])].map(String).sort();
    const ids = mine.map((f) => id(f._id)).sort();
    if (new Set(keys).size !== keys.length) bad('refund reserved twice', `payment ${p._id}: ${keys.join(', ')}`);
    if (JSON.stringify(keys) !== JSON.stringify(ids))
      bad(
        'refund reserved but not written (or written unreserved)',
        `payment ${p._id}: keys ${keys.join(',')} vs refunds ${ids.join(',')}`,
      );
    if (mine.length && p.status !== 'succeeded' && p.status !== 'refunded')
      bad('refund of an uncharged payment', `payment ${p._id} (${p.status})`);
  }
  counts.refundedMinor = refundedMinor;

  // 9. one refund per source, of the source's amount.
  const refundsBySource = new Map();
  for (const f of refunds) {
    const k = `${f.reason}:${f.sourceId}`;
    refundsBySource.set(k, [...(refundsBySource.get(k) ?? []), f]);
  }
  for (const [k, list] of refundsBySource) if (list.length > 1) bad('source refunded more than once', `${k}: ${list.length} refunds`);
  const expectOne = (reason, sourceId, amount, what) => {
    const list = refundsBySource.get(`${reason}:${sourceId}`) ?? [];
    if (list.length !== 1) bad(`${what} not refunded exactly once`, `${sourceId}: ${list.length} refunds`);
    else if (list[0].amountMinor !== amount)
      bad(`${what} refunded the wrong amount`, `${sourceId}: ${list[0].amountMinor}, lines ${amount}`);
  };
  for (const x of shipments)
    if (x.status === 'cancelled') expectOne('shipment-cancelled', id(x._id), sumLines(x.items), 'cancelled shipment');
  for (const r of returns)
    if (r.status === 'received' || r.status === 'refunded') expectOne('return', id(r._id), sumLines(r.items), 'received return');
  const succeededByOrder = new Map(payments.filter((p) => p.status === 'succeeded' || p.status === 'refunded').map((p) => [p.orderId, p]));
  for (const o of orders) {
    const p = succeededByOrder.get(id(o._id));
    if (o.status !== 'cancelled' || !p) continue;
    // A charge that lost the race with the order's end: refunded in full, and counted as such.
    counts.refundedConflicts++;
    expectOne('order-cancelled', id(o._id), p.amountMinor, 'charge of a cancelled order');
  }
  for (const f of refunds) {
    const known =
      (f.reason === 'shipment-cancelled' && shipmentById.get(id(f.sourceId))?.status === 'cancelled') ||
      (f.reason === 'return' &&
        returns.some((r) => id(r._id) === id(f.sourceId) && (r.status === 'received' || r.status === 'refunded'))) ||
      (f.reason === 'order-cancelled' && orderById.get(id(f.sourceId))?.status === 'cancelled');
    if (!known) bad('refund without a source that owes it', `${f._id} (${f.reason} ${f.sourceId})`);
  }

  // 2. orders' replica of the refunds is payments' refunds.
  const fmt = (list) => JSON.stringify(list.map((f) => `${id(f._id)}=${f.amountMinor}@${f.orderId}`).sort());
  if (fmt(refundReplicas) !== fmt(refunds))
    bad('orders refund replicas differ from payments refunds', `${fmt(refundReplicas)} vs ${fmt(refunds)}`);

  // 8. returns: valid states at their versions; never more units than bought; refunded once received and refunded.
  const liveQty = new Map(); // shipmentId:productId → units in live returns
  for (const r of returns) {
    const rid = `${r._id} (${r.status} v${r.version})`;
    if (!(r.status in RETURN_VERSION)) {
      bad('return state invalid', rid);
      continue;
    }
    if (r.version !== RETURN_VERSION[r.status]) bad('return version does not match its state', rid);
    if (Array.isArray(r.outbox) && r.outbox.length) bad('outbox not empty', `orders.returns ${r._id}`);
    const x = shipmentById.get(id(r.shipmentId));
    if (!x || x.orderId !== r.orderId || x.sellerId !== r.sellerId) {
      bad('return of an unknown shipment', rid);
      continue;
    }
    if (x.status !== 'delivered') bad('return of an undelivered shipment', `${rid}: shipment ${x.status}`);
    if (r.status === 'received' && refundsBySource.has(`return:${id(r._id)}`)) bad('refunded return not marked refunded', rid);
    if (LIVE_RETURN.includes(r.status))
      for (const l of r.items ?? [])
        liveQty.set(`${r.shipmentId}:${l.productId}`, (liveQty.get(`${r.shipmentId}:${l.productId}`) ?? 0) + l.quantity);
  }
  for (const x of shipments) {
    const replica = shipmentReplicaById.get(id(x._id));
    for (const l of x.items ?? []) {
      const taken = liveQty.get(`${id(x._id)}:${l.productId}`) ?? 0;
      if (taken > l.quantity) bad('RETURNS EXCEED THE UNITS BOUGHT', `shipment ${x._id} product ${l.productId}: ${taken} > ${l.quantity}`);
      const left = replica?.returnable?.[l.productId];
      if (replica && left !== undefined && left !== l.quantity - taken)
        bad(
          'returnable units differ from the returns',
          `shipment ${x._id} product ${l.productId}: returnable ${left}, bought ${l.quantity} − returned ${taken}`,
        );
    }
  }

  // 10. units back on sale once, and only where restocking was chosen: orders' replica and products' ledger.
  const restocks = restocksOf({ shipments, returns });
  counts.unitsRestocked = restocks.reduce((s, r) => s + r.quantity, 0);
  const wantedByProduct = new Map();
  for (const r of restocks) wantedByProduct.set(r.productId, [...(wantedByProduct.get(r.productId) ?? []), r.sourceId]);
  for (const rep of replicas) {
    const got = (rep.restocks ?? []).map(String);
    if (new Set(got).size !== got.length) bad('UNITS RESTOCKED TWICE (orders replica)', `product ${rep._id}: ${got.join(', ')}`);
    const want = wantedByProduct.get(id(rep._id)) ?? [];
    if (JSON.stringify([...got].sort()) !== JSON.stringify([...want].sort()))
      bad('orders replica restocks differ from the decisions', `product ${rep._id}: ${got.join(',')} vs ${want.join(',')}`);
  }
  const ledgerRestocks = ledger.filter((e) => e.state === 'restocked');
  const wantLedger = new Map(restocks.map((r) => [`${r.orderId}:${r.productId}:restock:${r.sourceId}`, r.quantity]));
  for (const e of ledgerRestocks) {
    if (!wantLedger.has(id(e._id))) bad('products restock without a decision', `${e._id}`);
    else if (wantLedger.get(id(e._id)) !== e.quantity)
      bad('products restocked the wrong units', `${e._id}: ${e.quantity} vs ${wantLedger.get(id(e._id))}`);
  }
  for (const k of wantLedger.keys()) if (!ledgerRestocks.some((e) => id(e._id) === k)) bad('products restock missing', k);
  return { counts, restocks };
}

module.exports = { checkReturnsAndRefunds, restocksOf };
