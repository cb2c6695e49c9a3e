import type { Metadata } from 'next';
import { CartView } from '@/components/CartView';
import { getCurrentUser } from '@/lib/server-api';

export const metadata: Metadata = { title: 'Cart' };

export default async function CartPage() {
  const user = await getCurrentUser();
  return (
    <>
      <h1>Your cart</h1>
      <CartView signedIn={user !== null} />
    </>
  );
}
