'use client';

import { useRouter } from 'next/navigation';
import { useRef, useState, type FormEvent } from 'react';
import { RETURN_LIMITS, type ApiErrorItem, type ReturnRecord } from '@jetmart/common/contracts';
import { callApi } from '@/lib/client-api';
import { generalMessages, messageFor } from '@/lib/errors';
import { labelReturnErrors, parseReceiveForm, parseRejectForm } from '@/lib/returns';
import { FormErrors, TextAreaField } from './Field';

const returnPath = (id: string, step: string) => `/api/returns/${encodeURIComponent(id)}/${step}`;

/**
 * "Withdraw request" for the buyer's requested return (POST /api/returns/:id/cancel). With
 * `onChange` the caller takes the return as the API answered it; without, the page is read again.
 */
export function WithdrawReturnButton({ ret, onChange }: { ret: ReturnRecord; onChange?: (ret: ReturnRecord) => void }) {
  const router = useRouter();
  const [errors, setErrors] = useState<ApiErrorItem[]>([]);
  const [busy, setBusy] = useState(false);

  async function withdraw() {
    setBusy(true);
    setErrors([]);
    const res = await callApi<ReturnRecord>('POST', returnPath(ret.id, 'cancel'));
    if (!res.ok) setErrors(res.errors);
    if (onChange) {
      if (res.ok) onChange(res.data);
      else {
        const current = await callApi<ReturnRecord>('GET', `/api/returns/${encodeURIComponent(ret.id)}`);
        if (current.ok) onChange(current.data);
      }
    } else router.refresh();
    setBusy(false);
  }

  return (
    <div className="actions">
      <button type="button" className="button-secondary" onClick={() => void withdraw()} disabled={busy}>
        {busy ? 'Withdrawing…' : 'Withdraw request'}
      </button>
      <FormErrors messages={errors.map((e) => e.message)} />
    </div>
  );
}

/**
 * The seller's steps on a return: Approve or Reject (with a message) a requested one; "Mark
 * received" an approved one, saying whether the units go back on sale. After each step the list is
 * read again (a refusal too: the return moved on meanwhile, and the list shows where it is).
 */
export function SellerReturnActions({ ret }: { ret: ReturnRecord }) {
  const router = useRouter();
  const [errors, setErrors] = useState<ApiErrorItem[]>([]);
  const [busy, setBusy] = useState<string | null>(null);
  const [rejecting, setRejecting] = useState(false);
  const formRef = useRef<HTMLFormElement>(null);
  const ids = { message: `reject-message-${ret.id}`, restock: `restock-${ret.id}` };

  async function step(name: 'approve' | 'reject' | 'receive', body?: unknown): Promise<void> {
    setBusy(name);
    setErrors([]);
    const res = await callApi<ReturnRecord>('POST', returnPath(ret.id, name), body);
    if (res.ok) {
      router.refresh();
      return;
    }
    showErrors(labelReturnErrors(res.errors));
    if (res.status === 409 || res.status === 404) router.refresh();
    setBusy(null);
  }

  function showErrors(list: ApiErrorItem[]) {
    setErrors(list);
    const first = messageFor(list, 'message') ? ids.message : messageFor(list, 'restock') ? `${ids.restock}-yes` : undefined;
    if (first) requestAnimationFrame(() => formRef.current?.querySelector<HTMLElement>(`#${first}`)?.focus());
  }

  function onReject(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const parsed = parseRejectForm({ message: String(new FormData(e.currentTarget).get(ids.message) ?? '') });
    if (!parsed.ok) return showErrors(parsed.errors);
    void step('reject', parsed.body);
  }

  function onReceive(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const value = new FormData(e.currentTarget).get(ids.restock);
    const parsed = parseReceiveForm({ restock: typeof value === 'string' ? value : null });
    if (!parsed.ok) return showErrors(parsed.errors);
    void step('receive', parsed.body);
  }

  if (ret.status === 'requested') {
    return (
      <div className="return-actions">
        <div className="actions">
          <button type="button" onClick={() => void step('approve')} disabled={busy !== null}>
            {busy === 'approve' ? 'Approving…' : 'Approve'}
          </button>
          {!rejecting ? (
            <button
              type="button"
              className="button-secondary"
              onClick={() => {
                setRejecting(true);
                requestAnimationFrame(() => document.getElementById(ids.message)?.focus());
              }}
              disabled={busy !== null}
            >
              Reject
            </button>
          ) : null}
        </div>
        {rejecting ? (
          <form ref={formRef} className="return-form" onSubmit={onReject} noValidate aria-label="Reject the return">
            <TextAreaField
              id={ids.message}
              label="Why is it rejected?"
              rows={3}
              required
              hint={`The buyer reads it (up to ${RETURN_LIMITS.maxMessageLength} characters).`}
              error={messageFor(errors, 'message')}
            />
            <div className="actions">
              <button type="submit" className="button-danger" disabled={busy !== null}>
                {busy === 'reject' ? 'Rejecting…' : 'Reject return'}
              </button>
              <button
                type="button"
                className="button-secondary"
                onClick={() => {
                  setRejecting(false);
                  setErrors([]);
                }}
                disabled={busy !== null}
              >
                Keep it open
              </button>
            </div>
          </form>
        ) : null}
        <FormErrors messages={generalMessages(errors, ['message'])} />
      </div>
    );
  }

  if (ret.status === 'approved') {
    const restockError = messageFor(errors, 'restock');
    return (
      <form ref={formRef} className="return-form" onSubmit={onReceive} noValidate aria-label="Mark the return received">
        <fieldset className="radio-group" aria-describedby={restockError ? `${ids.restock}-error` : `${ids.restock}-hint`}>
          <legend>Put the returned units back on sale?</legend>
          <label>
            <input type="radio" id={`${ids.restock}-yes`} name={ids.restock} value="yes" /> Yes, they can be sold again
          </label>
          <label>
            <input type="radio" id={`${ids.restock}-no`} name={ids.restock} value="no" /> No, keep them off sale
          </label>
        </fieldset>
        {restockError ? (
          <p id={`${ids.restock}-error`} className="field-error" role="alert" data-field-error="restock">
            {restockError}
          </p>
        ) : (
          <p id={`${ids.restock}-hint`} className="field-hint">
            Either way, the buyer is refunded once you mark it received.
          </p>
        )}
        <FormErrors messages={generalMessages(errors, ['restock'])} />
        <div className="actions">
          <button type="submit" disabled={busy !== null}>
            {busy === 'receive' ? 'Saving…' : 'Mark received'}
          </button>
        </div>
      </form>
    );
  }
  return null;
}
