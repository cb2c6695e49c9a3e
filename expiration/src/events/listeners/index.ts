import type { EventBus, ListenerOptions } from '@jetmart/common';
import { OrderCreatedListener, type ExpirySchedulingOptions } from './order-created-listener';
import { ShipmentDeliveredListener } from './shipment-delivered-listener';
import { ShipmentShippedListener } from './shipment-shipped-listener';

/**
 * The subjects expiration consumes, each the start of a timer held on JetStream (TimerListener):
 * order.created until the order expires, shipment.shipped until its auto-delivery time,
 * shipment.delivered until its return window closes.
 */
export function expirationListeners(bus: EventBus, deps: ExpirySchedulingOptions, options?: ListenerOptions) {
  return [
    new OrderCreatedListener(bus, deps, options),
    new ShipmentShippedListener(bus, { maxHoldMs: deps.maxHoldMs }, options),
    new ShipmentDeliveredListener(bus, { maxHoldMs: deps.maxHoldMs }, options),
  ];
}
