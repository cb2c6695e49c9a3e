import type { Connection } from 'mongoose';
import { forgottenBuyerModelOn, type ForgottenBuyerModel } from './forgotten-buyer';
import { shipmentModelOn, type ShipmentModel } from './shipment';

export * from './forgotten-buyer';
export * from './shipment';

export interface ShippingModels {
  Shipment: ShipmentModel;
  ForgottenBuyer: ForgottenBuyerModel;
}

/** Every shipping model on `conn` (which must have the database plugins: runService, useTestDatabase). */
export function shippingModels(conn: Connection): ShippingModels {
  return { Shipment: shipmentModelOn(conn), ForgottenBuyer: forgottenBuyerModelOn(conn) };
}
