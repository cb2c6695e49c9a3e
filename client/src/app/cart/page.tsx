import type { Metadata } from 'next';
import { CartView } from '@/components/CartView';
import { getCurrentUser, serverApi } from '@/lib/server-api';
import type { SavedAddress } from '@jetmart/common/contracts';

export const metadata: Metadata = { title: 'Cart' };

export default async function CartPage() {
  const user = await getCurrentUser();
  // The address book is offered at checkout; null when auth cannot say (a new address still works).
  const book = user ? await serverApi<SavedAddress[]>('/api/users/me/addresses') : null;
  const savedAddresses = book === null ? undefined : book.ok && Array.isArray(book.data) ? book.data : null;
  return (
    <>
      <h1>Your cart</h1>
      <CartView signedIn={user !== null} savedAddresses={savedAddresses} />
    </>
  );
}
