import { fromMinor } from '@jetmart/common';
import type { Payment } from '@jetmart/common/contracts';
import type { PaymentDoc } from '../models';

/** A payment as the API shows it (SPEC: `{id, orderId, amount}`). */
export function presentPayment(p: PaymentDoc): Payment {
  return { id: p.id as string, orderId: p.orderId, amount: fromMinor(p.amountMinor) };
}
