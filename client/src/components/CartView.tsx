'use client';

import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useRef, useState, type FormEvent } from 'react';
import { clearCart, MAX_LINE_QUANTITY, removeLine, setLineQuantity, useCart, type CartLine } from '@/lib/cart';
import { callApi } from '@/lib/client-api';
import { generalMessages, messageFor } from '@/lib/errors';
import { formatMoney, lineTotal } from '@/lib/money';
import { keepOrderTicket } from '@/lib/order-tickets';
import { signinUrl } from '@/lib/redirect';
import {
  addressApiErrors,
  addressOnly,
  addressSummary,
  ADDRESS_FIELDS,
  EMPTY_ADDRESS_INPUT,
  isAddressError,
  parseAddressForm,
  type AddressInput,
} from '@/lib/address';
import { ADDRESS_BOOK_LIMIT, type Address, type ApiErrorItem, type PlacedOrder, type SavedAddress } from '@jetmart/common/contracts';
import { AddressFields, addressInputId } from './AddressFields';
import { FormErrors } from './Field';

/** The address-book choice for "a new address" (any other value is a saved entry's id). */
const NEW_ADDRESS = 'new';

/**
 * The cart and, for a signed-in buyer, the checkout: a shipping address (a saved one or a new one,
 * optionally saved to the address book) and POST /api/orders with `{items, shippingAddress}`. An
 * address-book entry is resolved here, in the browser: the order always carries the full address.
 */
export function CartView({ signedIn, savedAddresses }: { signedIn: boolean; savedAddresses?: SavedAddress[] | null }) {
  const lines = useCart();
  const router = useRouter();
  const [errors, setErrors] = useState<ApiErrorItem[]>([]);
  const [status, setStatus] = useState<number | null>(null);
  const [busy, setBusy] = useState(false);
  const [book, setBook] = useState<SavedAddress[]>(savedAddresses ?? []);
  const [choice, setChoice] = useState<string>(book[0]?.id ?? NEW_ADDRESS);
  const [input, setInput] = useState<AddressInput>(EMPTY_ADDRESS_INPUT);
  const [save, setSave] = useState(false);
  const formRef = useRef<HTMLFormElement>(null);

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

  const chosen = choice === NEW_ADDRESS ? undefined : book.find((a) => a.id === choice);
  const bookFull = book.length >= ADDRESS_BOOK_LIMIT;

  /** Shows the messages and takes the person to the first address field that needs fixing. */
  function showErrors(list: ApiErrorItem[], httpStatus: number | null = null) {
    setErrors(list);
    setStatus(httpStatus);
    const first = ADDRESS_FIELDS.find(({ field }) => messageFor(list, field));
    if (first) requestAnimationFrame(() => formRef.current?.querySelector<HTMLElement>(`#${addressInputId(first.field)}`)?.focus());
  }

  async function checkout(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    if (!lines || lines.length === 0 || busy) return;
    setErrors([]);
    setStatus(null);
    let shippingAddress: Address;
    if (chosen) {
      shippingAddress = addressOnly(chosen);
    } else {
      const parsed = parseAddressForm(input);
      if (!parsed.ok) return showErrors(parsed.errors);
      shippingAddress = parsed.address;
    }
    setBusy(true);
    if (!chosen && save) {
      const saved = await callApi<SavedAddress>('POST', '/api/users/me/addresses', shippingAddress);
      if (!saved.ok) {
        const list = addressApiErrors(saved.errors);
        setBusy(false);
        return showErrors(
          list.some((err) => isAddressError(err))
            ? list
            : list.map((err) => ({ message: `Your address was not saved to the address book: ${err.message}` })),
          saved.status,
        );
      }
      // From now on this checkout uses the saved entry: a retry after a failed order saves nothing twice.
      setBook((current) => [...current, saved.data]);
      setChoice(saved.data.id);
      setSave(false);
    }
    const res = await callApi<PlacedOrder>('POST', '/api/orders', {
      items: lines.map((l) => ({ productId: l.productId, quantity: l.quantity })),
      shippingAddress,
    });
    if (res.ok) {
      clearCart();
      // In memory for the pay step on the next page (lib/order-tickets): payments may not know the order yet.
      keepOrderTicket(res.data);
      router.push(`/orders/${res.data.id}`);
      return;
    }
    const list = addressApiErrors(res.errors, 'shippingAddress');
    setBusy(false);
    // A saved entry has no fields on screen to put the messages on: they go to the top, named.
    showErrors(chosen ? list.map((err) => (isAddressError(err) ? { message: err.message } : err)) : list, res.status);
  }

  const lineFields = lines.map((_, i) => `items.${i}`);
  const general = generalMessages(errors, [...lineFields, ...ADDRESS_FIELDS.map((f) => f.field)]);
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
      {signedIn ? (
        // noValidate: the form's own messages (which name the field) are shown, not the browser's.
        <form ref={formRef} className="checkout panel" onSubmit={checkout} noValidate aria-labelledby="shipping-heading">
          <h2 id="shipping-heading">Shipping address</h2>
          {savedAddresses === null ? <p className="muted">Your address book could not be loaded; enter the address below.</p> : null}
          {book.length > 0 ? (
            <fieldset className="radio-group address-choices" data-testid="address-book">
              <legend>Ship to</legend>
              {book.map((a) => (
                <label key={a.id} data-testid="saved-address">
                  <input
                    type="radio"
                    name="ship-to"
                    value={a.id}
                    checked={choice === a.id}
                    onChange={() => setChoice(a.id)}
                    disabled={busy}
                  />
                  <span>{addressSummary(a)}</span>
                </label>
              ))}
              <label>
                <input
                  type="radio"
                  name="ship-to"
                  value={NEW_ADDRESS}
                  checked={choice === NEW_ADDRESS}
                  onChange={() => setChoice(NEW_ADDRESS)}
                  disabled={busy}
                />
                <span>A new address</span>
              </label>
            </fieldset>
          ) : null}
          {chosen ? null : (
            <>
              <AddressFields
                value={input}
                errors={errors}
                disabled={busy}
                onChange={(field, text) => setInput((current) => ({ ...current, [field]: text }))}
              />
              <div className="checkbox-field">
                <input
                  id="save-address"
                  type="checkbox"
                  checked={save && !bookFull}
                  disabled={busy || bookFull}
                  onChange={(e) => setSave(e.target.checked)}
                  aria-describedby={bookFull ? 'save-address-hint' : undefined}
                />
                <label htmlFor="save-address">Save to my address book</label>
                {bookFull ? (
                  <p id="save-address-hint" className="field-hint">
                    Your address book is full ({ADDRESS_BOOK_LIMIT} addresses).
                  </p>
                ) : null}
              </div>
            </>
          )}
          <FormErrors messages={general} />
          <div className="actions">
            <button type="submit" disabled={busy}>
              {busy ? 'Placing order…' : 'Check out'}
            </button>
            {status === 401 ? <Link href={signinUrl('/cart')}>Sign in again</Link> : null}
            <button type="button" className="button-secondary" onClick={() => clearCart()} disabled={busy}>
              Empty cart
            </button>
          </div>
          <p className="muted">Units are held for you once you check out, until the order&apos;s payment deadline.</p>
        </form>
      ) : (
        <>
          <FormErrors messages={general} />
          <div className="actions">
            <Link href={signinUrl('/cart')} className="button">
              Sign in to check out
            </Link>
            <button type="button" className="button-secondary" onClick={() => clearCart()}>
              Empty cart
            </button>
          </div>
        </>
      )}
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
