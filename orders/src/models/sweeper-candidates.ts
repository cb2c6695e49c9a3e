import type { Schema } from 'mongoose';
import { RecoveryCandidates } from '@jetmart/common';

/**
 * The orders and products this process left in a state the sweeper may have to finish
 * (`RecoveryCandidates`, common), so that the sweeper reads those by `_id` instead of scanning
 * the orders and product replicas every pass (background/order-sweeper.ts).
 *
 * - `pending`: an order inserted `pending` (its placement may stop midway); forgotten by the
 *   write that confirms it.
 * - `hold`: an order given a hold action (release or sell); forgotten by the write that clears it.
 * - `overheld`: a product whose listed quantity is below the units held, with holders that could
 *   not be cancelled yet.
 * Noted also when the write failed: its answer may be lost after the server applied it.
 */
export type CandidateKind = 'pending' | 'hold';

type OnDatabase = { db: { name: string } };

export const orderCandidates = (Order: OnDatabase) => RecoveryCandidates.of<CandidateKind>(Order.db, 'orders');
export const overheldCandidates = (ProductReplica: OnDatabase) => RecoveryCandidates.of<'overheld'>(ProductReplica.db, 'overheld products');

export function noteOverheldProduct(ProductReplica: OnDatabase, productId: string): void {
  overheldCandidates(ProductReplica).note(productId, 'overheld');
}

type Set$ = { status?: unknown; holdAction?: unknown };
type OrderQuery = { getUpdate(): unknown; getFilter(): Record<string, unknown>; model: OnDatabase };
const holding = (action: unknown) => action === 'release' || action === 'sell';

/** Notes and forgets sweeper candidates on every write of an order (installed on the order schema). */
export function sweeperCandidatesPlugin(schema: Schema): void {
  const noteDoc = function (this: { _id: unknown; status?: string; holdAction?: unknown; constructor: unknown }) {
    const candidates = orderCandidates(this.constructor as OnDatabase);
    if (this.status === 'pending') candidates.note(this._id, 'pending');
    else if (holding(this.holdAction)) candidates.note(this._id, 'hold');
  };
  schema.post('save', noteDoc);
  // Error handlers: note, and let the original error propagate unchanged.
  schema.post('save', { errorHandler: true } as never, noteDoc as never);

  const $set = (q: OrderQuery) => ((q.getUpdate() as { $set?: Set$ } | null)?.$set ?? {}) as Set$;
  schema.post('updateOne', function (this: OrderQuery, res: { modifiedCount?: number }) {
    const set = $set(this);
    const id = this.getFilter()._id;
    if (holding(set.holdAction)) {
      if (res?.modifiedCount === 1) orderCandidates(this.model).note(id, 'hold');
    } else if (res?.modifiedCount === 1 && (set.holdAction === null || set.status === 'created')) {
      orderCandidates(this.model).forget(id);
    }
  });
  schema.post(
    'updateOne',
    { errorHandler: true } as never,
    function (this: OrderQuery) {
      if (holding($set(this).holdAction)) orderCandidates(this.model).note(this.getFilter()._id, 'hold');
    } as never,
  );
}
