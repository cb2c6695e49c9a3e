import mongoose from 'mongoose';
import { isDuplicateKey } from '@jetmart/common';
import { GatewayUnavailableError, TransferRefusedError, type PaymentGateway } from '../gateway/payment-gateway';
import { balanceOf } from '../ledger/balance';
import {
  appendEntry,
  closePayout,
  payoutIdempotencyKey,
  reservePayout,
  type OpenPayout,
  type PaymentsModels,
  type PayoutDoc,
} from '../models';

export interface PayoutDeps {
  models: PaymentsModels;
  gateway: PaymentGateway;
  currency: string;
  /** An open payout this old lost its request (crash, timeout): the next request or sweep finishes it. */
  retryAfterMs: number;
}

export type PayoutOutcome =
  | { kind: 'sent'; payout: PayoutDoc }
  | { kind: 'no-account' }
  | { kind: 'nothing-available'; availableMinor: number }
  /** Another payout of this seller is being made right now. */
  | { kind: 'in-progress' }
  /** The processor refused the transfer: nothing moved and the amount is available again. */
  | { kind: 'refused'; payout: PayoutDoc; message: string }
  /** The processor did not answer: the payout stays reserved and is finished later with the same key. */
  | { kind: 'processor-unavailable'; message: string };

/** Reservations withdrawn because a refund landed meanwhile, before the request gives up (409-like). */
const MAX_RESERVE_ATTEMPTS = 3;

export const payoutEntryId = (payoutId: string): string => `payout-${payoutId}`;

/**
 * Pays a seller's whole available balance to their connected account, exactly once:
 *   1. reserve — one conditional update on the seller's account adds the amount to `paidOutMinor`
 *                and records the open payout, only if none is open and `paidOutMinor` is what the
 *                available balance was computed against (so never more than available, never twice);
 *   2. settle  — `settleOpenPayout`: record, transfer with a key derived from the payout id, mark sent.
 * A payout left open by a crash is finished by the next request (or the sweeper) after `retryAfterMs`.
 */
export async function requestPayout(deps: PayoutDeps, sellerId: string, now: Date = new Date(), attempt = 1): Promise<PayoutOutcome> {
  const { SellerAccount } = deps.models;
  const account = await SellerAccount.findById(sellerId).lean();
  if (!account?.stripeAccountId) return { kind: 'no-account' };
  if (account.openPayout) {
    if (now.getTime() - account.openPayout.createdAt.getTime() < deps.retryAfterMs) return { kind: 'in-progress' };
    return settleOpenPayout(deps, sellerId, account.openPayout);
  }
  const { availableMinor } = await balanceOf(deps.models, sellerId);
  // balanceOf re-reads paidOutMinor; the reservation below is conditional on the value read first,
  // so a payout reserved in between makes it fail rather than count twice.
  if (availableMinor <= 0) return { kind: 'nothing-available', availableMinor };
  const open: OpenPayout = {
    id: new mongoose.Types.ObjectId().toHexString(),
    amountMinor: availableMinor,
    destination: account.stripeAccountId,
    availableMinor,
    // After the balance was read: every entry and release it counted is older than the payout
    // (the invariant checker recomputes "available at its time" from these timestamps).
    createdAt: new Date(),
  };
  if (!(await reservePayout(SellerAccount, sellerId, account.paidOutMinor ?? 0, open))) return { kind: 'in-progress' };
  // A refund debited after the balance was read is not in `availableMinor`, and the reservation
  // cannot see it. Read again with the reservation in place: a negative balance means the payout
  // would exceed what is available now, so it is withdrawn before anything is recorded or sent.
  if ((await balanceOf(deps.models, sellerId)).availableMinor < 0) {
    await closePayout(SellerAccount, sellerId, open, true);
    return attempt < MAX_RESERVE_ATTEMPTS ? requestPayout(deps, sellerId, now, attempt + 1) : { kind: 'in-progress' };
  }
  return settleOpenPayout(deps, sellerId, open);
}

/**
 * Finishes a reserved payout; every step is safe to repeat after a crash anywhere:
 *   record   — insert the Payout (`_id` = the reserved id; a duplicate means it was recorded);
 *   transfer — the processor call, idempotency key `jetmart-payout-<id>`: a repeat returns the first transfer;
 *   sent     — the payout becomes `sent` with `payment.payout-sent` in its outbox (one save),
 *              the ledger gets its `payout-<id>` entry, and the account's open payout is closed.
 */
export async function settleOpenPayout(deps: PayoutDeps, sellerId: string, open: OpenPayout): Promise<PayoutOutcome> {
  const { Payout, SellerAccount, LedgerEntry } = deps.models;
  let payout = await Payout.findById(open.id);
  if (!payout) {
    try {
      payout = await Payout.create({
        _id: open.id,
        sellerId,
        amountMinor: open.amountMinor,
        currency: deps.currency,
        destination: open.destination,
        availableMinor: open.availableMinor,
        status: 'pending',
        createdAt: open.createdAt,
      });
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
      payout = (await Payout.findById(open.id))!;
    }
  }

  if (payout.status === 'pending') {
    let transferId: string;
    try {
      ({ transferId } = await deps.gateway.transfer({
        amountMinor: payout.amountMinor,
        currency: payout.currency,
        destination: payout.destination,
        idempotencyKey: payoutIdempotencyKey(payout.id as string),
        metadata: { payoutId: payout.id as string, sellerId },
      }));
    } catch (err) {
      if (err instanceof GatewayUnavailableError) return { kind: 'processor-unavailable', message: err.message };
      if (!(err instanceof TransferRefusedError)) throw err;
      if (payout.markFailed(err.message)) payout = await saveOrReload(payout);
      await closePayout(SellerAccount, sellerId, open, true);
      return { kind: 'refused', payout, message: err.message };
    }
    if (payout.markSent(transferId)) payout = await saveOrReload(payout);
  }
  if (payout.status === 'failed') {
    await closePayout(SellerAccount, sellerId, open, true);
    return { kind: 'refused', payout, message: payout.failureMessage ?? 'refused' };
  }
  await appendEntry(LedgerEntry, {
    _id: payoutEntryId(payout.id as string),
    sellerId,
    kind: 'payout',
    sourceId: payout.id as string,
    grossMinor: -payout.amountMinor,
    commissionMinor: 0,
    netMinor: -payout.amountMinor,
    commissionPercent: 0,
  });
  await closePayout(SellerAccount, sellerId, open, false);
  return { kind: 'sent', payout };
}

/** Saves a settled payout; when a concurrent settle of the same payout saved first, its record stands. */
async function saveOrReload(payout: PayoutDoc): Promise<PayoutDoc> {
  try {
    return await payout.save();
  } catch (err) {
    if (!(err instanceof mongoose.Error.VersionError)) throw err;
    return (await payout.model().findById(payout._id))! as PayoutDoc;
  }
}
