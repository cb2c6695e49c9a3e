import { promClient, registry } from '@jetmart/common';

/**
 * Business counters of orders, served on /metrics. Each is counted where the change was saved
 * (not where it was decided), so a retried save or a redelivered event is not counted twice.
 */
export const ordersCreated = new promClient.Counter({
  name: 'jetmart_orders_created_total',
  help: 'Orders placed (all units held, status created)',
  registers: [registry],
});

export const ordersCompleted = new promClient.Counter({
  name: 'jetmart_orders_completed_total',
  help: 'Orders paid (status complete)',
  registers: [registry],
});

export const ordersCancelled = new promClient.Counter({
  name: 'jetmart_orders_cancelled_total',
  help: 'Orders cancelled, by reason: buyer (cancelled by the buyer), expired (not paid in time) or unavailable (the seller listed fewer units than were held)',
  labelNames: ['reason'] as const,
  registers: [registry],
});
