/**
 * The records of jetmart's HTTP API as clients see them (SPEC.md "HTTP API"), and the limits the
 * API enforces. Pure types and constants: services' presenters return these shapes and the
 * storefront reads them, so the two cannot drift apart. Money is a decimal number of currency units.
 */
import type { Address } from './address';

export interface User {
  id: string;
  email: string;
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
  version: number;
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
  version: number;
}

/** Limits of `POST /api/shipments/:id/ship`. */
export const SHIPMENT_LIMITS = { maxCarrierLength: 60, maxTrackingNumberLength: 80 } as const;

export interface Payment {
  id: string;
  orderId: string;
  amount: number;
}

/** One entry of the API's error body `{"errors":[{message, field?}]}`. */
export interface ApiErrorItem {
  message: string;
  field?: string;
}

/** Limits of `POST /api/orders`: 1–50 lines, 1–100 units per line. */
export const ORDER_LIMITS = { maxLines: 50, maxLineQuantity: 100 } as const;

/** Limits of `POST/PUT /api/products`. */
export const PRODUCT_LIMITS = { maxTitleLength: 200, maxPrice: 1_000_000, maxQuantity: 1_000_000 } as const;
