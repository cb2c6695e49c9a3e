import type { Connection } from 'mongoose';
import { orderModelOn, type OrderModel } from './order';
import { paymentModelOn, type PaymentModel } from './payment';
import { refundModelOn, type RefundModel } from './refund';

export * from './order';
export * from './payment';
export * from './refund';

export interface PaymentsModels {
  Order: OrderModel;
  Payment: PaymentModel;
  Refund: RefundModel;
}

/** Every payments model on `conn` (which must have the database plugins: runService, useTestDatabase). */
export function paymentsModels(conn: Connection): PaymentsModels {
  return { Order: orderModelOn(conn), Payment: paymentModelOn(conn), Refund: refundModelOn(conn) };
}
