'use client';

import { useEffect, useRef, useState } from 'react';
import type { ApiErrorItem, ReturnRecord, Shipment } from '@jetmart/common/contracts';
import { callApi } from '@/lib/client-api';
import { deliveredByText, linesText, shipmentTimeline } from '@/lib/fulfilment';
import { shipmentActions } from '@/lib/returns';
import { ConfirmDialog } from './ConfirmDialog';
import { FormErrors } from './Field';
import { LocalDateTime } from './LocalDateTime';
import { ReturnRequestForm } from './ReturnRequestForm';

/**
 * One shipment's way to the buyer: paid → shipped (carrier, tracking number) → delivered, with
 * dates; the buyer confirms the delivery of a shipped one (POST /api/shipments/:id/deliver),
 * cancels a part not shipped yet (POST /api/shipments/:id/cancel), and asks to return items of a
 * delivered one while its return window is open.
 */
export function ShipmentTimeline({
  orderId,
  shipment,
  heading,
  returns = [],
  now,
  onChange,
  onReturnCreated,
}: {
  orderId: string;
  shipment: Shipment;
  heading: string;
  /** The order's returns (for the units that can still be returned). */
  returns?: ReturnRecord[];
  /** The time the return window is compared with (the page's render time until the clock runs). */
  now: number;
  /** The shipment as the API returned it after an action (or re-read after a refusal). */
  onChange: (shipment: Shipment) => void;
  onReturnCreated?: (ret: ReturnRecord) => void;
}) {
  const [busy, setBusy] = useState(false);
  const [errors, setErrors] = useState<ApiErrorItem[]>([]);
  const [confirmed, setConfirmed] = useState(false);
  const [confirmingCancel, setConfirmingCancel] = useState(false);
  const [returning, setReturning] = useState(false);
  const [requested, setRequested] = useState(false);
  const cancelButton = useRef<HTMLButtonElement>(null);
  const returnButton = useRef<HTMLButtonElement>(null);
  const outcome = useRef<HTMLParagraphElement>(null);
  const actions = shipmentActions(shipment, returns, now);

  // After an action that removes its button, the focus goes to what happened instead of the page's top.
  const [focusOutcome, setFocusOutcome] = useState(false);
  useEffect(() => {
    if (!focusOutcome || !outcome.current) return;
    outcome.current.focus();
    setFocusOutcome(false);
  }, [focusOutcome, shipment.status, requested]);

  async function reread() {
    const current = await callApi<Shipment>('GET', `/api/shipments/${encodeURIComponent(shipment.id)}`);
    if (current.ok) onChange(current.data);
  }

  async function cancelPart() {
    setConfirmingCancel(false);
    setBusy(true);
    setErrors([]);
    const res = await callApi<Shipment>('POST', `/api/shipments/${encodeURIComponent(shipment.id)}/cancel`);
    if (res.ok) {
      onChange(res.data);
      setFocusOutcome(true);
    } else {
      setErrors(res.errors);
      await reread();
    }
    setBusy(false);
  }

  async function confirmDelivery() {
    setBusy(true);
    setErrors([]);
    const res = await callApi<Shipment>('POST', `/api/shipments/${encodeURIComponent(shipment.id)}/deliver`);
    if (res.ok) {
      setConfirmed(true);
      onChange(res.data);
    } else {
      setErrors(res.errors);
      await reread();
    }
    setBusy(false);
  }

  const headingId = `shipment-${shipment.id}-heading`;
  return (
    <article
      className="shipment"
      aria-labelledby={headingId}
      data-testid="shipment"
      data-shipment-id={shipment.id}
      data-shipment-status={shipment.status}
    >
      <h3 id={headingId}>{heading}</h3>
      <p className="muted shipment-lines">{linesText(shipment.items)}</p>
      <ol className="timeline">
        {shipmentTimeline(shipment).map((step) => (
          <li
            key={step.key}
            className={`step${step.done ? ' step-done' : ''}${step.current ? ' step-current' : ''}`}
            aria-current={step.current ? 'step' : undefined}
            data-testid={`step-${step.key}`}
            data-done={step.done}
          >
            <span className="step-label">{step.label}</span>
            {step.done ? (
              step.at ? (
                <span className="step-date">
                  <LocalDateTime iso={step.at} />
                </span>
              ) : null
            ) : (
              <span className="step-date muted">Not yet</span>
            )}
            {step.key === 'shipped' && step.done && (shipment.carrier || shipment.trackingNumber) ? (
              <dl className="tracking">
                {shipment.carrier ? (
                  <>
                    <dt>Carrier</dt>
                    <dd data-testid="carrier">{shipment.carrier}</dd>
                  </>
                ) : null}
                {shipment.trackingNumber ? (
                  <>
                    <dt>Tracking number</dt>
                    <dd>
                      <code data-testid="tracking-number">{shipment.trackingNumber}</code>
                    </dd>
                  </>
                ) : null}
              </dl>
            ) : null}
            {step.key === 'delivered' && step.done && shipment.deliveredBy ? (
              <span className="muted step-note" data-testid="delivered-by">
                {deliveredByText(shipment.deliveredBy, 'buyer')}
              </span>
            ) : null}
          </li>
        ))}
      </ol>
      {shipment.status === 'shipped' ? (
        <div className="actions">
          <button type="button" onClick={() => void confirmDelivery()} disabled={busy}>
            {busy ? 'Confirming…' : 'Confirm delivery'}
          </button>
          <span className="muted">Received it? Let the seller know.</span>
        </div>
      ) : null}
      {confirmed && shipment.status === 'delivered' ? (
        <p className="success" role="status">
          Thanks! The delivery is confirmed.
        </p>
      ) : null}
      {shipment.status === 'cancelled' ? (
        <p ref={outcome} tabIndex={-1} className="notice" role="status" data-testid="part-cancelled">
          This part was cancelled before it shipped. Its amount is refunded to your card.
        </p>
      ) : null}
      {actions.cancel ? (
        <div className="actions">
          <button ref={cancelButton} type="button" className="button-danger" onClick={() => setConfirmingCancel(true)} disabled={busy}>
            {busy ? 'Cancelling…' : 'Cancel this part'}
          </button>
          <span className="muted">Not shipped yet: cancel it and get its amount back.</span>
        </div>
      ) : null}
      {shipment.status === 'delivered' && shipment.returnableUntil && !returning ? (
        <p className="muted step-note" data-testid="return-window">
          {Date.parse(shipment.returnableUntil) > now ? 'Returns possible until ' : 'The return window closed on '}
          <LocalDateTime iso={shipment.returnableUntil} />.
        </p>
      ) : null}
      {requested ? (
        <p ref={outcome} tabIndex={-1} className="success" role="status" data-testid="return-requested">
          Return requested. The seller is asked to approve it; follow it under Returns below.
        </p>
      ) : null}
      {actions.requestReturn && !returning ? (
        <div className="actions">
          <button
            ref={returnButton}
            type="button"
            className="button-secondary"
            onClick={() => {
              setReturning(true);
              setRequested(false);
            }}
          >
            Return items
          </button>
        </div>
      ) : null}
      {returning && actions.requestReturn ? (
        <ReturnRequestForm
          orderId={orderId}
          shipment={shipment}
          returns={returns}
          onCreated={(ret) => {
            setReturning(false);
            setRequested(true);
            setFocusOutcome(true);
            onReturnCreated?.(ret);
          }}
          onClose={() => {
            setReturning(false);
            requestAnimationFrame(() => returnButton.current?.focus());
          }}
        />
      ) : null}
      <FormErrors messages={errors.map((e) => e.message)} />
      {confirmingCancel ? (
        <ConfirmDialog
          title="Cancel this part?"
          description={`${linesText(shipment.items)} will not be shipped, and its amount is refunded to your card. This cannot be undone.`}
          confirmLabel="Yes, cancel this part"
          dismissLabel="Keep it"
          onConfirm={() => void cancelPart()}
          onDismiss={() => {
            setConfirmingCancel(false);
            cancelButton.current?.focus();
          }}
        />
      ) : null}
    </article>
  );
}
