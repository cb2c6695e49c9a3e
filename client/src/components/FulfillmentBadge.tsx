import type { FulfillmentStatus } from '@jetmart/common/contracts';
import { fulfillmentLabel } from '@/lib/fulfilment';

/** Where a paid order's goods are ("Shipped", "Partly delivered"). */
export function FulfillmentBadge({ status }: { status: FulfillmentStatus }) {
  return (
    <span className={`fulfillment fulfillment-${status}`} data-testid="order-fulfillment" data-fulfillment={status}>
      {fulfillmentLabel(status)}
    </span>
  );
}
