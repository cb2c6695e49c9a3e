import type { EventBus, ListenerOptions } from '@jetmart/common';
import type { OrdersModels } from '../../models';
import { ExpirationCompleteListener } from './expiration-complete-listener';
import { OrderCompletedListener } from './order-completed-listener';
import { PaymentFailedListener, PaymentStartedListener } from './payment-attempt-listeners';
import { PaymentCreatedListener } from './payment-created-listener';
import { PaymentRefundedListener } from './payment-refunded-listener';
import { ProductCreatedListener } from './product-created-listener';
import { ProductUpdatedListener } from './product-updated-listener';
import { ReturnReceivedListener } from './return-received-listener';
import { ReturnWindowClosedListener } from './return-window-closed-listener';
import { ShipmentCancelledListener } from './shipment-cancelled-listener';
import { ShipmentCreatedListener } from './shipment-created-listener';
import { ShipmentDeliveredListener } from './shipment-delivered-listener';
import { ShipmentShippedListener } from './shipment-shipped-listener';
import { UserDeletedListener } from './user-deleted-listener';

export {
  ExpirationCompleteListener,
  OrderCompletedListener,
  PaymentCreatedListener,
  PaymentFailedListener,
  PaymentRefundedListener,
  PaymentStartedListener,
  ProductCreatedListener,
  ProductUpdatedListener,
  ReturnReceivedListener,
  ReturnWindowClosedListener,
  ShipmentCancelledListener,
  ShipmentCreatedListener,
  ShipmentDeliveredListener,
  ShipmentShippedListener,
  UserDeletedListener,
};

export function ordersListeners(bus: EventBus, deps: { models: OrdersModels }, options?: ListenerOptions) {
  return [
    new ProductCreatedListener(bus, deps.models.ProductReplica, options),
    new ProductUpdatedListener(bus, deps, options),
    new ExpirationCompleteListener(bus, deps, options),
    new PaymentCreatedListener(bus, deps, options),
    new ShipmentCreatedListener(bus, deps, options),
    new ShipmentShippedListener(bus, deps, options),
    new ShipmentDeliveredListener(bus, deps, options),
    new ShipmentCancelledListener(bus, deps, options),
    new ReturnWindowClosedListener(bus, deps.models.ShipmentReplica, options),
    new PaymentStartedListener(bus, deps.models.Order, options),
    new PaymentFailedListener(bus, deps.models.Order, options),
    new PaymentRefundedListener(bus, deps, options),
    new ReturnReceivedListener(bus, deps, options),
    new OrderCompletedListener(bus, deps, options),
    new UserDeletedListener(bus, deps, options),
  ];
}
