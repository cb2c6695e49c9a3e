import { cancelForClosedShop } from '../fulfilment/transitions';
import type { ShippingModels } from '../models';

/**
 * `cancelled`: pending shipments this call cancelled; `lostToShip`: pending when read, but the
 * seller's ship won the race (they go on to delivery like every shipped one).
 */
export type CloseSellerResult = { kind: 'closed'; cancelled: number; lostToShip: number };

/**
 * user.deleted of a seller (SPEC invariant 13, docs/SPEC.md "Data export and erasure"): their
 * unshipped parts are cancelled, with reason `seller-closed`, so the buyers are refunded
 * (payments) and the units restocked (products, orders) by shipment.cancelled as for a buyer's
 * cancel; nobody is left waiting for goods that will never be sent. Shipped shipments go on to
 * delivery: the goods are on their way. A shipment keeps no personal data of its seller (only
 * their id; the address is the buyer's), so nothing is anonymised here.
 *
 * Each cancel is the guarded transition (one winner against a racing ship), and a redelivery
 * finds no pending shipment left: idempotent.
 */
export async function closeSeller(deps: { models: ShippingModels }, sellerId: string): Promise<CloseSellerResult> {
  let cancelled = 0;
  let lostToShip = 0;
  for (const s of await deps.models.Shipment.find({ sellerId, status: 'pending' }, { _id: 1 }).lean()) {
    const result = await cancelForClosedShop(deps, { id: String(s._id), sellerId });
    if (result.kind === 'cancelled') cancelled++;
    else if (result.kind === 'is-shipped' || result.kind === 'is-delivered') lostToShip++;
  }
  return { kind: 'closed', cancelled, lostToShip };
}
