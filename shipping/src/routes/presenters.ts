import { fromMinor } from '@jetmart/common';
import type { Address, Shipment } from '@jetmart/common/contracts';
import type { ShipmentFields } from '../models';

type StoredShipment = Omit<ShipmentFields, 'outbox' | 'updatedAt'> & { _id: unknown };

/** The address without the optional fields that were not given (a stored document may hold them as undefined/null). */
function presentAddress(a: Address): Address {
  return {
    name: a.name,
    line1: a.line1,
    ...(a.line2 ? { line2: a.line2 } : {}),
    city: a.city,
    postalCode: a.postalCode,
    country: a.country,
    ...(a.phone ? { phone: a.phone } : {}),
  };
}

/** A shipment as the API shows it, to its seller and its buyer. */
export function presentShipment(doc: StoredShipment): Shipment {
  return {
    id: String(doc._id),
    orderId: doc.orderId,
    sellerId: doc.sellerId,
    buyerId: doc.buyerId,
    status: doc.status,
    items: doc.items.map((l) => ({ productId: l.productId, title: l.title, price: fromMinor(l.priceMinor), quantity: l.quantity })),
    shippingAddress: presentAddress(doc.shippingAddress),
    ...(doc.carrier ? { carrier: doc.carrier } : {}),
    ...(doc.trackingNumber ? { trackingNumber: doc.trackingNumber } : {}),
    createdAt: doc.createdAt.toISOString(),
    ...(doc.shippedAt ? { shippedAt: doc.shippedAt.toISOString() } : {}),
    ...(doc.deliveredAt ? { deliveredAt: doc.deliveredAt.toISOString() } : {}),
    ...(doc.deliveredBy ? { deliveredBy: doc.deliveredBy } : {}),
    ...(doc.returnableUntil ? { returnableUntil: doc.returnableUntil.toISOString() } : {}),
    ...(doc.cancelledAt ? { cancelledAt: doc.cancelledAt.toISOString() } : {}),
    version: doc.version,
  };
}
