import mongoose, { type Connection } from 'mongoose';
import { orderModelOn, type OrderModel } from './order';
import { productReplicaModelOn, type ProductReplicaModel } from './product-replica';

export * from './order';
export * from './order-holds';
export * from './place-order';
export * from './product-replica';

export interface OrdersModels {
  Order: OrderModel;
  ProductReplica: ProductReplicaModel;
}

/**
 * The service's models on a connection (default: mongoose's global one). Taking the
 * connection as a parameter lets one test process run two services, each on its own database.
 */
export function ordersModels(conn: Connection = mongoose.connection): OrdersModels {
  return { Order: orderModelOn(conn), ProductReplica: productReplicaModelOn(conn) };
}
export * from './withdraw-holds';
