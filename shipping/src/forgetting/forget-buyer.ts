import { cancelShipment } from '../fulfilment/transitions';
import { anonymiseShipmentAddress, rememberForgottenPerson, type ShippingModels } from '../models';

export type ForgetBuyerResult = { kind: 'forgotten'; cancelled: number; anonymised: number };

/**
 * user.deleted (SPEC invariant 13, "gone means gone"): shipping forgets the buyer's address.
 *
 * - A `pending` shipment (paid, not shipped) is cancelled through the buyer's own cancel
 *   transition: nobody can deliver to an address that is gone, and the seller has no cancel of
 *   their own. shipment.cancelled then refunds that part (payments) and puts its units back on
 *   sale (products), as when the buyer cancels. A shipment the seller ships meanwhile wins the
 *   race (the transition is guarded) and is left to be delivered.
 * - Every shipment of theirs, whatever its status, keeps an anonymised address (name "deleted
 *   user", the rest blanked but the country); status, carrier and tracking number stay.
 *
 * The address is rewritten by a plain conditional update that leaves `version` alone (no event
 * carries it). Every step is idempotent: a redelivery finds nothing left to do.
 *
 * The buyer's id is remembered first (ForgottenPerson, no personal data), before the shipments are
 * read: a shipment created by a late order.completed is then either found by this scan or sees
 * the record when it re-checks after its insert (createShipmentsForOrder), never neither.
 */
export async function forgetBuyer(deps: { models: ShippingModels }, buyerId: string): Promise<ForgetBuyerResult> {
  const { Shipment, ForgottenPerson } = deps.models;
  await rememberForgottenPerson(ForgottenPerson, buyerId);
  let cancelled = 0;
  let anonymised = 0;
  for (const s of await Shipment.find({ buyerId }, { status: 1 }).lean()) {
    const id = String(s._id);
    if (s.status === 'pending' && (await cancelShipment(deps, { id, userId: buyerId })).kind === 'cancelled') cancelled++;
    if (await anonymiseShipmentAddress(Shipment, id)) anonymised++;
  }
  return { kind: 'forgotten', cancelled, anonymised };
}
