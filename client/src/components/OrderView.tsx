'use client';

import Link from 'next/link';
import { useCallback, useEffect, useRef, useState, type FormEvent } from 'react';
import { useNow } from '@/lib/clock';
import { callApi } from '@/lib/client-api';
import { generalMessages, messageFor } from '@/lib/errors';
import { formatMoney, lineTotal } from '@/lib/money';
import { forgetOrderTicket, paymentBody } from '@/lib/order-tickets';
import { cancelReasonSentence, itemCountText, orderNumber } from '@/lib/orders';
import { shownFulfillment } from '@/lib/fulfilment';
import { cancellableParts, expectedRefund, paymentLabel, returnInProgress, shownPayment } from '@/lib/returns';
import type { ApiErrorItem, Order, Payment, ReturnRecord, Shipment } from '@jetmart/common/contracts';
import { AddressBlock } from './AddressBlock';
import { ConfirmDialog } from './ConfirmDialog';
import { FormErrors } from './Field';
import { FulfillmentBadge } from './FulfillmentBadge';
import { LocalDateTime } from './LocalDateTime';
import { PaymentBadge } from './PaymentBadge';
import { ReturnCard } from './ReturnCard';
import { WithdrawReturnButton } from './ReturnActions';
import { StatusBadge } from './StatusBadge';
import { ShipmentTimeline } from './ShipmentTimeline';
import { StripeCardInput, type TokenSource } from './StripeCardInput';

/** How often the page asks for the order while it is still open (paid or expired orders change by events). */
export const ORDER_POLL_MS = 2000;
/** How often a paid order's shipments are asked for while some are still on their way (and the page is visible). */
export const SHIPMENT_POLL_MS = 3000;

export const SANDBOX_TOKENS = [
  { token: 'tok_visa', label: 'Test Visa — payment succeeds' },
  { token: 'tok_chargeDeclined', label: 'Test card — declined' },
] as const;

function formatRemaining(ms: number): string {
  const total = Math.max(0, Math.ceil(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const mm = String(m).padStart(h > 0 ? 2 : 1, '0');
  return `${h > 0 ? `${h}:` : ''}${mm}:${String(s).padStart(2, '0')}`;
}

export function OrderView({
  initialOrder,
  initialPaymentId,
  initialShipments,
  initialReturns,
  renderedAt,
  stripePublishableKey,
}: {
  initialOrder: Order;
  /** A paid order's shipments (null when the shipping API could not say). */
  initialShipments?: Shipment[] | null;
  /** A paid order's returns, newest first (null when the API could not say). */
  initialReturns?: ReturnRecord[] | null;
  /** When the server rendered the page: the time return windows are compared with until the clock runs. */
  renderedAt: number;
  /** The payment of a complete order, when the payments API could tell (a receipt shows it). */
  initialPaymentId?: string;
  stripePublishableKey?: string;
}) {
  const [order, setOrder] = useState(initialOrder);
  // undefined: not asked yet (the order was not paid when the page was rendered); null: the API could not say.
  const [shipments, setShipments] = useState<Shipment[] | null | undefined>(initialShipments);
  const [returns, setReturns] = useState<ReturnRecord[] | null | undefined>(initialReturns);
  // Live countdown (null until hydrated, so server and browser render the same first frame).
  const now = useNow();
  const [paid, setPaid] = useState(false);
  const [paymentId, setPaymentId] = useState<string | undefined>(initialPaymentId);
  const [cancelErrors, setCancelErrors] = useState<ApiErrorItem[]>([]);
  const [cancelling, setCancelling] = useState(false);
  const [partsCancelled, setPartsCancelled] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const [pollError, setPollError] = useState<string | null>(null);
  const cancelButton = useRef<HTMLButtonElement>(null);
  // After a confirmed cancel the button is gone; the focus goes to the outcome instead of the page's top.
  const outcome = useRef<HTMLParagraphElement>(null);
  const [focusOutcome, setFocusOutcome] = useState(false);
  useEffect(() => {
    if (!focusOutcome || !outcome.current) return;
    outcome.current.focus();
    setFocusOutcome(false);
  }, [focusOutcome, order.status, partsCancelled]);

  const refresh = useCallback(async () => {
    const res = await callApi<Order>('GET', `/api/orders/${encodeURIComponent(order.id)}`);
    if (res.ok) {
      setPollError(null);
      setOrder((current) => (res.data.version >= current.version ? res.data : current));
    } else {
      setPollError(res.errors[0]?.message ?? 'Could not refresh the order.');
    }
  }, [order.id]);

  // While the order is open, follow it: payment completes it and expiry cancels it, both by events.
  useEffect(() => {
    if (order.status !== 'created') return;
    const t = setInterval(refresh, ORDER_POLL_MS);
    return () => clearInterval(t);
  }, [order.status, refresh]);

  const refreshShipments = useCallback(async () => {
    const res = await callApi<Shipment[]>('GET', `/api/shipments?${new URLSearchParams({ orderId: order.id })}`);
    if (!res.ok || !Array.isArray(res.data)) return;
    const fresh = res.data;
    // An answer that left before an action's own answer must not take the part back a step.
    setShipments((current) => fresh.map((s) => current?.find((c) => c.id === s.id && c.version > s.version) ?? s));
  }, [order.id]);

  const refreshReturns = useCallback(async () => {
    const res = await callApi<ReturnRecord[]>('GET', `/api/orders/${encodeURIComponent(order.id)}/returns`);
    if (!res.ok || !Array.isArray(res.data)) return;
    const fresh = res.data;
    setReturns((current) => fresh.map((r) => current?.find((c) => c.id === r.id && c.version > r.version) ?? r));
  }, [order.id]);

  // A paid order's shipments appear moments after payment and move on when sellers ship; follow
  // them (and the order's derived fulfilment) until everything is delivered.
  const tracked = order.status === 'complete' && order.shippingAddress !== undefined;
  const allDelivered = !!shipments && shipments.length > 0 && shipments.every((s) => s.status === 'delivered' || s.status === 'cancelled');
  const asked = shipments !== undefined;
  const delivered =
    allDelivered && (order.fulfillment === undefined || order.fulfillment === 'delivered' || order.fulfillment === 'cancelled');
  // Returns move by the seller's steps and refunds arrive by events: follow them as well while any
  // return is under way or the order's refunds have not caught up with its cancelled parts and
  // received returns yet.
  const returnsMoving = !!returns && returns.some(returnInProgress);
  const refundsPending = Math.round((order.refunded ?? 0) * 100) < Math.round(expectedRefund(shipments, returns) * 100);
  const settled = delivered && !returnsMoving && !refundsPending;
  useEffect(() => {
    if (!tracked || settled) return;
    // Paid while this page was open: ask at once rather than after the first interval.
    const first = asked
      ? undefined
      : setTimeout(() => {
          void refreshShipments();
          void refreshReturns();
        }, 0);
    const t = setInterval(() => {
      if (document.visibilityState !== 'visible') return;
      void refreshShipments();
      void refreshReturns();
      void refresh();
    }, SHIPMENT_POLL_MS);
    return () => {
      clearTimeout(first);
      clearInterval(t);
    };
  }, [tracked, settled, asked, refreshShipments, refreshReturns, refresh]);

  // Completed while this page was open but paid elsewhere (another tab): ask for the reference once
  // (the server already asked for an order that was complete when the page was rendered).
  const askedForPayment = useRef(initialOrder.status === 'complete');
  useEffect(() => {
    if (order.status !== 'complete' || paymentId || askedForPayment.current) return;
    askedForPayment.current = true;
    void findPaymentId(order.id).then((id) => id && setPaymentId(id));
  }, [order.status, order.id, paymentId]);

  const expiresAt = new Date(order.expiresAt).getTime();
  const remaining = now === null ? null : expiresAt - now;
  const expired = remaining !== null && remaining <= 0;
  const open = order.status === 'created';

  const pendingParts = order.status === 'complete' ? cancellableParts(shipments) : [];

  /**
   * A paid order is cancelled part by part where the shipments live (SPEC: DELETE answers 409 for
   * a paid order): every part not shipped yet. A part that shipped meanwhile says so (409) and the
   * others are still cancelled.
   */
  async function cancelPaidParts() {
    setConfirming(false);
    setCancelling(true);
    setCancelErrors([]);
    const failures: ApiErrorItem[] = [];
    for (const part of pendingParts) {
      const res = await callApi<Shipment>('POST', `/api/shipments/${encodeURIComponent(part.id)}/cancel`);
      if (res.ok) setShipments((current) => current?.map((c) => (c.id === res.data.id && res.data.version >= c.version ? res.data : c)));
      else failures.push(...res.errors);
    }
    setCancelErrors(failures);
    await Promise.all([refreshShipments(), refresh()]);
    setCancelling(false);
    if (failures.length === 0) {
      setPartsCancelled(true);
      setFocusOutcome(true);
    }
  }

  async function cancel() {
    if (order.status === 'complete') return cancelPaidParts();
    setConfirming(false);
    setCancelling(true);
    setCancelErrors([]);
    const res = await callApi<Order>('DELETE', `/api/orders/${encodeURIComponent(order.id)}`);
    if (res.ok) {
      setOrder(res.data);
      setFocusOutcome(true);
    } else {
      setCancelErrors(res.errors);
      await refresh();
    }
    setCancelling(false);
  }

  const cancelledBecause =
    cancelReasonSentence(order.cancelReason) ?? (expired ? 'This order expired: it was not paid in time.' : 'This order was cancelled.');

  return (
    <div data-testid="order-page" data-order-status={order.status}>
      <div className="order-head">
        <h1>
          {order.status === 'complete' ? 'Receipt' : 'Order'} <span className="order-number">{orderNumber(order.id)}</span>
        </h1>
        <StatusBadge status={order.status} />
        {shownFulfillment(order) ? <FulfillmentBadge status={shownFulfillment(order)!} /> : null}
        {shownPayment(order) ? <PaymentBadge status={shownPayment(order)!} /> : null}
        {order.createdAt ? (
          <span className="muted">
            Placed <LocalDateTime iso={order.createdAt} testId="order-date" />
          </span>
        ) : null}
      </div>
      <div className="order-grid">
        <section aria-label="Items">
          <table className="lines" aria-label="Order items">
            <thead>
              <tr>
                <th scope="col">Product</th>
                <th scope="col" className="num">
                  Price
                </th>
                <th scope="col" className="num">
                  Quantity
                </th>
                <th scope="col" className="num">
                  Subtotal
                </th>
              </tr>
            </thead>
            <tbody>
              {order.items.map((item) => (
                <tr key={item.productId} data-testid="order-line">
                  <td data-label="Product">
                    <Link href={`/products/${item.productId}`}>{item.title}</Link>
                  </td>
                  <td className="num" data-label="Price">
                    {formatMoney(item.price)}
                  </td>
                  <td className="num" data-label="Quantity">
                    {item.quantity}
                  </td>
                  <td className="num" data-label="Subtotal">
                    {formatMoney(lineTotal([item]))}
                  </td>
                </tr>
              ))}
            </tbody>
            <tfoot>
              <tr>
                <td colSpan={3}>{order.status === 'complete' ? 'Total paid' : 'Total'}</td>
                <td className="num" data-testid="order-total">
                  {formatMoney(order.total)}
                </td>
              </tr>
            </tfoot>
          </table>
        </section>

        <section className="panel buy-box" aria-label={order.status === 'complete' ? 'Payment' : open ? 'Pay' : 'Outcome'}>
          {order.status === 'complete' ? (
            <>
              <p className="success" role="status" data-testid="order-outcome">
                {order.payment === 'refunded'
                  ? 'Refunded in full.'
                  : order.payment === 'partially_refunded'
                    ? 'Paid — thank you! Part of it was refunded.'
                    : 'Paid — thank you! Your order is complete.'}
              </p>
              {partsCancelled ? (
                <p ref={outcome} tabIndex={-1} className="notice" role="status" data-testid="parts-cancelled">
                  The parts not shipped yet are cancelled; their amount is refunded to your card.
                </p>
              ) : null}
              {order.payment === 'partially_refunded' || order.payment === 'refunded' ? (
                <p className="notice" data-testid="refund-outcome">
                  {formatMoney(order.refunded)} of {formatMoney(order.total)} went back to your card.
                </p>
              ) : null}
              <dl className="receipt" data-testid="receipt">
                <dt>Order</dt>
                <dd title={order.id}>{orderNumber(order.id)}</dd>
                {order.createdAt ? (
                  <>
                    <dt>Date</dt>
                    <dd>
                      <LocalDateTime iso={order.createdAt} />
                    </dd>
                  </>
                ) : null}
                <dt>Items</dt>
                <dd>{itemCountText(order)}</dd>
                <dt>Total paid</dt>
                <dd>{formatMoney(order.total)}</dd>
                {order.payment ? (
                  <>
                    <dt>Payment</dt>
                    <dd data-testid="payment-status" data-payment={order.payment}>
                      {paymentLabel(order.payment)}
                    </dd>
                  </>
                ) : null}
                {order.refunded > 0 ? (
                  <>
                    <dt>Refunded</dt>
                    <dd data-testid="refunded-amount">{formatMoney(order.refunded)}</dd>
                  </>
                ) : null}
                {paymentId ? (
                  <>
                    <dt>Payment reference</dt>
                    <dd data-testid="payment-reference">
                      <code>{paymentId}</code>
                    </dd>
                  </>
                ) : null}
              </dl>
            </>
          ) : order.status === 'cancelled' ? (
            <p ref={outcome} tabIndex={-1} className="notice" role="status" data-testid="order-outcome">
              <span data-testid="cancel-reason">{cancelledBecause}</span> The units were released.{' '}
              {order.payment === 'refunded' && order.refunded > 0 ? `Your payment of ${formatMoney(order.refunded)} was refunded. ` : null}
              <Link href="/">Continue shopping</Link>
            </p>
          ) : paid ? (
            <p className="success" role="status" data-testid="order-outcome">
              Payment received. Confirming your order…
            </p>
          ) : (
            <>
              <p>
                {remaining === null ? (
                  'Pay before the timer runs out.'
                ) : expired ? (
                  <span role="status">Time is up: the order is being cancelled…</span>
                ) : (
                  <>
                    Pay within{' '}
                    <span className="countdown" data-testid="countdown" aria-live="off">
                      {formatRemaining(remaining)}
                    </span>{' '}
                    or the order expires.
                  </>
                )}
              </p>
              <PayForm
                orderId={order.id}
                amount={order.total}
                disabled={expired}
                stripePublishableKey={stripePublishableKey}
                onPaid={(payment) => {
                  setPaid(true);
                  setPaymentId(payment.id);
                  void refresh();
                }}
                onConflict={() => void refresh()}
              />
            </>
          )}
          {(open && !paid) || pendingParts.length > 0 ? (
            <div className="actions">
              <button ref={cancelButton} type="button" className="button-danger" onClick={() => setConfirming(true)} disabled={cancelling}>
                {cancelling ? 'Cancelling…' : 'Cancel order'}
              </button>
              {pendingParts.length > 0 && shipments && pendingParts.length < shipments.length ? (
                <span className="muted">Cancels the parts not shipped yet.</span>
              ) : null}
            </div>
          ) : null}
          <FormErrors messages={cancelErrors.map((e) => e.message)} />
          {pollError && open ? <p className="muted">{pollError}</p> : null}
        </section>
      </div>
      {order.shippingAddress && order.status !== 'cancelled' ? (
        <section className="delivery" aria-labelledby="delivery-heading" data-testid="delivery">
          <h2 id="delivery-heading">Delivery</h2>
          <div className="delivery-grid">
            <div className="panel">
              <h3>Ships to</h3>
              <AddressBlock address={order.shippingAddress} testId="order-address" />
            </div>
            {order.status === 'complete' ? (
              <div className="shipments" data-testid="shipments">
                {shipments === null ? (
                  <p className="notice">Delivery details could not be loaded right now; they will appear here shortly.</p>
                ) : shipments === undefined || shipments.length === 0 ? (
                  <p className="panel muted" data-testid="shipments-pending">
                    Paid. The seller is being told to get your order ready; its shipment appears here in a moment.
                  </p>
                ) : (
                  shipments.map((s, i) => (
                    <ShipmentTimeline
                      key={s.id}
                      orderId={order.id}
                      shipment={s}
                      returns={returns ?? []}
                      now={now ?? renderedAt}
                      onReturnCreated={(ret) => {
                        setReturns((current) => [ret, ...(current ?? []).filter((r) => r.id !== ret.id)]);
                      }}
                      heading={shipments.length === 1 ? 'Your shipment' : `Shipment ${i + 1} of ${shipments.length}`}
                      onChange={(next) => {
                        setShipments((current) => current?.map((c) => (c.id === next.id && next.version >= c.version ? next : c)));
                        void refresh();
                      }}
                    />
                  ))
                )}
              </div>
            ) : (
              <p className="muted">Once the order is paid, each seller ships their part to this address.</p>
            )}
          </div>
        </section>
      ) : null}
      {returns && returns.length > 0 ? (
        <section className="returns" aria-labelledby="returns-heading" data-testid="order-returns">
          <h2 id="returns-heading">Returns</h2>
          <ul className="shipment-list">
            {returns.map((r) => (
              <li key={r.id}>
                <ReturnCard ret={r} reader="buyer">
                  {r.status === 'requested' ? (
                    <WithdrawReturnButton
                      ret={r}
                      onChange={(next) =>
                        setReturns((current) => current?.map((c) => (c.id === next.id && next.version >= c.version ? next : c)))
                      }
                    />
                  ) : null}
                </ReturnCard>
              </li>
            ))}
          </ul>
        </section>
      ) : returns === null && order.status === 'complete' ? (
        <p className="muted">Returns could not be loaded right now.</p>
      ) : null}
      {confirming && pendingParts.length > 0 ? (
        <ConfirmDialog
          title="Cancel this order?"
          description={
            shipments && pendingParts.length < shipments.length
              ? `The ${pendingParts.length === 1 ? 'part' : `${pendingParts.length} parts`} not shipped yet will be cancelled and refunded; what has shipped already can be returned after delivery. This cannot be undone.`
              : 'Nothing has shipped yet: the whole order is cancelled and its amount refunded to your card. This cannot be undone.'
          }
          confirmLabel="Yes, cancel order"
          dismissLabel="Keep order"
          onConfirm={() => void cancel()}
          onDismiss={() => {
            setConfirming(false);
            cancelButton.current?.focus();
          }}
        />
      ) : null}
      {confirming && open && !paid ? (
        <ConfirmDialog
          title="Cancel this order?"
          description={`Cancelling releases the ${itemCountText(order)} held for you to other buyers. This cannot be undone.`}
          confirmLabel="Yes, cancel order"
          dismissLabel="Keep order"
          onConfirm={() => void cancel()}
          onDismiss={() => {
            setConfirming(false);
            cancelButton.current?.focus();
          }}
        />
      ) : null}
      <p style={{ marginTop: '1.5rem' }}>
        <Link href="/orders">← My orders</Link>
      </p>
    </div>
  );
}

/** The caller's payment for an order (GET /api/payments?orderId=), or undefined when the API cannot say. */
async function findPaymentId(orderId: string): Promise<string | undefined> {
  const res = await callApi<Payment[]>('GET', `/api/payments?${new URLSearchParams({ orderId })}`);
  return res.ok && Array.isArray(res.data) ? res.data.find((p) => p.orderId === orderId)?.id : undefined;
}

function PayForm({
  orderId,
  amount,
  disabled,
  stripePublishableKey,
  onPaid,
  onConflict,
}: {
  orderId: string;
  amount: number;
  disabled: boolean;
  stripePublishableKey?: string;
  onPaid: (payment: Payment) => void;
  onConflict: () => void;
}) {
  const [token, setToken] = useState<string>(SANDBOX_TOKENS[0].token);
  const [errors, setErrors] = useState<ApiErrorItem[]>([]);
  const [busy, setBusy] = useState(false);
  const stripeSource = useRef<TokenSource | null>(null);
  const [stripeReady, setStripeReady] = useState(false);
  const onStripeReady = useCallback((source: TokenSource | null) => {
    stripeSource.current = source;
    setStripeReady(source !== null);
  }, []);

  async function onSubmit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    setBusy(true);
    setErrors([]);
    let cardToken = token;
    if (stripePublishableKey) {
      const result = stripeSource.current ? await stripeSource.current() : { error: 'The card form is still loading.' };
      if ('error' in result) {
        setErrors([{ message: result.error, field: 'token' }]);
        setBusy(false);
        return;
      }
      cardToken = result.token;
    }
    // One key per attempt: a retried request of this attempt can never charge twice.
    const res = await callApi<Payment>('POST', '/api/payments', paymentBody(orderId, cardToken), {
      'Idempotency-Key': crypto.randomUUID(),
    });
    if (res.ok) {
      forgetOrderTicket(orderId);
      onPaid(res.data);
      return;
    }
    // A declined card (402) is about the card, whatever field the API names.
    setErrors(res.status === 402 ? res.errors.map((err) => ({ ...err, field: 'token' })) : res.errors);
    if (res.status === 409 || res.status === 404) {
      forgetOrderTicket(orderId);
      onConflict();
    }
    setBusy(false);
  }

  const cardError = messageFor(errors, 'token');
  return (
    <form onSubmit={onSubmit} className="buy-box" aria-label="Pay" noValidate>
      {stripePublishableKey ? (
        <StripeCardInput publishableKey={stripePublishableKey} onReady={onStripeReady} />
      ) : (
        <fieldset className="radio-group" aria-describedby={cardError ? 'token-error' : 'token-hint'}>
          <legend>Test card (sandbox payments)</legend>
          {SANDBOX_TOKENS.map((t) => (
            <label key={t.token}>
              <input type="radio" name="token" value={t.token} checked={token === t.token} onChange={() => setToken(t.token)} />
              {t.label} <code>{t.token}</code>
            </label>
          ))}
        </fieldset>
      )}
      {!stripePublishableKey && !cardError ? (
        <p id="token-hint" className="field-hint">
          No real money moves: this shop runs the sandbox payment gateway.
        </p>
      ) : null}
      {cardError ? (
        <p id="token-error" className="field-error" role="alert" data-field-error="token">
          {cardError}
        </p>
      ) : null}
      <FormErrors messages={generalMessages(errors, ['token'])} />
      <button type="submit" disabled={busy || disabled || (!!stripePublishableKey && !stripeReady)}>
        {busy ? 'Paying…' : `Pay ${formatMoney(amount)}`}
      </button>
    </form>
  );
}
