import type { OrderPaymentStatus } from '@jetmart/common/contracts';
import { paymentLabel } from '@/lib/returns';

/** Where an order's money is ("Partially refunded"). */
export function PaymentBadge({ status }: { status: OrderPaymentStatus }) {
  return (
    <span className={`fulfillment payment-${status}`} data-testid="order-payment" data-payment={status}>
      {paymentLabel(status)}
    </span>
  );
}
