import type { Metadata } from 'next';
import { notFound, redirect } from 'next/navigation';
import { ApiErrorNotice } from '@/components/ApiErrorNotice';
import { OrderView } from '@/components/OrderView';
import { runtimeEnv } from '@/lib/env';
import { signinUrl } from '@/lib/redirect';
import { serverApi } from '@/lib/server-api';
import type { Order } from '@jetmart/common/contracts';

export const metadata: Metadata = { title: 'Order' };

export default async function OrderPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const res = await serverApi<Order>(`/api/orders/${encodeURIComponent(id)}`);
  if (!res.ok && res.status === 401) redirect(signinUrl(`/orders/${id}`));
  if (!res.ok && (res.status === 404 || res.status === 400)) notFound();
  if (!res.ok) return <ApiErrorNotice title="Could not load this order" errors={res.errors} />;
  // Read at request time, so one build serves both the sandbox and a Stripe-configured deployment.
  const stripeKey = runtimeEnv('NEXT_PUBLIC_STRIPE_PUBLISHABLE_KEY');
  return <OrderView initialOrder={res.data} stripePublishableKey={stripeKey} />;
}
