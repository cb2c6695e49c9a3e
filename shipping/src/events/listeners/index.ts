import type { EventBus, ListenerOptions } from '@jetmart/common';
import type { ShippingModels } from '../../models';
import { OrderCompletedListener } from './order-completed-listener';
import { ShipmentDeliveryDueListener } from './shipment-delivery-due-listener';
import { UserDeletedListener } from './user-deleted-listener';

export interface ShippingListenerDeps {
  models: ShippingModels;
  /** How long after an auto-delivery the shipment can be returned (RETURN_WINDOW_DAYS/SECONDS). */
  returnWindowMs: number;
}

/** Every subject shipping consumes: paid orders (split into shipments), auto-delivery timers, deleted accounts. */
export function shippingListeners(bus: EventBus, deps: ShippingListenerDeps, options?: ListenerOptions) {
  return [
    new OrderCompletedListener(bus, deps, options),
    new ShipmentDeliveryDueListener(bus, deps, options),
    new UserDeletedListener(bus, deps, options),
  ];
}
