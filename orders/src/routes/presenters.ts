import { fromMinor, signOrderTicket } from '@jetmart/common';
import type { Order, PlacedOrder, ReturnRecord, SaleLine, SalesDashboard } from '@jetmart/common/contracts';
import { deriveFulfillment, derivePayment, type ShipmentState } from '../fulfilment';
import { plainAddress, returnAmountMinor, saleStatus, type OrderFields, type ReturnFields, type SaleLineFields } from '../models';
import type { DashboardFigures } from '../sales';

type StoredOrder = Pick<
  OrderFields,
  'userId' | 'status' | 'items' | 'totalMinor' | 'shippingAddress' | 'expiresAt' | 'cancelReason' | 'version' | 'createdAt'
> & {
  _id: unknown;
};

/**
 * An order as the API shows it, its fulfilment derived from `shipments` (the replicas of this
 * order's shipments) and its payment from `refundedMinor` (the sum of its refunds). Only visible
 * orders (created, complete, cancelled) are presented.
 */
export function presentOrder(doc: StoredOrder, shipments: readonly ShipmentState[], refundedMinor = 0): Order {
  return {
    id: String(doc._id),
    userId: doc.userId,
    status: doc.status as Order['status'], // the routes read visible statuses only
    items: doc.items.map((l) => ({
      productId: l.productId,
      ...(l.sellerId ? { sellerId: l.sellerId } : {}),
      title: l.title,
      price: fromMinor(l.priceMinor),
      quantity: l.quantity,
    })),
    total: fromMinor(doc.totalMinor),
    expiresAt: doc.expiresAt.toISOString(),
    createdAt: doc.createdAt.toISOString(),
    ...(doc.status === 'cancelled' && doc.cancelReason ? { cancelReason: doc.cancelReason } : {}),
    ...(doc.shippingAddress ? { shippingAddress: plainAddress(doc.shippingAddress) } : {}),
    fulfillment: deriveFulfillment(doc, shipments),
    payment: derivePayment(doc, refundedMinor),
    refunded: fromMinor(refundedMinor),
    version: doc.version,
  };
}

/**
 * A just-placed order with its ticket for payments: what its `order.created` event will tell
 * payments (version 0), signed with the shared key, so paying does not wait for the event.
 */
export function presentPlacedOrder(doc: StoredOrder, jwtKey: string): PlacedOrder {
  const orderTicket = signOrderTicket(
    {
      orderId: String(doc._id),
      userId: doc.userId,
      totalMinor: doc.totalMinor,
      expiresAt: doc.expiresAt.toISOString(),
      items: doc.items.map((l) => ({
        productId: l.productId,
        ...(l.sellerId ? { sellerId: l.sellerId } : {}),
        priceMinor: l.priceMinor,
        quantity: l.quantity,
      })),
      version: 0,
    },
    jwtKey,
  );
  return { ...presentOrder(doc, []), orderTicket };
}

type StoredReturn = Omit<ReturnFields, 'outbox'> & { _id: unknown };

/** A return as the API shows it; `amount` is what it refunds once received. */
export function presentReturn(doc: StoredReturn): ReturnRecord {
  return {
    id: String(doc._id),
    orderId: doc.orderId,
    shipmentId: doc.shipmentId,
    sellerId: doc.sellerId,
    buyerId: doc.buyerId,
    status: doc.status,
    items: doc.items.map((l) => ({ productId: l.productId, title: l.title, price: fromMinor(l.priceMinor), quantity: l.quantity })),
    amount: fromMinor(returnAmountMinor(doc)),
    reason: doc.reason,
    ...(doc.note != null ? { note: doc.note } : {}),
    ...(doc.message != null ? { message: doc.message } : {}),
    ...(doc.restock != null ? { restock: doc.restock } : {}),
    createdAt: doc.createdAt.toISOString(),
    updatedAt: doc.updatedAt.toISOString(),
    version: doc.version,
  };
}

/** A sold line as its seller sees it: the buyer's city and nothing else about the buyer. */
export function presentSaleLine(line: SaleLineFields): SaleLine {
  return {
    orderId: line.orderId,
    productId: line.productId,
    title: line.title,
    quantity: line.quantity,
    price: fromMinor(line.priceMinor),
    total: fromMinor(line.priceMinor * line.quantity),
    status: saleStatus(line),
    shipmentStatus: line.shipmentStatus ?? null,
    buyerCity: line.buyerCity ?? null,
    soldAt: line.soldAt.toISOString(),
  };
}

export function presentSalesDashboard(f: DashboardFigures): SalesDashboard {
  return {
    days: f.days.map((d) => ({ date: d.date, revenue: fromMinor(d.revenueMinor), orders: d.orders })),
    topProducts: f.topProducts.map((p) => ({ productId: p.productId, title: p.title, units: p.units, revenue: fromMinor(p.revenueMinor) })),
    averageOrderValue: fromMinor(f.averageOrderValueMinor),
    returnRate: f.returnRate,
    ordersCount: f.ordersCount,
    revenue: fromMinor(f.revenueMinor),
  };
}
