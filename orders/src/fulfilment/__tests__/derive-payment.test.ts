import type { OrderPaymentStatus } from '@jetmart/common/contracts';
import type { OrderStatus } from '../../models';
import { derivePayment } from '../derive-payment';

describe('derivePayment', () => {
  it.each<[OrderPaymentStatus, OrderStatus, number]>([
    ['unpaid', 'created', 0],
    ['unpaid', 'pending', 0],
    ['unpaid', 'cancelled', 0],
    // a charge that lost the race with expiry, refunded in full
    ['refunded', 'cancelled', 5000],
    ['paid', 'complete', 0],
    ['partially_refunded', 'complete', 1],
    ['partially_refunded', 'complete', 4999],
    ['refunded', 'complete', 5000],
  ])('%s for an order that is %s with %i refunded of 5000', (expected, status, refunded) => {
    expect(derivePayment({ status, totalMinor: 5000 }, refunded)).toBe(expected);
  });
});
