import type { EventBus, Listener, ListenerOptions, Subject } from '@jetmart/common';
import type { DeliveryDeps } from '../../notify';
import { OrderCancelledListener } from './order-cancelled-listener';
import { OrderCompletedListener } from './order-completed-listener';
import { OrderCreatedListener } from './order-created-listener';
import { PaymentCreatedListener } from './payment-created-listener';
import { PaymentRefundedListener } from './payment-refunded-listener';
import { PayoutSentListener } from './payout-sent-listener';
import { ReturnApprovedListener } from './return-approved-listener';
import { ReturnRefundedListener } from './return-refunded-listener';
import { ReturnRejectedListener } from './return-rejected-listener';
import { ReturnRequestedListener } from './return-requested-listener';
import { ShipmentDeliveredListener } from './shipment-delivered-listener';
import { ShipmentShippedListener } from './shipment-shipped-listener';
import { UserCreatedListener } from './user-created-listener';
import { UserDeletedListener } from './user-deleted-listener';
import { UserPasswordResetRequestedListener } from './user-password-reset-requested-listener';
import { UserUpdatedListener } from './user-updated-listener';
import { UserVerificationRequestedListener } from './user-verification-requested-listener';

export type NotificationsListenerDeps = DeliveryDeps;

/** Every subject notifications consumes: the contacts replica (user.*) and every fact a buyer or seller hears of. */
export function notificationsListeners(bus: EventBus, deps: NotificationsListenerDeps, options?: ListenerOptions): Listener<Subject>[] {
  const contacts = { models: deps.models };
  return [
    new UserCreatedListener(bus, contacts, options),
    new UserUpdatedListener(bus, contacts, options),
    new UserDeletedListener(bus, contacts, options),
    new OrderCreatedListener(bus, deps, options),
    new PaymentCreatedListener(bus, deps, options),
    new OrderCompletedListener(bus, deps, options),
    new OrderCancelledListener(bus, deps, options),
    new ShipmentShippedListener(bus, deps, options),
    new ShipmentDeliveredListener(bus, deps, options),
    new ReturnRequestedListener(bus, deps, options),
    new ReturnApprovedListener(bus, deps, options),
    new ReturnRejectedListener(bus, deps, options),
    new ReturnRefundedListener(bus, deps, options),
    new PaymentRefundedListener(bus, deps, options),
    new PayoutSentListener(bus, deps, options),
    new UserVerificationRequestedListener(bus, deps, options),
    new UserPasswordResetRequestedListener(bus, deps, options),
  ] as Listener<Subject>[];
}
