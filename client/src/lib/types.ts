/** Shapes of the jetmart HTTP API (see SPEC.md). Money is a decimal number of currency units. */

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

export interface OrderItem {
  productId: string;
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
  version: number;
}

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
