import type { Connection } from 'mongoose';
import { forgottenBuyerModelOn, type ForgottenBuyerModel } from '@jetmart/common';
import { shipmentModelOn, type ShipmentModel } from './shipment';

export { isForgottenBuyer, rememberForgottenBuyer, type ForgottenBuyerModel } from '@jetmart/common';
export * from './shipment';

export interface ShippingModels {
  Shipment: ShipmentModel;
  ForgottenBuyer: ForgottenBuyerModel;
}

/** Every shipping model on `conn` (which must have the database plugins: runService, useTestDatabase). */
export function shippingModels(conn: Connection): ShippingModels {
  return { Shipment: shipmentModelOn(conn), ForgottenBuyer: forgottenBuyerModelOn(conn) };
}
