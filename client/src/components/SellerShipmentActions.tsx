'use client';

import { useRouter } from 'next/navigation';
import { useRef, useState, type FormEvent } from 'react';
import { SHIPMENT_LIMITS, type ApiErrorItem, type Shipment } from '@jetmart/common/contracts';
import { callApi } from '@/lib/client-api';
import { generalMessages, messageFor } from '@/lib/errors';
import { labelShipErrors, parseShipForm, SHIP_FIELD_LABELS } from '@/lib/fulfilment';
import { Field, FormErrors } from './Field';

const FIELDS = Object.keys(SHIP_FIELD_LABELS);

/** "Mark shipped": carrier and tracking number → POST /api/shipments/:id/ship, then the list is read again. */
export function ShipForm({ shipmentId, label }: { shipmentId: string; label: string }) {
  const router = useRouter();
  const formRef = useRef<HTMLFormElement>(null);
  const [errors, setErrors] = useState<ApiErrorItem[]>([]);
  const [busy, setBusy] = useState(false);
  const ids = { carrier: `carrier-${shipmentId}`, trackingNumber: `tracking-${shipmentId}` };

  function showErrors(list: ApiErrorItem[]) {
    setErrors(list);
    const first = FIELDS.find((f) => messageFor(list, f)) as keyof typeof ids | undefined;
    if (first) requestAnimationFrame(() => formRef.current?.querySelector<HTMLElement>(`#${ids[first]}`)?.focus());
  }

  async function onSubmit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    const parsed = parseShipForm({
      carrier: String(form.get(ids.carrier) ?? ''),
      trackingNumber: String(form.get(ids.trackingNumber) ?? ''),
    });
    if (!parsed.ok) return showErrors(parsed.errors);
    setBusy(true);
    setErrors([]);
    const res = await callApi<Shipment>('POST', `/api/shipments/${encodeURIComponent(shipmentId)}/ship`, parsed.body);
    if (res.ok) {
      router.refresh();
      return;
    }
    showErrors(labelShipErrors(res.errors));
    // Shipped meanwhile (another tab): the list read again shows where it is.
    if (res.status === 409 || res.status === 404) router.refresh();
    setBusy(false);
  }

  return (
    <form ref={formRef} className="ship-form" onSubmit={onSubmit} noValidate aria-label={label}>
      <Field
        id={ids.carrier}
        label="Carrier"
        type="text"
        autoComplete="off"
        required
        hint={`Who carries the parcel, like DHL (up to ${SHIPMENT_LIMITS.maxCarrierLength} characters).`}
        error={messageFor(errors, 'carrier')}
      />
      <Field
        id={ids.trackingNumber}
        label="Tracking number"
        type="text"
        autoComplete="off"
        required
        hint="The buyer sees it on their order."
        error={messageFor(errors, 'trackingNumber')}
      />
      <FormErrors messages={generalMessages(errors, FIELDS)} />
      <div>
        <button type="submit" disabled={busy}>
          {busy ? 'Saving…' : 'Mark shipped'}
        </button>
      </div>
    </form>
  );
}

/** "Mark delivered" for a shipped parcel (POST /api/shipments/:id/deliver). */
export function MarkDeliveredButton({ shipmentId }: { shipmentId: string }) {
  const router = useRouter();
  const [errors, setErrors] = useState<ApiErrorItem[]>([]);
  const [busy, setBusy] = useState(false);

  async function deliver() {
    setBusy(true);
    setErrors([]);
    const res = await callApi<Shipment>('POST', `/api/shipments/${encodeURIComponent(shipmentId)}/deliver`);
    if (!res.ok) setErrors(res.errors);
    router.refresh();
    setBusy(false);
  }

  return (
    <div className="actions">
      <button type="button" className="button-secondary" onClick={() => void deliver()} disabled={busy}>
        {busy ? 'Saving…' : 'Mark delivered'}
      </button>
      <FormErrors messages={errors.map((e) => e.message)} />
    </div>
  );
}
