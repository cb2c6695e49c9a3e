import type { OrderStatus } from '@jetmart/common/contracts';

const LABELS: Record<OrderStatus, string> = { created: 'awaiting payment', complete: 'complete', cancelled: 'cancelled' };

export function StatusBadge({ status }: { status: OrderStatus }) {
  return (
    <span className={`status status-${status}`} data-testid="order-status" data-status={status}>
      {LABELS[status]}
    </span>
  );
}
