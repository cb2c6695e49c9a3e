/**
 * `GET /api/users/me/export` (SPEC invariant 13, issue 17): everything jetmart holds about the
 * signed-in person, as one JSON document. Auth assembles it from one part per service that holds
 * personal data (`GET /api/<resource>/me/export`, each answering only for the caller); the parts'
 * keys are the document's sections.
 */
import type { SavedAddress } from './address';
import type { Order, Payment, Product, Refund, ReturnRecord, Shipment } from './records';
import type { ReviewRecord } from './catalog';

/** A payment of the person's (every attempt's final state, not only those that charged). */
export interface ExportedPayment extends Payment {
  status: 'pending' | 'succeeded' | 'failed' | 'refunded';
  createdAt: string;
}

/** A refund of one of the person's payments. */
export interface ExportedRefund extends Refund {
  paymentId: string;
  orderId: string;
}

/** A notification record of the person's: the in-app entry or the email (its address and subject). */
export interface ExportedNotification {
  id: string;
  channel: 'email' | 'in-app';
  kind: string;
  title: string;
  body: string;
  link: string;
  read: boolean;
  status: 'pending' | 'sent' | 'failed';
  to?: string;
  subject?: string;
  createdAt: string;
  sentAt?: string;
}

/** orders `GET /api/orders/me/export`: the person's orders (as buyer) and returns (as buyer). */
export interface OrdersExportPart {
  orders: Order[];
  returns: ReturnRecord[];
}

/** shipping `GET /api/shipments/me/export`: the shipments sent to the person (as buyer). */
export interface ShippingExportPart {
  shipments: Shipment[];
}

/** payments `GET /api/payments/me/export`. */
export interface PaymentsExportPart {
  payments: ExportedPayment[];
  refunds: ExportedRefund[];
}

/** A report the person made about someone else's review (the reporter's own words and when). */
export interface ExportedReviewReport {
  reviewId: string;
  productId: string;
  reason: string;
  at: string;
}

/**
 * products `GET /api/products/me/export`: the person's listings, listed or not; the reviews they
 * wrote (any status, removed ones included: they are the author's); the reports they made.
 */
export interface ProductsExportPart {
  products: Product[];
  reviews: ReviewRecord[];
  reviewReports: ExportedReviewReport[];
}

/** notifications `GET /api/notifications/me/export`: the contact it mails and every record. */
export interface NotificationsExportPart {
  notificationContact: { email: string | null; displayName: string | null } | null;
  notifications: ExportedNotification[];
}

/** auth's own part. */
export interface AccountExportPart {
  user: { id: string; email: string; displayName: string | null; emailVerified: boolean; createdAt: string };
  addresses: SavedAddress[];
}

export interface AccountExport
  extends AccountExportPart, OrdersExportPart, ShippingExportPart, PaymentsExportPart, ProductsExportPart, NotificationsExportPart {
  exportedAt: string;
}
