import type { EventBus, ListenerOptions } from '@jetmart/common';
import type { ProductsModels } from '../../models';
import { OrderCancelledListener } from './order-cancelled-listener';
import { OrderCompletedListener } from './order-completed-listener';
import { OrderCreatedListener } from './order-created-listener';
import { ReturnReceivedListener } from './return-received-listener';
import { ShipmentCancelledListener } from './shipment-cancelled-listener';
import { UserDeletedListener } from './user-deleted-listener';

export interface ProductsListenerDeps {
  models: ProductsModels;
}

/**
 * Every subject products consumes: order events move units through the unit ledger; a cancelled
 * shipment and a restocked return put sold units back on sale; a deleted account's listings are
 * taken off sale.
 */
export function productsListeners(bus: EventBus, { models }: ProductsListenerDeps, options?: ListenerOptions) {
  return [
    new OrderCreatedListener(bus, models.UnitLedger, options),
    new OrderCancelledListener(bus, models.UnitLedger, options),
    new OrderCompletedListener(bus, models.UnitLedger, options),
    new ShipmentCancelledListener(bus, models.UnitLedger, options),
    new ReturnReceivedListener(bus, models.UnitLedger, options),
    new UserDeletedListener(bus, { models }, options),
  ];
}
