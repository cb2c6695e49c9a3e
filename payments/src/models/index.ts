import type { Connection } from 'mongoose';
import { ledgerEntryModelOn, type LedgerEntryModel } from './ledger-entry';
import { orderModelOn, type OrderModel } from './order';
import { paymentModelOn, type PaymentModel } from './payment';
import { payoutModelOn, type PayoutModel } from './payout';
import { refundModelOn, type RefundModel } from './refund';
import { releaseModelOn, type ReleaseModel } from './release';
import { sellerAccountModelOn, type SellerAccountModel } from './seller-account';

export * from './ledger-entry';
export * from './order';
export * from './payment';
export * from './payout';
export * from './refund';
export * from './release';
export * from './seller-account';

export interface PaymentsModels {
  Order: OrderModel;
  Payment: PaymentModel;
  Refund: RefundModel;
  LedgerEntry: LedgerEntryModel;
  Release: ReleaseModel;
  SellerAccount: SellerAccountModel;
  Payout: PayoutModel;
}

/** Every payments model on `conn` (which must have the database plugins: runService, useTestDatabase). */
export function paymentsModels(conn: Connection): PaymentsModels {
  return {
    Order: orderModelOn(conn),
    Payment: paymentModelOn(conn),
    Refund: refundModelOn(conn),
    LedgerEntry: ledgerEntryModelOn(conn),
    Release: releaseModelOn(conn),
    SellerAccount: sellerAccountModelOn(conn),
    Payout: payoutModelOn(conn),
  };
}
