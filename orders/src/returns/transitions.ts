import mongoose from 'mongoose';
import { objectIdPattern } from '@jetmart/common';
import {
  giveBackReturnable,
  type ApproveOutcome,
  type CancelReturnOutcome,
  type OrdersModels,
  type ReceiveOutcome,
  type RefundedOutcome,
  type RejectOutcome,
  type ReturnDoc,
  type ReturnModel,
} from '../models';

/** One variant per transition outcome, each with the return as it now stands. */
type WithReturn<K extends string> = K extends string ? { kind: K; ret: ReturnDoc } : never;

export type ApproveResult = WithReturn<ApproveOutcome> | { kind: 'not-found' };
export type RejectResult = WithReturn<RejectOutcome> | { kind: 'not-found' };
export type CancelReturnResult = WithReturn<CancelReturnOutcome> | { kind: 'not-found' };
export type ReceiveResult = WithReturn<ReceiveOutcome> | { kind: 'not-found' };
export type RefundedResult = WithReturn<RefundedOutcome> | { kind: 'not-found' };

interface ReturnsDeps {
  models: OrdersModels;
}

const ATTEMPTS = 5;

/**
 * Loads a return, applies a guarded transition and saves it when the transition changed it,
 * reloading and trying again when another writer got there first (VersionError): the loser of a
 * race answers from the winner's state, and a step is taken, and its event recorded, once.
 * `visible` hides the return from a caller who may not act on it (reported as not-found).
 */
async function transition<K extends string>(
  Return: ReturnModel,
  id: string,
  visible: (r: ReturnDoc) => boolean,
  apply: (r: ReturnDoc) => K,
  changed: K,
): Promise<WithReturn<K> | { kind: 'not-found' }> {
  if (!objectIdPattern.test(id)) return { kind: 'not-found' };
  for (let i = 1; ; i++) {
    const ret = await Return.findById(id);
    if (!ret || !visible(ret)) return { kind: 'not-found' };
    const kind = apply(ret);
    if (kind === changed) {
      try {
        await ret.save();
      } catch (err) {
        if (!(err instanceof mongoose.Error.VersionError) || i >= ATTEMPTS) throw err;
        continue;
      }
    }
    return { kind, ret } as WithReturn<K>;
  }
}

/**
 * A rejected or cancelled return's units become returnable again. Done after the save, and again
 * on every repeat of the step (giveBackReturnable counts each return once), so a crash between
 * the two is repaired by the repeat the caller makes when it saw no answer.
 */
async function giveBack(deps: ReturnsDeps, ret: ReturnDoc): Promise<void> {
  await giveBackReturnable(deps.models.ShipmentReplica, ret.shipmentId, ret.id as string, ret.items);
}

/** The seller approves a requested return. */
export function approveReturn(deps: ReturnsDeps, input: { id: string; userId: string }): Promise<ApproveResult> {
  return transition(
    deps.models.Return,
    input.id,
    (r) => r.sellerId === input.userId,
    (r) => r.approve(),
    'approved',
  );
}

/** The seller rejects a requested return with a message; its units become returnable again. */
export async function rejectReturn(deps: ReturnsDeps, input: { id: string; userId: string; message: string }): Promise<RejectResult> {
  const result = await transition(
    deps.models.Return,
    input.id,
    (r) => r.sellerId === input.userId,
    (r) => r.reject(input.message),
    'rejected',
  );
  if (result.kind === 'rejected' || result.kind === 'already-rejected') await giveBack(deps, result.ret);
  return result;
}

/** The buyer cancels a return while it is requested; its units become returnable again. */
export async function cancelReturn(deps: ReturnsDeps, input: { id: string; userId: string }): Promise<CancelReturnResult> {
  const result = await transition(
    deps.models.Return,
    input.id,
    (r) => r.buyerId === input.userId,
    (r) => r.cancel(),
    'cancelled',
  );
  if (result.kind === 'cancelled' || result.kind === 'already-cancelled') await giveBack(deps, result.ret);
  return result;
}

/**
 * The seller has the goods back (from approved), restocking them or not. return.received makes
 * payments refund the lines, and this service's own listener put the units back on sale when
 * `restock` (so a crash after this save still restocks: the outbox publishes the event).
 */
export function receiveReturn(deps: ReturnsDeps, input: { id: string; userId: string; restock: boolean }): Promise<ReceiveResult> {
  return transition(
    deps.models.Return,
    input.id,
    (r) => r.sellerId === input.userId,
    (r) => r.receive(input.restock),
    'received',
  );
}

/** payments refunded a received return (payment.refunded, reason `return`): received → refunded. */
export function markReturnRefunded(
  deps: ReturnsDeps,
  input: { id: string; refundId: string; amountMinor: number },
): Promise<RefundedResult> {
  return transition(
    deps.models.Return,
    input.id,
    () => true,
    (r) => r.refunded(input.refundId, input.amountMinor),
    'refunded',
  );
}
