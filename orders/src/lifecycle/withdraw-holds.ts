import { applyProductUpdated, noteOverheldProduct, type OrderDoc, type ProductUpdateApplied, type ReplicaUnits } from '../models';
import type { LifecycleDeps } from './deps';
import { cancelOrder } from './end-order';

/**
 * No oversell when a seller lowers the listed quantity. Products refuses a quantity below the
 * units it knows are held or sold, but it learns of new holds through events, so a lower quantity
 * can reach this replica after orders here already hold more. `available` then drops below 0
 * (no new holds can be taken) and this cancels the newest unpaid orders holding the product,
 * reason `unavailable`, until the holds fit the listed stock again. Paid orders are never
 * touched (their units are sold). Idempotent: it acts only while `available` < 0, so a
 * redelivered product.updated, or a crash halfway, is finished by the next run.
 * Returns the ids of the orders it cancelled. `units`: the replica's units as a write just left
 * them (applyProductUpdated), saving the read.
 */
export async function withdrawExcessHolds(deps: LifecycleDeps, productId: string, units?: ReplicaUnits): Promise<string[]> {
  const { models } = deps;
  const replica = units ?? (await models.ProductReplica.findById(productId, { available: 1, holds: 1 }).lean());
  if (!replica || replica.available >= 0) return [];
  // One findById per holder: FerretDB pushes down only _id equality, not $in.
  const holders: OrderDoc[] = [];
  for (const h of replica.holds) {
    const order = await models.Order.findById(h.orderId);
    if (order?.status === 'created') holders.push(order);
  }
  holders.sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || (b.id < a.id ? -1 : 1));
  const cancelled: string[] = [];
  let shortfall = -replica.available;
  for (const holder of holders) {
    if (shortfall <= 0) break;
    const result = await cancelOrder(deps, holder.id, 'unavailable');
    if (result.kind !== 'cancelled') continue; // paid or cancelled meanwhile
    cancelled.push(holder.id);
    shortfall -= replica.holds.find((h) => h.orderId === holder.id)?.quantity ?? 0;
  }
  // Still over (a holder still pending may be confirmed later): the sweeper looks again.
  if (shortfall > 0) noteOverheldProduct(models.ProductReplica, productId);
  return cancelled;
}

/**
 * A product.updated: applied to the replica, then the holds it no longer covers withdrawn (also
 * on a duplicate delivery, which finishes what a crash interrupted).
 */
export async function applyProductChange(
  deps: LifecycleDeps,
  data: Parameters<typeof applyProductUpdated>[1],
): Promise<ProductUpdateApplied & { cancelled: string[] }> {
  const applied = await applyProductUpdated(deps.models.ProductReplica, data);
  return { ...applied, cancelled: await withdrawExcessHolds(deps, data.id, applied.units) };
}
