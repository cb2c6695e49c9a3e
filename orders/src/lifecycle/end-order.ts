import mongoose from 'mongoose';
import { withLockedDocument } from '@jetmart/common';
import { ordersCancelled, ordersCompleted } from '../metrics';
import { settleHolds, type CancelOutcome, type CancelReason, type CompleteOutcome, type OrderDoc, type OrderModel } from '../models';
import type { LifecycleDeps } from './deps';

/** One variant per transition outcome, each with the order as it now stands. */
type WithOrder<K extends string> = K extends string ? { kind: K; order: OrderDoc } : never;

export type CancelResult = WithOrder<CancelOutcome> | { kind: 'not-found' };
export type CompleteResult = WithOrder<CompleteOutcome> | { kind: 'not-found' };

/**
 * Loads an order, applies a guarded transition and saves it when the transition changed it. On
 * FerretDB the order is read under its document lock and saved under the same lock, so no other
 * writer gets in between and the save does not read the version again (withLockedDocument). On
 * MongoDB the versioned save decides: when another writer got there first (VersionError) the
 * order is read again and the transition tried again. Either way a racing cancel and payment
 * cannot both win, and the loser's outcome describes the winner's state.
 */
async function transition<K extends string>(
  Order: OrderModel,
  id: string,
  apply: (order: OrderDoc) => K,
  changed: K,
  attempts = 5,
): Promise<WithOrder<K> | { kind: 'not-found' }> {
  for (let i = 1; ; i++) {
    try {
      return await withLockedDocument<OrderDoc, WithOrder<K> | { kind: 'not-found' }>(Order as never, id, async (order) => {
        if (!order) return { kind: 'not-found' };
        const kind = apply(order);
        if (kind === changed) await order.save();
        return { kind, order } as WithOrder<K>;
      });
    } catch (err) {
      if (!(err instanceof mongoose.Error.VersionError) || i >= attempts) throw err;
    }
  }
}

/**
 * Cancels a `created` order: the status change and order.cancelled in one save (the outbox
 * publishes it), then the metric and the release of its units. Any other state is reported, not
 * changed. Counted only when this call saved the change, so a redelivery is not counted twice.
 */
export async function cancelOrder(deps: LifecycleDeps, orderId: string, reason: CancelReason): Promise<CancelResult> {
  const result = await transition(deps.models.Order, orderId, (order) => order.cancel(reason), 'cancelled');
  if (result.kind === 'cancelled') {
    ordersCancelled.inc({ reason });
    await settleHolds(deps.models, result.order);
  }
  return result;
}

/** Completes (pays) a `created` order, then counts it and sells its units; as cancelOrder. */
export async function completeOrder(deps: LifecycleDeps, orderId: string): Promise<CompleteResult> {
  const result = await transition(deps.models.Order, orderId, (order) => order.complete(), 'completed');
  if (result.kind === 'completed') {
    ordersCompleted.inc();
    await settleHolds(deps.models, result.order);
  }
  return result;
}
