'use client';

import { useCart } from '@/lib/cart';

/** Units in the cart, next to the Cart link in the header. */
export function CartCount() {
  const lines = useCart();
  const units = lines?.reduce((n, l) => n + l.quantity, 0) ?? 0;
  if (units === 0) return null;
  return (
    <span className="badge" data-testid="cart-count" aria-label={`${units} items in cart`}>
      {units}
    </span>
  );
}
