import type { EventBus, ListenerOptions } from '@jetmart/common';
import type { PaymentGateway } from '../../gateway/payment-gateway';
import type { PaymentsModels } from '../../models';
import { OrderCancelledListener } from './order-cancelled-listener';
import { OrderCompletedListener } from './order-completed-listener';
import { OrderCreatedListener } from './order-created-listener';
import { ReturnReceivedListener } from './return-received-listener';
import { ShipmentCancelledListener } from './shipment-cancelled-listener';

export interface PaymentsListenerDeps {
  models: PaymentsModels;
  gateway: PaymentGateway;
}

/**
 * Every subject payments consumes: the order replica, and refunds of cancelled orders, cancelled
 * shipments and received returns.
 */
export function paymentsListeners(bus: EventBus, deps: PaymentsListenerDeps, options?: ListenerOptions) {
  return [
    new OrderCreatedListener(bus, deps.models.Order, options),
    new OrderCancelledListener(bus, deps, options),
    new OrderCompletedListener(bus, deps.models.Order, options),
    new ShipmentCancelledListener(bus, deps, options),
    new ReturnReceivedListener(bus, deps, options),
  ];
}
