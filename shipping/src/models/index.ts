import type { Connection } from 'mongoose';
import { forgottenPersonModelOn, type ForgottenPersonModel } from '@jetmart/common';
import { shipmentModelOn, type ShipmentModel } from './shipment';

export { isForgottenPerson, rememberForgottenPerson, type ForgottenPersonModel } from '@jetmart/common';
export * from './shipment';

export interface ShippingModels {
  Shipment: ShipmentModel;
  ForgottenPerson: ForgottenPersonModel;
}

/** Every shipping model on `conn` (which must have the database plugins: runService, useTestDatabase). */
export function shippingModels(conn: Connection): ShippingModels {
  return { Shipment: shipmentModelOn(conn), ForgottenPerson: forgottenPersonModelOn(conn) };
}
