import type { EventBus, ListenerOptions } from '@jetmart/common';
import type { PaymentGateway } from '../../gateway/payment-gateway';
import type { PaymentsModels } from '../../models';
import { OrderCancelledListener } from './order-cancelled-listener';
import { OrderCompletedListener } from './order-completed-listener';
import { OrderCreatedListener } from './order-created-listener';
import { PaymentCreatedListener } from './payment-created-listener';
import { PaymentRefundedListener } from './payment-refunded-listener';
import { ReturnWindowClosedListener } from './return-window-closed-listener';
import { ReturnReceivedListener } from './return-received-listener';
import { ShipmentCancelledListener } from './shipment-cancelled-listener';
import { UserDeletedListener } from './user-deleted-listener';

export interface PaymentsListenerDeps {
  models: PaymentsModels;
  gateway: PaymentGateway;
  /** PLATFORM_COMMISSION_PERCENT (10 when not given). */
  commissionPercent?: number;
}

/**
 * Every subject payments consumes: the order replica; refunds of cancelled orders, cancelled
 * shipments and received returns; and the sellers' ledger (its own charges and refunds, and the
 * closing of return windows that makes their money available); and deleted users, whose seller
 * accounts are closed (their balance is still paid out).
 */
export function paymentsListeners(bus: EventBus, deps: PaymentsListenerDeps, options?: ListenerOptions) {
  return [
    new OrderCreatedListener(bus, deps.models.Order, options),
    new OrderCancelledListener(bus, deps, options),
    new OrderCompletedListener(bus, deps.models.Order, options),
    new ShipmentCancelledListener(bus, deps, options),
    new ReturnReceivedListener(bus, deps, options),
    new PaymentCreatedListener(bus, { models: deps.models, commissionPercent: deps.commissionPercent ?? 10 }, options),
    new PaymentRefundedListener(bus, deps, options),
    new ReturnWindowClosedListener(bus, deps, options),
    new UserDeletedListener(bus, deps, options),
  ];
}
