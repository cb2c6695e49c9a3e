import type { Connection } from 'mongoose';
import { forgottenPersonModelOn, type ForgottenPersonModel } from '@jetmart/common';
import { orderModelOn, type OrderModel } from './order';
import { productReplicaModelOn, type ProductReplicaModel } from './product-replica';
import { refundReplicaModelOn, type RefundReplicaModel } from './refund-replica';
import { returnModelOn, type ReturnModel } from './return';
import { saleLineModelOn, type SaleLineModel } from './sale-line';
import { shipmentReplicaModelOn, type ShipmentReplicaModel } from './shipment-replica';

export { isForgottenPerson, rememberForgottenPerson, type ForgottenPersonModel } from '@jetmart/common';
export * from './order';
export * from './order-holds';
export * from './product-replica';
export * from './refund-replica';
export * from './return';
export * from './sale-line';
export * from './shipment-replica';
export * from './sweeper-candidates';

export interface OrdersModels {
  Order: OrderModel;
  ProductReplica: ProductReplicaModel;
  ShipmentReplica: ShipmentReplicaModel;
  Return: ReturnModel;
  RefundReplica: RefundReplicaModel;
  SaleLine: SaleLineModel;
  ForgottenPerson: ForgottenPersonModel;
}

/**
 * The service's models on a connection (with jetmart's plugins installed). Taking the connection
 * as a parameter lets one test process run two services, each on its own database.
 */
export function ordersModels(conn: Connection): OrdersModels {
  return {
    Order: orderModelOn(conn),
    ProductReplica: productReplicaModelOn(conn),
    ShipmentReplica: shipmentReplicaModelOn(conn),
    Return: returnModelOn(conn),
    RefundReplica: refundReplicaModelOn(conn),
    SaleLine: saleLineModelOn(conn),
    ForgottenPerson: forgottenPersonModelOn(conn),
  };
}
