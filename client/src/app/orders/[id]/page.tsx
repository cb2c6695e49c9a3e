import type { Metadata } from 'next';
import { notFound, redirect } from 'next/navigation';
import { ApiErrorNotice } from '@/components/ApiErrorNotice';
import { OrderView } from '@/components/OrderView';
import { runtimeEnv } from '@/lib/env';
import { signinUrl } from '@/lib/redirect';
import { serverApi } from '@/lib/server-api';
import type { Order, Payment, ReturnRecord, Shipment } from '@jetmart/common/contracts';

type Props = { params: Promise<{ id: string }> };

/** The short number the page shows; no API call (the page itself decides whether the order is yours). */
export async function generateMetadata({ params }: Props): Promise<Metadata> {
  return { title: `Order #${(await params).id.slice(-8)}` };
}

export default async function OrderPage({ params }: Props) {
  const { id } = await params;
  const res = await serverApi<Order>(`/api/orders/${encodeURIComponent(id)}`);
  if (!res.ok && res.status === 401) redirect(signinUrl(`/orders/${id}`));
  if (!res.ok && (res.status === 404 || res.status === 400)) notFound();
  if (!res.ok) return <ApiErrorNotice title="Could not load this order" errors={res.errors} />;
  const complete = res.data.status === 'complete';
  const [paymentId, shipments, returns] = complete
    ? await Promise.all([findPaymentId(res.data.id), findShipments(res.data.id), findReturns(res.data.id)])
    : [undefined, undefined, undefined];
  // Read at request time, so one build serves both the sandbox and a Stripe-configured deployment.
  const stripeKey = runtimeEnv('NEXT_PUBLIC_STRIPE_PUBLISHABLE_KEY');
  return (
    <OrderView
      initialOrder={res.data}
      initialPaymentId={paymentId}
      initialShipments={shipments}
      initialReturns={returns}
      renderedAt={renderTime()}
      stripePublishableKey={stripeKey}
    />
  );
}

/**
 * The reference of the payment that completed the order, for the receipt. Without an answer from
 * GET /api/payments?orderId= (an older payments service, or it is down) the receipt goes without.
 */
async function findPaymentId(orderId: string): Promise<string | undefined> {
  const res = await serverApi<Payment[]>(`/api/payments?${new URLSearchParams({ orderId })}`);
  return res.ok && Array.isArray(res.data) ? res.data.find((p) => p.orderId === orderId)?.id : undefined;
}

/** The time return windows are compared with in the server's HTML (the browser's clock takes over once hydrated). */
function renderTime(): number {
  return Date.now();
}

/** A paid order's returns, newest first (GET /api/orders/:id/returns), or null when the API cannot say. */
async function findReturns(orderId: string): Promise<ReturnRecord[] | null> {
  const res = await serverApi<ReturnRecord[]>(`/api/orders/${encodeURIComponent(orderId)}/returns`);
  return res.ok && Array.isArray(res.data) ? res.data : null;
}

/** A paid order's shipments (GET /api/shipments?orderId=), or null when the shipping API cannot say. */
async function findShipments(orderId: string): Promise<Shipment[] | null> {
  const res = await serverApi<Shipment[]>(`/api/shipments?${new URLSearchParams({ orderId })}`);
  return res.ok && Array.isArray(res.data) ? res.data : null;
}
