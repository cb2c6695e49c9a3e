import type { EventBus, ListenerOptions } from '@jetmart/common';
import type { OrdersModels } from '../../models';
import { ExpirationCompleteListener } from './expiration-complete-listener';
import { PaymentCreatedListener } from './payment-created-listener';
import { ProductCreatedListener } from './product-created-listener';
import { ProductUpdatedListener } from './product-updated-listener';

export { ExpirationCompleteListener, PaymentCreatedListener, ProductCreatedListener, ProductUpdatedListener };

export function ordersListeners(bus: EventBus, deps: { models: OrdersModels }, options?: ListenerOptions) {
  return [
    new ProductCreatedListener(bus, deps.models.ProductReplica, options),
    new ProductUpdatedListener(bus, deps, options),
    new ExpirationCompleteListener(bus, deps, options),
    new PaymentCreatedListener(bus, deps, options),
  ];
}
