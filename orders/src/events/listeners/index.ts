import type { EventBus, ListenerOptions } from '@jetmart/common';
import type { OrdersModels } from '../../models';
import { ExpirationCompleteListener } from './expiration-complete-listener';
import { PaymentCreatedListener } from './payment-created-listener';
import { ProductCreatedListener } from './product-created-listener';
import { ProductUpdatedListener } from './product-updated-listener';
import { ShipmentCreatedListener } from './shipment-created-listener';
import { ShipmentDeliveredListener } from './shipment-delivered-listener';
import { ShipmentShippedListener } from './shipment-shipped-listener';

export {
  ExpirationCompleteListener,
  PaymentCreatedListener,
  ProductCreatedListener,
  ProductUpdatedListener,
  ShipmentCreatedListener,
  ShipmentDeliveredListener,
  ShipmentShippedListener,
};

export function ordersListeners(bus: EventBus, deps: { models: OrdersModels }, options?: ListenerOptions) {
  return [
    new ProductCreatedListener(bus, deps.models.ProductReplica, options),
    new ProductUpdatedListener(bus, deps, options),
    new ExpirationCompleteListener(bus, deps, options),
    new PaymentCreatedListener(bus, deps, options),
    new ShipmentCreatedListener(bus, deps.models.ShipmentReplica, options),
    new ShipmentShippedListener(bus, deps.models.ShipmentReplica, options),
    new ShipmentDeliveredListener(bus, deps.models.ShipmentReplica, options),
  ];
}
