'use client';

import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { clearCart, MAX_LINE_QUANTITY, removeLine, setLineQuantity, useCart, type CartLine } from '@/lib/cart';
import { callApi } from '@/lib/client-api';
import { generalMessages, messageFor } from '@/lib/errors';
import { formatMoney, lineTotal } from '@/lib/money';
import { signinUrl } from '@/lib/redirect';
import type { ApiErrorItem, Order } from '@jetmart/common/contracts';
import { FormErrors } from './Field';

export function CartView({ signedIn }: { signedIn: boolean }) {
  const lines = useCart();
  const router = useRouter();
  const [errors, setErrors] = useState<ApiErrorItem[]>([]);
  const [status, setStatus] = useState<number | null>(null);
  const [busy, setBusy] = useState(false);

  if (lines === null) return <p className="loading">Loading your cart…</p>;
  if (lines.length === 0) {
    return (
      <div className="empty" data-testid="cart-empty">
        <p>Your cart is empty.</p>
        <Link href="/" className="button">
          Browse the catalog
        </Link>
      </div>
    );
  }

  async function checkout() {
    if (!lines || lines.length === 0) return;
    setBusy(true);
    setErrors([]);
    setStatus(null);
    const res = await callApi<Order>('POST', '/api/orders', {
      items: lines.map((l) => ({ productId: l.productId, quantity: l.quantity })),
    });
    if (res.ok) {
      clearCart();
      router.push(`/orders/${res.data.id}`);
      return;
    }
    setErrors(res.errors);
    setStatus(res.status);
    setBusy(false);
  }

  const lineFields = lines.map((_, i) => `items.${i}`);
  const general = generalMessages(errors, lineFields);
  return (
    <>
      <table className="lines" aria-label="Cart">
        <thead>
          <tr>
            <th scope="col">Product</th>
            <th scope="col" className="num">
              Price
            </th>
            <th scope="col">Quantity</th>
            <th scope="col" className="num">
              Subtotal
            </th>
            <th scope="col">
              <span className="visually-hidden">Remove</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {lines.map((line, i) => (
            <CartRow key={line.productId} line={line} error={messageFor(errors, `items.${i}`)} />
          ))}
        </tbody>
        <tfoot>
          <tr>
            <td colSpan={3}>Total</td>
            <td className="num" data-testid="cart-total">
              {formatMoney(lineTotal(lines))}
            </td>
            <td />
          </tr>
        </tfoot>
      </table>
      {general.length > 0 ? (
        <div style={{ marginTop: '1rem' }}>
          <FormErrors messages={general} />
        </div>
      ) : null}
      <div className="actions">
        {signedIn ? (
          <button type="button" onClick={checkout} disabled={busy}>
            {busy ? 'Placing order…' : 'Check out'}
          </button>
        ) : (
          <Link href={signinUrl('/cart')} className="button">
            Sign in to check out
          </Link>
        )}
        {status === 401 && signedIn ? <Link href={signinUrl('/cart')}>Sign in again</Link> : null}
        <button type="button" className="button-secondary" onClick={() => clearCart()} disabled={busy}>
          Empty cart
        </button>
      </div>
      <p className="muted">Units are held for you once you check out, until the order&apos;s payment deadline.</p>
    </>
  );
}

function CartRow({ line, error }: { line: CartLine; error?: string }) {
  const [draft, setDraft] = useState(String(line.quantity));
  // The cart changed the quantity (clamped, or another tab): show it (adjusted while rendering, no effect).
  const [shown, setShown] = useState(line.quantity);
  if (shown !== line.quantity) {
    setShown(line.quantity);
    setDraft(String(line.quantity));
  }
  const max = Math.min(MAX_LINE_QUANTITY, line.available ?? MAX_LINE_QUANTITY);
  const inputId = `qty-${line.productId}`;
  return (
    <tr data-testid="cart-line" data-product-id={line.productId}>
      <td data-label="Product">
        <Link href={`/products/${line.productId}`}>{line.title}</Link>
        {error ? (
          <p className="line-error" role="alert" id={`${inputId}-error`}>
            {error}
          </p>
        ) : null}
      </td>
      <td className="num" data-label="Price">
        {formatMoney(line.price)}
      </td>
      <td data-label="Quantity">
        <label htmlFor={inputId} className="visually-hidden">
          Quantity of {line.title}
        </label>
        <input
          id={inputId}
          type="number"
          inputMode="numeric"
          min={1}
          max={max}
          step={1}
          value={draft}
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? `${inputId}-error` : undefined}
          onChange={(e) => {
            setDraft(e.target.value);
            const n = Number(e.target.value);
            if (Number.isInteger(n) && n >= 1) setLineQuantity(line.productId, n);
          }}
          onBlur={() => setDraft(String(line.quantity))}
        />
      </td>
      <td className="num" data-label="Subtotal">
        {formatMoney(lineTotal([line]))}
      </td>
      <td>
        <button type="button" className="link-button" onClick={() => removeLine(line.productId)} aria-label={`Remove ${line.title}`}>
          Remove
        </button>
      </td>
    </tr>
  );
}
