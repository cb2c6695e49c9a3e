import type { EventBus, ListenerOptions } from '@jetmart/common';
import { OrderCreatedListener, type ExpirySchedulingOptions } from './order-created-listener';

/** The one subject expiration consumes: each order.created is held until its order expires. */
export function expirationListeners(bus: EventBus, deps: ExpirySchedulingOptions, options?: ListenerOptions) {
  return [new OrderCreatedListener(bus, deps, options)];
}
