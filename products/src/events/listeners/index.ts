import type { EventBus, ListenerOptions } from '@jetmart/common';
import type { ProductsModels } from '../../models';
import { OrderCancelledListener } from './order-cancelled-listener';
import { OrderCompletedListener } from './order-completed-listener';
import { OrderCreatedListener } from './order-created-listener';
import { ReturnReceivedListener } from './return-received-listener';
import { ShipmentCancelledListener } from './shipment-cancelled-listener';
import { ShipmentDeliveredListener } from './shipment-delivered-listener';
import { UserDeletedListener } from './user-deleted-listener';

export interface ProductsListenerDeps {
  models: ProductsModels;
}

/**
 * Every subject products consumes: order events move units through the unit ledger; a cancelled
 * shipment and a restocked return put sold units back on sale; a deleted account's listings are
 * taken off sale. Each ledger move then refreshes the product's stock signal (../../stock).
 */
export function productsListeners(bus: EventBus, { models }: ProductsListenerDeps, options?: ListenerOptions) {
  return [
    new OrderCreatedListener(bus, models, options),
    new OrderCancelledListener(bus, models, options),
    new OrderCompletedListener(bus, models, options),
    new ShipmentCancelledListener(bus, models, options),
    new ReturnReceivedListener(bus, models, options),
    new UserDeletedListener(bus, { models }, options),
    // Reviews: a delivered shipment makes its buyer a verified buyer of its products.
    new ShipmentDeliveredListener(bus, { models }, options),
  ];
}
