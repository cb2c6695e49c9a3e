import type { Metadata } from 'next';
import Link from 'next/link';
import { redirect } from 'next/navigation';
import { ApiErrorNotice } from '@/components/ApiErrorNotice';
import { LocalDateTime } from '@/components/LocalDateTime';
import { FulfillmentBadge } from '@/components/FulfillmentBadge';
import { StatusBadge } from '@/components/StatusBadge';
import { shownFulfillment } from '@/lib/fulfilment';
import { shownPayment } from '@/lib/returns';
import { PaymentBadge } from '@/components/PaymentBadge';
import { formatMoney } from '@/lib/money';
import { cancelReasonShort, itemCountText, orderNumber } from '@/lib/orders';
import { signinUrl } from '@/lib/redirect';
import { serverApi } from '@/lib/server-api';
import type { Order } from '@jetmart/common/contracts';

export const metadata: Metadata = { title: 'My orders' };

export default async function MyOrdersPage() {
  const res = await serverApi<Order[]>('/api/orders');
  if (!res.ok && res.status === 401) redirect(signinUrl('/orders'));
  return (
    <>
      <div className="page-head">
        <h1>My orders</h1>
        <Link href="/returns">My returns</Link>
      </div>
      {!res.ok ? (
        <ApiErrorNotice title="Could not load your orders" errors={res.errors} />
      ) : res.data.length === 0 ? (
        <div className="empty" data-testid="orders-empty">
          <p>You have no orders yet.</p>
          <Link href="/" className="button">
            Browse the catalog
          </Link>
        </div>
      ) : (
        <table className="lines" aria-label="My orders">
          <thead>
            <tr>
              <th scope="col">Order</th>
              <th scope="col">Placed</th>
              <th scope="col">Items</th>
              <th scope="col">Status</th>
              <th scope="col" className="num">
                Total
              </th>
            </tr>
          </thead>
          <tbody>
            {res.data.map((order) => {
              const reason = order.status === 'cancelled' ? cancelReasonShort(order.cancelReason) : undefined;
              const fulfillment = shownFulfillment(order);
              const payment = shownPayment(order);
              return (
                <tr key={order.id} data-testid="my-order" data-order-id={order.id}>
                  <td data-label="Order">
                    <Link href={`/orders/${order.id}`} aria-label={`Order ${orderNumber(order.id)}`}>
                      {orderNumber(order.id)}
                    </Link>
                  </td>
                  <td data-label="Placed">{order.createdAt ? <LocalDateTime iso={order.createdAt} testId="order-date" /> : null}</td>
                  <td data-label="Items">
                    <span data-testid="order-item-count">{itemCountText(order)}</span>
                    <span className="muted order-item-titles">{order.items.map((i) => `${i.quantity} × ${i.title}`).join(', ')}</span>
                  </td>
                  <td data-label="Status">
                    <StatusBadge status={order.status} />
                    {fulfillment ? <FulfillmentBadge status={fulfillment} /> : null}
                    {payment ? <PaymentBadge status={payment} /> : null}
                    {reason ? (
                      <span className="muted cancel-reason" data-testid="cancel-reason">
                        {reason}
                      </span>
                    ) : null}
                  </td>
                  <td className="num" data-label="Total">
                    {formatMoney(order.total)}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </>
  );
}
