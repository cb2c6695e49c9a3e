import type { Metadata } from 'next';
import Link from 'next/link';
import { redirect } from 'next/navigation';
import { ApiErrorNotice } from '@/components/ApiErrorNotice';
import { StatusBadge } from '@/components/StatusBadge';
import { formatMoney } from '@/lib/money';
import { signinUrl } from '@/lib/redirect';
import { serverApi } from '@/lib/server-api';
import type { Order } from '@jetmart/common/contracts';

export const metadata: Metadata = { title: 'My orders' };

export default async function MyOrdersPage() {
  const res = await serverApi<Order[]>('/api/orders');
  if (!res.ok && res.status === 401) redirect(signinUrl('/orders'));
  return (
    <>
      <h1>My orders</h1>
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
              <th scope="col">Items</th>
              <th scope="col">Status</th>
              <th scope="col" className="num">Total</th>
            </tr>
          </thead>
          <tbody>
            {res.data.map((order) => (
              <tr key={order.id} data-testid="my-order" data-order-id={order.id}>
                <td data-label="Order">
                  <Link href={`/orders/${order.id}`}>#{order.id.slice(-8)}</Link>
                </td>
                <td data-label="Items">{order.items.map((i) => `${i.quantity} × ${i.title}`).join(', ')}</td>
                <td data-label="Status">
                  <StatusBadge status={order.status} />
                </td>
                <td className="num" data-label="Total">
                  {formatMoney(order.total)}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}
