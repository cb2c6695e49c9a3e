'use client';

import { useState } from 'react';
import type { ApiErrorItem, Shipment } from '@jetmart/common/contracts';
import { callApi } from '@/lib/client-api';
import { deliveredByText, linesText, shipmentTimeline } from '@/lib/fulfilment';
import { FormErrors } from './Field';
import { LocalDateTime } from './LocalDateTime';

/**
 * One shipment's way to the buyer: paid → shipped (carrier, tracking number) → delivered, with
 * dates; the buyer confirms the delivery of a shipped one (POST /api/shipments/:id/deliver).
 */
export function ShipmentTimeline({
  shipment,
  heading,
  onChange,
}: {
  shipment: Shipment;
  heading: string;
  /** The shipment as the API returned it after an action (or re-read after a refusal). */
  onChange: (shipment: Shipment) => void;
}) {
  const [busy, setBusy] = useState(false);
  const [errors, setErrors] = useState<ApiErrorItem[]>([]);
  const [confirmed, setConfirmed] = useState(false);

  async function confirmDelivery() {
    setBusy(true);
    setErrors([]);
    const res = await callApi<Shipment>('POST', `/api/shipments/${encodeURIComponent(shipment.id)}/deliver`);
    if (res.ok) {
      setConfirmed(true);
      onChange(res.data);
    } else {
      setErrors(res.errors);
      const current = await callApi<Shipment>('GET', `/api/shipments/${encodeURIComponent(shipment.id)}`);
      if (current.ok) onChange(current.data);
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
      <FormErrors messages={errors.map((e) => e.message)} />
    </article>
  );
}
