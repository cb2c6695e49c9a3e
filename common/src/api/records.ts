/**
 * The records of jetmart's HTTP API as clients see them (SPEC.md "HTTP API"), and the limits the
 * API enforces. Pure types and constants: services' presenters return these shapes and the
 * storefront reads them, so the two cannot drift apart. Money is a decimal number of currency units.
 */
import type { Address } from './address';
import type { ProductImageRecord, RatingSummary } from './catalog';

export interface User {
  id: string;
  email: string;
  /** The address was confirmed through the link auth mailed (unverified accounts cannot receive payouts). */
  emailVerified: boolean;
}

export interface Product {
  id: string;
  title: string;
  description?: string;
  price: number;
  /** Units the seller listed. */
  quantity: number;
  /** Units a buyer can still order (eventually consistent). */
  available: number;
  userId: string;
  /** False while the product is off the catalog (unlisted by its seller, or its seller's account deleted). */
  listed: boolean;
  /** A slug of the category tree (api/catalog.ts); `other` for products listed before categories. */
  category: string;
  /** Up to 8, the first is the cover. */
  images: ProductImageRecord[];
  /** Over the visible reviews by buyers who received the product. */
  rating: RatingSummary;
  version: number;
}

export interface ProductPage {
  items: Product[];
  nextCursor: string | null;
}

export type OrderStatus = 'created' | 'complete' | 'cancelled';

/**
 * Where a paid order's goods are, derived from its shipments (one per seller), never stored:
 * `unfulfilled` until a shipment ships; `cancelled` for a cancelled order.
 */
export type FulfillmentStatus = 'unfulfilled' | 'partially_shipped' | 'shipped' | 'partially_delivered' | 'delivered' | 'cancelled';
export type OrderCancelReason = 'buyer' | 'expired' | 'unavailable';
/**
 * Where an order's money is, derived from its status and its refunds, never stored: `unpaid`
 * until paid (also a cancelled order that was never charged); `refunded` once refunds add up to
 * the charge (a paid-then-cancelled order after the race with expiry, or every part cancelled or
 * returned), `partially_refunded` before that.
 */
export type OrderPaymentStatus = 'unpaid' | 'paid' | 'partially_refunded' | 'refunded';

export interface OrderItem {
  productId: string;
  /** The seller of the product (orders placed before fulfilment existed have none). */
  sellerId?: string;
  title: string;
  price: number;
  quantity: number;
}

export interface Order {
  id: string;
  userId: string;
  status: OrderStatus;
  items: OrderItem[];
  total: number;
  expiresAt: string;
  /** When the order was placed (ISO 8601). */
  createdAt: string;
  /** Why a cancelled order ended: by its buyer, by expiry, or its units were withdrawn. */
  cancelReason?: OrderCancelReason;
  /** The address the order was placed with (a snapshot; later address-book edits do not change it). */
  shippingAddress?: Address;
  fulfillment: FulfillmentStatus;
  payment: OrderPaymentStatus;
  /** The sum of the order's refunds so far (0 when none). */
  refunded: number;
  version: number;
}

/**
 * The answer to placing an order (`POST /api/orders`): the order and its ticket, to send as
 * `orderTicket` with `POST /api/payments` (payments can then take the order before its
 * `order.created` event reaches it). Keep it in memory only; it is valid until `expiresAt`.
 */
export interface PlacedOrder extends Order {
  orderTicket: string;
}

/** `pending` → `shipped` → `delivered`, or `cancelled` before shipping. */
export type ShipmentStatus = 'pending' | 'shipped' | 'delivered' | 'cancelled';
export type DeliveredBy = 'seller' | 'buyer' | 'auto';

/** One seller's part of a paid order (`/api/shipments`). */
export interface Shipment {
  id: string;
  orderId: string;
  sellerId: string;
  buyerId: string;
  status: ShipmentStatus;
  items: { productId: string; title: string; price: number; quantity: number }[];
  shippingAddress: Address;
  carrier?: string;
  trackingNumber?: string;
  createdAt: string;
  shippedAt?: string;
  deliveredAt?: string;
  deliveredBy?: DeliveredBy;
  cancelledAt?: string;
  /** Until when the buyer may ask to return this shipment's goods (set on delivery). */
  returnableUntil?: string;
  version: number;
}

/** Limits of `POST /api/shipments/:id/ship`. */
export const SHIPMENT_LIMITS = { maxCarrierLength: 60, maxTrackingNumberLength: 80 } as const;

/** Why money went back: the whole order (cancelled after a charge), one seller's part, or a return. */
export const REFUND_REASONS = ['order-cancelled', 'shipment-cancelled', 'return'] as const;
export type RefundReason = (typeof REFUND_REASONS)[number];

export interface Refund {
  id: string;
  reason: RefundReason;
  /** The order, shipment or return refunded. */
  sourceId: string;
  amount: number;
  createdAt: string;
}

export interface Payment {
  id: string;
  orderId: string;
  amount: number;
  /** The sum of `refunds` (never more than `amount`). */
  refunded: number;
  refunds: Refund[];
}

/** Why a buyer returns goods (`POST /api/orders/:id/returns`). */
export const RETURN_REASONS = ['damaged', 'wrong_item', 'not_as_described', 'changed_mind', 'other'] as const;
export type ReturnReason = (typeof RETURN_REASONS)[number];

/**
 * `requested` → `approved` | `rejected` (by the seller) | `cancelled` (by the buyer, while requested);
 * `approved` → `received` (the seller has the goods back, restocking them or not) → `refunded`.
 */
export type ReturnStatus = 'requested' | 'approved' | 'rejected' | 'cancelled' | 'received' | 'refunded';

export interface ReturnRecord {
  id: string;
  orderId: string;
  /** The shipment whose goods come back: a return is of one seller's part. */
  shipmentId: string;
  sellerId: string;
  buyerId: string;
  status: ReturnStatus;
  items: { productId: string; title: string; price: number; quantity: number }[];
  /** What the return refunds once received: the sum of its lines. */
  amount: number;
  reason: ReturnReason;
  note?: string;
  /** The seller's message with a rejection. */
  message?: string;
  /** Set when received: whether the units went back on sale. */
  restock?: boolean;
  createdAt: string;
  updatedAt: string;
  version: number;
}

/** Limits of the returns routes (`note` with a request, `message` with a rejection). */
export const RETURN_LIMITS = { maxNoteLength: 500, maxMessageLength: 500, maxLines: 50 } as const;

/** One entry of the API's error body `{"errors":[{message, field?}]}`. */
export interface ApiErrorItem {
  message: string;
  field?: string;
}

/** Limits of `POST /api/orders`: 1–50 lines, 1–100 units per line. */
export const ORDER_LIMITS = { maxLines: 50, maxLineQuantity: 100 } as const;

/** Limits of `POST/PUT /api/products`. */
export const PRODUCT_LIMITS = { maxTitleLength: 200, maxPrice: 1_000_000, maxQuantity: 1_000_000 } as const;

/**
 * One entry of a person's in-shop notification feed (`/api/notifications`), written by the
 * notifications service from the same record as the email about the same fact.
 */
export interface NotificationRecord {
  id: string;
  /** What happened, e.g. `order.confirmed`, `shipment.shipped`, `return.refunded`, `sale.made`. */
  kind: string;
  title: string;
  body: string;
  /** The storefront page about it (a path, e.g. `/orders/<id>`). */
  link: string;
  read: boolean;
  createdAt: string;
}

export interface NotificationFeed {
  items: NotificationRecord[];
  unread: number;
  nextCursor: string | null;
}

/**
 * A seller's sold line (`GET /api/sales`, orders' sales read model): one per (order, product) of a
 * paid order. `paid` until the line's part is cancelled before shipping (`cancelled`) or units come
 * back (`partially_returned` / `returned`, once the seller received them).
 */
export type SaleStatus = 'paid' | 'cancelled' | 'partially_returned' | 'returned';
export const SALE_STATUSES: readonly SaleStatus[] = ['paid', 'cancelled', 'partially_returned', 'returned'];

export interface SaleLine {
  orderId: string;
  productId: string;
  title: string;
  quantity: number;
  /** Unit price as ordered. */
  price: number;
  /** price × quantity as ordered (refunds are not taken off: see `status` and the dashboard). */
  total: number;
  status: SaleStatus;
  /** The seller's shipment of this line; null until shipping has created it. */
  shipmentStatus: ShipmentStatus | null;
  /** The only thing a seller learns about the buyer; null when unknown or the buyer's account was deleted. */
  buyerCity: string | null;
  /** When the order was paid (ISO 8601). */
  soldAt: string;
}

export interface SalesPage {
  sales: SaleLine[];
  nextCursor: string | null;
}

/**
 * `GET /api/sales/dashboard?days=N`: the last N days (UTC, today included). Revenue is what buyers
 * finally paid for the seller's goods: sold lines minus lines cancelled before shipping and units
 * returned, at the ordered price (commission is not taken off: that is the ledger's net).
 */
export interface SalesDashboard {
  /** Every day of the range, oldest first, zero when nothing sold (revenue of the orders paid that day). */
  days: { date: string; revenue: number; orders: number }[];
  /** Up to 5 products by revenue in the range. */
  topProducts: { productId: string; title: string; units: number; revenue: number }[];
  /** revenue / ordersCount (0 without orders). */
  averageOrderValue: number;
  /** Units returned / units sold in the range (0..1, 0 without sales). */
  returnRate: number;
  ordersCount: number;
  revenue: number;
}

/** Limits of `GET /api/sales`. */
export const SALES_LIMITS = { maxPage: 100, defaultPage: 20, maxDays: 366, defaultDays: 30, topProducts: 5 } as const;
