import type { Connection } from 'mongoose';
import { shipmentModelOn, type ShipmentModel } from './shipment';

export * from './shipment';

export interface ShippingModels {
  Shipment: ShipmentModel;
}

/** Every shipping model on `conn` (which must have the database plugins: runService, useTestDatabase). */
export function shippingModels(conn: Connection): ShippingModels {
  return { Shipment: shipmentModelOn(conn) };
}
