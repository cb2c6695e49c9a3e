import { promClient, registry } from '@jetmart/common';

/**
 * Outcomes of charge attempts (succeeded, declined, invalid_token), counted once per attempt
 * when its result is saved; `outcome="declined"` is the payments-declined counter.
 */
export const paymentCharges = new promClient.Counter({
  name: 'jetmart_payment_charges_total',
  help: 'Charge attempts settled with the payment gateway, by outcome (succeeded, declined, invalid_token)',
  labelNames: ['outcome'] as const,
  registers: [registry],
});

/** Refunds recorded (once each, when the Refund document is inserted), by reason. */
export const paymentRefunds = new promClient.Counter({
  name: 'jetmart_payment_refunds_total',
  help: 'Refunds given back through the payment gateway and recorded, by reason (order-cancelled, shipment-cancelled, return)',
  labelNames: ['reason'] as const,
  registers: [registry],
});
