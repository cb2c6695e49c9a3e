'use client';

import Link from 'next/link';
import { useState, type FormEvent } from 'react';
import { addToCart, MAX_LINE_QUANTITY, MAX_LINES, useCart } from '@/lib/cart';
import type { Product } from '@jetmart/common/contracts';
import { Field } from './Field';

/** Quantity picker and "Add to cart" for one product. */
export function AddToCart({ product }: { product: Product }) {
  const cart = useCart();
  const inCart = cart?.find((l) => l.productId === product.id)?.quantity ?? 0;
  const max = Math.max(0, Math.min(MAX_LINE_QUANTITY, product.available) - inCart);
  const [quantity, setQuantity] = useState('1');
  const [error, setError] = useState<string | undefined>();
  const [added, setAdded] = useState<number | null>(null);

  if (product.available <= 0) {
    return (
      <p className="sold-out" data-testid="sold-out">
        Sold out
      </p>
    );
  }

  function onSubmit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const n = Number(quantity);
    if (!Number.isInteger(n) || n < 1) return setError('Choose a whole number of at least 1.');
    if (n > max) return setError(max === 0 ? 'All available units are already in your cart.' : `You can add at most ${max} more.`);
    if (!addToCart({ productId: product.id, title: product.title, price: product.price, quantity: n, available: product.available })) {
      return setError(`Your cart is full (${MAX_LINES} different products at most).`);
    }
    setError(undefined);
    setAdded(n);
    setQuantity('1');
  }

  return (
    <form onSubmit={onSubmit} noValidate className="buy-box" aria-label="Add to cart">
      <div className="qty-row">
        <Field
          id="quantity"
          label="Quantity"
          type="number"
          inputMode="numeric"
          min={1}
          max={Math.max(1, max)}
          step={1}
          value={quantity}
          onChange={(e) => {
            setQuantity(e.target.value);
            setAdded(null);
          }}
          error={error}
        />
        <button type="submit" disabled={cart !== null && max === 0}>
          Add to cart
        </button>
      </div>
      {inCart > 0 ? (
        <p className="muted" data-testid="in-cart">
          {inCart} in your cart.
        </p>
      ) : null}
      {added !== null ? (
        <p className="success" role="status">
          Added {added} to your cart. <Link href="/cart">Go to cart</Link>
        </p>
      ) : null}
    </form>
  );
}
