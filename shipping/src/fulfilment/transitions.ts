import mongoose from 'mongoose';
import { objectIdPattern } from '@jetmart/common';
import type { CancelOutcome, DeliverOutcome, ShipmentDoc, ShipmentModel, ShipOutcome, ShippingModels } from '../models';

/** One variant per transition outcome, each with the shipment as it now stands. */
type WithShipment<K extends string> = K extends string ? { kind: K; shipment: ShipmentDoc } : never;

export type ShipResult = WithShipment<ShipOutcome> | { kind: 'not-found' };
export type DeliverResult = WithShipment<DeliverOutcome> | { kind: 'not-found' };
export type CancelResult = WithShipment<CancelOutcome> | { kind: 'not-found' };
/** `stale`: the timer was set for another version, or the shipment is no longer shipped: nothing to do. */
export type AutoDeliverResult = WithShipment<'delivered'> | { kind: 'stale'; shipment: ShipmentDoc } | { kind: 'not-found' };

const ATTEMPTS = 5;

/**
 * Loads a shipment, applies a guarded transition and saves it when the transition changed it,
 * reloading and trying again when another writer got there first (VersionError). The loser of a
 * race thus answers from the winner's state (a repeat of the same step is `already-…`), and a
 * step is taken, and its event recorded, once. `visible` hides the shipment from a caller who may
 * not act on it (reported as not-found).
 */
async function transition<K extends string>(
  Shipment: ShipmentModel,
  id: string,
  visible: (s: ShipmentDoc) => boolean,
  apply: (s: ShipmentDoc) => K,
  changed: K,
): Promise<WithShipment<K> | { kind: 'not-found' }> {
  if (!objectIdPattern.test(id)) return { kind: 'not-found' };
  for (let i = 1; ; i++) {
    const shipment = await Shipment.findById(id);
    if (!shipment || !visible(shipment)) return { kind: 'not-found' };
    const kind = apply(shipment);
    if (kind === changed) {
      try {
        await shipment.save();
      } catch (err) {
        if (!(err instanceof mongoose.Error.VersionError) || i >= ATTEMPTS) throw err;
        continue;
      }
    }
    return { kind, shipment } as WithShipment<K>;
  }
}

export interface ShipInput {
  id: string;
  /** The caller: only the shipment's seller ships it. */
  userId: string;
  carrier: string;
  trackingNumber: string;
}

/** Marks a pending shipment shipped by its seller; auto-delivery is due `autoDeliverAfterMs` later. */
export function shipShipment(deps: { models: ShippingModels; autoDeliverAfterMs: number }, input: ShipInput): Promise<ShipResult> {
  return transition(
    deps.models.Shipment,
    input.id,
    (s) => s.sellerId === input.userId,
    (s) => s.ship(input.carrier, input.trackingNumber, deps.autoDeliverAfterMs),
    'shipped',
  );
}

/** What a delivery needs: the return window that starts with it (RETURN_WINDOW_DAYS/SECONDS). */
export interface DeliveryDeps {
  models: ShippingModels;
  returnWindowMs: number;
}

/** Confirms delivery of a shipped shipment, by its seller or its buyer. */
export function deliverShipment(deps: DeliveryDeps, input: { id: string; userId: string }): Promise<DeliverResult> {
  return transition(
    deps.models.Shipment,
    input.id,
    (s) => s.sellerId === input.userId || s.buyerId === input.userId,
    (s) => s.deliver(s.sellerId === input.userId ? 'seller' : 'buyer', deps.returnWindowMs),
    'delivered',
  );
}

/**
 * The buyer cancels their part of a paid order before it ships. Only the buyer may: the money is
 * theirs, and a seller who cancelled would refund a buyer who still wants the goods. Anyone else,
 * the seller included, sees not-found. A cancel racing the seller's ship has one winner (see `transition`): the loser answers from the
 * winner's state (`is-shipped`, or `is-cancelled` at the ship).
 */
export function cancelShipment(deps: { models: ShippingModels }, input: { id: string; userId: string }): Promise<CancelResult> {
  return transition(
    deps.models.Shipment,
    input.id,
    (s) => s.buyerId === input.userId,
    (s) => s.cancel('buyer'),
    'cancelled',
  );
}

/**
 * The seller deleted their account (closeSeller): their unshipped part is cancelled for the buyer,
 * who would otherwise wait for goods nobody will send. The same guarded pending → cancelled as the
 * buyer's cancel (so a ship racing it has one winner), with its own reason on shipment.cancelled.
 */
export function cancelForClosedShop(deps: { models: ShippingModels }, input: { id: string; sellerId: string }): Promise<CancelResult> {
  return transition(
    deps.models.Shipment,
    input.id,
    (s) => s.sellerId === input.sellerId,
    (s) => s.cancel('seller-closed'),
    'cancelled',
  );
}

/**
 * The auto-delivery timer fired for `version` (the shipped version): delivers the shipment only if
 * it is still shipped at exactly that version. A timer of an earlier version, or one for a
 * shipment that someone confirmed meanwhile, changes nothing.
 */
export async function autoDeliverShipment(deps: DeliveryDeps, due: { shipmentId: string; version: number }): Promise<AutoDeliverResult> {
  const result = await transition(
    deps.models.Shipment,
    due.shipmentId,
    () => true,
    (s) => (s.status === 'shipped' && s.version === due.version ? s.deliver('auto', deps.returnWindowMs) : 'stale'),
    'delivered',
  );
  if (result.kind === 'not-found' || result.kind === 'delivered') return result;
  return { kind: 'stale', shipment: result.shipment };
}
