import { isDuplicateKey, type EventData, type Subjects } from '@jetmart/common';
import { anonymisedAddress } from '@jetmart/common/contracts';
import { closeSeller } from '../forgetting/close-seller';
import { forgetBuyer } from '../forgetting/forget-buyer';
import { isForgottenPerson, newShipment, type ShipmentLine, type ShippingModels } from '../models';

type OrderCompleted = EventData<typeof Subjects.OrderCompleted>;

/** How an order.completed was split; the listener acks every one. */
export type SplitOutcome =
  /** One shipment per seller exists now: `created` by this call, `existing` from an earlier delivery or another replica. */
  | { kind: 'split'; created: number; existing: number; buyerForgotten: boolean; sellersClosed: number }
  /** The event lacks what a shipment needs (seller ids, address, line titles and prices): the order predates fulfilment. */
  | { kind: 'predates-fulfilment'; missing: string };

/** The order's lines per seller, in the order the sellers first appear; or what the event lacks. */
export function linesBySeller(
  order: OrderCompleted,
): { kind: 'lines'; sellers: Map<string, ShipmentLine[]> } | { kind: 'missing'; missing: string } {
  if (!order.shippingAddress) return { kind: 'missing', missing: 'shippingAddress' };
  const sellers = new Map<string, ShipmentLine[]>();
  for (const [i, line] of order.items.entries()) {
    if (!line.sellerId) return { kind: 'missing', missing: `items.${i}.sellerId` };
    if (line.title === undefined || line.priceMinor === undefined) return { kind: 'missing', missing: `items.${i}.title/priceMinor` };
    const lines = sellers.get(line.sellerId) ?? [];
    lines.push({ productId: line.productId, title: line.title, priceMinor: line.priceMinor, quantity: line.quantity });
    sellers.set(line.sellerId, lines);
  }
  return { kind: 'lines', sellers };
}

/**
 * Creates one shipment per seller of a paid order, each with that seller's lines. Every insert
 * may lose to the unique {orderId, sellerId} index (a redelivery, a duplicate, another replica):
 * that shipment exists already, with the same lines, since they come from the same order. So any
 * number of deliveries to any number of replicas leave exactly one shipment per seller.
 *
 * A buyer whose account is gone (user.deleted came first: SPEC invariant 13) gets shipments with
 * the anonymised address from the start, and they are then treated as forgetBuyer treats every
 * shipment of a deleted buyer (pending → cancelled, refunded downstream). The check is repeated
 * after the inserts: a user.deleted handled meanwhile remembered the buyer before it looked for
 * shipments, so one of the two sees the other.
 *
 * The same for a seller whose account is gone (the order was paid as they deleted it): after the
 * inserts, their part is cancelled as closeSeller cancels every unshipped part of theirs. The
 * record of a deleted account (ForgottenPerson, written first by every user.deleted) holds any
 * person's id, whatever their role.
 */
export async function createShipmentsForOrder(models: ShippingModels, order: OrderCompleted): Promise<SplitOutcome> {
  const split = linesBySeller(order);
  if (split.kind === 'missing') return { kind: 'predates-fulfilment', missing: split.missing };
  // The unique index must exist before the first insert relies on it (built once per process).
  await models.Shipment.init();
  let created = 0;
  let existing = 0;
  const forgottenBefore = await isForgottenPerson(models.ForgottenPerson, order.userId);
  const shippingAddress = forgottenBefore ? anonymisedAddress(order.shippingAddress!.country) : order.shippingAddress!;
  for (const [sellerId, items] of split.sellers) {
    try {
      await newShipment(models.Shipment, {
        orderId: order.id,
        sellerId,
        buyerId: order.userId,
        items,
        shippingAddress,
      }).save();
      created++;
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
      existing++;
    }
  }
  const buyerForgotten = forgottenBefore || (await isForgottenPerson(models.ForgottenPerson, order.userId));
  if (buyerForgotten) await forgetBuyer({ models }, order.userId);
  let sellersClosed = 0;
  for (const sellerId of split.sellers.keys())
    if (await isForgottenPerson(models.ForgottenPerson, sellerId)) {
      await closeSeller({ models }, sellerId);
      sellersClosed++;
    }
  return { kind: 'split', created, existing, buyerForgotten, sellersClosed };
}
