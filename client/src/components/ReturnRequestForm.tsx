'use client';

import { useEffect, useRef, useState, type FormEvent } from 'react';
import { RETURN_LIMITS, RETURN_REASONS, type ApiErrorItem, type ReturnRecord, type Shipment } from '@jetmart/common/contracts';
import { callApi } from '@/lib/client-api';
import { generalMessages, messageFor } from '@/lib/errors';
import { labelReturnErrors, mapReturnItemErrors, parseReturnForm, RETURN_REASON_LABELS, returnableLines } from '@/lib/returns';
import { Field, FormErrors, SelectField, TextAreaField } from './Field';

/**
 * "Return items" of one delivered shipment: how many of each line, a reason and an optional note
 * → POST /api/orders/:id/returns. Messages land on the line, the reason or the note they are about
 * (the API's `items.<index>` is mapped back to its line); the rest above the button.
 */
export function ReturnRequestForm({
  orderId,
  shipment,
  returns,
  onCreated,
  onClose,
}: {
  orderId: string;
  shipment: Shipment;
  /** The order's returns so far: units in live ones cannot be asked back again. */
  returns: ReturnRecord[];
  onCreated: (ret: ReturnRecord) => void;
  onClose: () => void;
}) {
  const formRef = useRef<HTMLFormElement>(null);
  const [errors, setErrors] = useState<ApiErrorItem[]>([]);
  const [busy, setBusy] = useState(false);
  const lines = returnableLines(shipment, returns);
  const prefix = `return-${shipment.id}`;
  const ids = {
    qty: (productId: string) => `${prefix}-qty-${productId}`,
    reason: `${prefix}-reason`,
    note: `${prefix}-note`,
    items: `${prefix}-items`,
  };
  const fields = ['items', 'reason', 'note'];

  // Opened by "Return items", which gives way to the form: the focus starts on its first field.
  useEffect(() => {
    formRef.current?.querySelector<HTMLElement>('input:not([disabled]), select')?.focus();
  }, []);

  function showErrors(list: ApiErrorItem[]) {
    setErrors(list);
    const lineWithError = lines.find((l) => list.some((e) => e.field === `items.${l.productId}`));
    const first = lineWithError
      ? ids.qty(lineWithError.productId)
      : list.some((e) => e.field === 'items')
        ? ids.qty(lines.find((l) => l.returnable > 0)?.productId ?? '')
        : messageFor(list, 'reason')
          ? ids.reason
          : messageFor(list, 'note')
            ? ids.note
            : undefined;
    if (first) requestAnimationFrame(() => formRef.current?.querySelector<HTMLElement>(`#${CSS.escape(first)}`)?.focus());
  }

  async function onSubmit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    const quantities: Record<string, string> = {};
    for (const l of lines) quantities[l.productId] = String(form.get(ids.qty(l.productId)) ?? '');
    const parsed = parseReturnForm(
      { quantities, reason: String(form.get(ids.reason) ?? ''), note: String(form.get(ids.note) ?? '') },
      lines,
    );
    if (!parsed.ok) return showErrors(parsed.errors);
    setBusy(true);
    setErrors([]);
    const res = await callApi<ReturnRecord>('POST', `/api/orders/${encodeURIComponent(orderId)}/returns`, parsed.body);
    setBusy(false);
    if (res.ok) {
      onCreated(res.data);
      return;
    }
    showErrors(labelReturnErrors(mapReturnItemErrors(res.errors, parsed.body.items), lines));
  }

  const itemsError = errors.find((e) => e.field === 'items')?.message;
  return (
    <form ref={formRef} className="return-form" onSubmit={onSubmit} noValidate aria-label="Return items" data-testid="return-form">
      <fieldset className="return-lines" aria-describedby={itemsError ? `${ids.items}-error` : `${ids.items}-hint`}>
        <legend>Which items, and how many?</legend>
        {lines.map((l) => (
          <Field
            key={l.productId}
            id={ids.qty(l.productId)}
            label={`${l.title}: how many to return`}
            type="number"
            inputMode="numeric"
            min={0}
            max={l.returnable}
            step={1}
            defaultValue={0}
            disabled={l.returnable === 0}
            className="qty-field"
            hint={
              l.returnable === l.quantity
                ? `You received ${l.quantity}.`
                : l.returnable === 0
                  ? `All ${l.quantity} are in a return already.`
                  : `${l.returnable} of ${l.quantity} can still be returned.`
            }
            error={errors.find((e) => e.field === `items.${l.productId}`)?.message}
          />
        ))}
        {itemsError ? (
          <p id={`${ids.items}-error`} className="field-error" role="alert" data-field-error="items">
            {itemsError}
          </p>
        ) : (
          <p id={`${ids.items}-hint`} className="field-hint">
            Leave a line at 0 to keep it.
          </p>
        )}
      </fieldset>
      <SelectField id={ids.reason} label="Reason" defaultValue="" required error={messageFor(errors, 'reason')}>
        <option value="" disabled>
          Choose a reason
        </option>
        {RETURN_REASONS.map((r) => (
          <option key={r} value={r}>
            {RETURN_REASON_LABELS[r]}
          </option>
        ))}
      </SelectField>
      <TextAreaField
        id={ids.note}
        label="Note for the seller (optional)"
        rows={3}
        hint={`What happened, in up to ${RETURN_LIMITS.maxNoteLength} characters.`}
        error={messageFor(errors, 'note')}
      />
      <FormErrors messages={generalMessages(errors, fields)} />
      <div className="actions">
        <button type="submit" disabled={busy}>
          {busy ? 'Sending…' : 'Request return'}
        </button>
        <button type="button" className="button-secondary" onClick={onClose} disabled={busy}>
          Close
        </button>
      </div>
    </form>
  );
}
