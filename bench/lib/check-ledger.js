'use strict';
// Invariant 11 (the books balance) over payments' sellers' ledger: for every charged order, the
// sellers' credits plus the platform's commission equal what was charged minus what was refunded;
// every entry is gross = net + commission; every payout was at most the seller's available balance
// at its time and none happened twice. Used by bench/check-invariants.js; written independently of
// the services' code (it recomputes the balances from the stored entries and releases).

const id = (x) => String(x);
const t = (d) => new Date(d).getTime();

function checkLedger({ payOrders, payments, refunds, entries, releases, accounts, payouts, bad }) {
  const counts = {
    ledgerSellerEntries: entries.length,
    ledgerEntriesByKind: entries.reduce((m, e) => ((m[e.kind] = (m[e.kind] ?? 0) + 1), m), {}),
    sellerReleases: releases.length,
    payouts: payouts.length,
    payoutsByStatus: payouts.reduce((m, p) => ((m[p.status] = (m[p.status] ?? 0) + 1), m), {}),
    ordersOnTheBooks: 0,
    ordersBeforeTheLedger: 0,
    commissionMinor: 0,
  };
  const entriesByOrder = new Map();
  for (const e of entries) {
    if (e.netMinor + e.commissionMinor !== e.grossMinor)
      bad('ledger entry: gross ≠ net + commission', `${e._id}: ${e.grossMinor} vs ${e.netMinor} + ${e.commissionMinor}`);
    if (e.kind === 'sale' || e.kind === 'refund') {
      if (!e.orderId) bad('ledger entry without an order', id(e._id));
      else entriesByOrder.set(e.orderId, [...(entriesByOrder.get(e.orderId) ?? []), e]);
      counts.commissionMinor += e.commissionMinor;
    }
    if (e.kind === 'sale' && e.commissionMinor !== Math.floor((e.grossMinor * e.commissionPercent + 50) / 100))
      bad(
        'sale commission is not round(gross × percent / 100)',
        `${e._id}: ${e.commissionMinor} of ${e.grossMinor} at ${e.commissionPercent}%`,
      );
    if (e.kind === 'refund' && (e.grossMinor > 0 || e.commissionMinor > 0)) bad('refund entry credits', id(e._id));
  }

  // For every order: credits + commission = charged − refunded.
  const refundedByPayment = new Map();
  for (const f of refunds) refundedByPayment.set(id(f.paymentId), (refundedByPayment.get(id(f.paymentId)) ?? 0) + f.amountMinor);
  const replicaById = new Map(payOrders.map((o) => [id(o._id), o]));
  const charged = new Set();
  for (const p of payments) {
    if (!p.chargeId || (p.status !== 'succeeded' && p.status !== 'refunded')) continue;
    charged.add(p.orderId);
    const mine = entriesByOrder.get(p.orderId) ?? [];
    const lines = replicaById.get(p.orderId)?.items ?? [];
    if (!lines.length || lines.some((l) => !l.sellerId)) {
      // Replicated before the ledger existed: no lines to credit (docs/SPEC.md); it must stay off the books.
      counts.ordersBeforeTheLedger++;
      if (mine.length) bad('ledger entries for an order without lines', `${p.orderId}: ${mine.length}`);
      continue;
    }
    counts.ordersOnTheBooks++;
    const books = mine.reduce((s, e) => s + e.netMinor + e.commissionMinor, 0);
    const owed = p.amountMinor - (refundedByPayment.get(id(p._id)) ?? 0);
    if (books !== owed) bad('THE BOOKS DO NOT BALANCE', `order ${p.orderId}: credits + commission ${books}, charged − refunded ${owed}`);
    const sales = mine.filter((e) => e.kind === 'sale');
    if (sales.length !== lines.length)
      bad('sold lines not credited exactly once', `order ${p.orderId}: ${sales.length} sale entries, ${lines.length} lines`);
  }
  for (const orderId of entriesByOrder.keys()) if (!charged.has(orderId)) bad('ledger entries for an order never charged', orderId);

  // Payouts: never twice, never more than available at their time.
  const releasedAt = new Map(releases.map((r) => [id(r._id), t(r.releasedAt)]));
  const bySeller = new Map();
  for (const p of payouts) bySeller.set(p.sellerId, [...(bySeller.get(p.sellerId) ?? []), p]);
  const transferIds = payouts.filter((p) => p.transferId).map((p) => p.transferId);
  if (new Set(transferIds).size !== transferIds.length) bad('PAYOUT TRANSFERRED TWICE', transferIds.join(', '));
  const entryById = new Map(entries.map((e) => [id(e._id), e]));
  const accountById = new Map(accounts.map((a) => [id(a._id), a]));
  for (const [sellerId, list] of bySeller) {
    const mine = entries.filter((e) => e.sellerId === sellerId && (e.kind === 'sale' || e.kind === 'refund'));
    const live = list.filter((p) => p.status !== 'failed').sort((a, b) => t(a.createdAt) - t(b.createdAt));
    let paidBefore = 0;
    for (const p of live) {
      const at = t(p.createdAt);
      const available =
        mine
          .filter((e) => t(e.createdAt) <= at && (releasedAt.get(`${e.orderId}:${sellerId}`) ?? Infinity) <= at)
          .reduce((s, e) => s + e.netMinor, 0) - paidBefore;
      if (p.amountMinor > available)
        bad(
          'PAYOUT EXCEEDS THE AVAILABLE BALANCE',
          `payout ${p._id} of seller ${sellerId}: ${p.amountMinor} > ${available} available then`,
        );
      paidBefore += p.amountMinor;
      if (p.status === 'sent') {
        const e = entryById.get(`payout-${id(p._id)}`);
        if (!e || e.netMinor !== -p.amountMinor) bad('sent payout not on the books', `payout ${p._id}`);
      }
      if (Array.isArray(p.outbox) && p.outbox.length) bad('outbox not empty', `payments.payouts ${p._id}`);
    }
    const account = accountById.get(sellerId);
    const open = account?.openPayout && !list.some((p) => id(p._id) === account.openPayout.id) ? account.openPayout.amountMinor : 0;
    if ((account?.paidOutMinor ?? 0) !== paidBefore + open)
      bad(
        'paid-out total differs from the payouts',
        `seller ${sellerId}: paidOutMinor ${account?.paidOutMinor}, payouts ${paidBefore} + unrecorded ${open}`,
      );
  }
  for (const e of entries)
    if (e.kind === 'payout' && !payouts.some((p) => `payout-${id(p._id)}` === id(e._id) && p.status === 'sent'))
      bad('payout entry without a sent payout', id(e._id));
  for (const a of accounts) if (a.openPayout) counts.payoutsOpen = (counts.payoutsOpen ?? 0) + 1;
  return { counts };
}

module.exports = { checkLedger };
