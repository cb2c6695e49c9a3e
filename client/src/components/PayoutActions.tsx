'use client';

import { useRouter } from 'next/navigation';
import { useRef, useState, type FormEvent } from 'react';
import type { ApiErrorItem } from '@jetmart/common/contracts';
import { callApi } from '@/lib/client-api';
import { formatMoney } from '@/lib/money';
import { parseStripeAccountId, type Payout, type SellerAccount } from '@/lib/sellers';
import { Field, FormErrors } from './Field';

/** The payments service's refusal of an account that has not verified its email (contracts.md). */
const isUnverified = (status: number) => status === 403;

/** Shown when payments refuses because the email address is not verified yet. */
export function VerifyEmailNotice() {
  return (
    <div className="notice" role="alert" data-testid="verify-email-notice">
      <p>
        <strong>Verify your email address before receiving payouts.</strong> Follow the link in the message we sent when you signed up; then
        you can add your payout account and ask for payouts.
      </p>
    </div>
  );
}

/**
 * The connected Stripe account the payouts go to (PUT /api/sellers/me/account). `pageNotice`: the
 * page already says the email is not verified, so a refusal only repeats payments' message here.
 */
export function PayoutAccountForm({ current, pageNotice = false }: { current: string | null; pageNotice?: boolean }) {
  const router = useRouter();
  const formRef = useRef<HTMLFormElement>(null);
  const [error, setError] = useState<string>();
  const [general, setGeneral] = useState<ApiErrorItem[]>([]);
  const [unverified, setUnverified] = useState(false);
  const [saved, setSaved] = useState(false);
  const [busy, setBusy] = useState(false);

  async function onSubmit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    setSaved(false);
    setGeneral([]);
    const parsed = parseStripeAccountId(String(new FormData(e.currentTarget).get('stripeAccountId') ?? ''));
    if (!parsed.ok) {
      setError(parsed.message);
      requestAnimationFrame(() => formRef.current?.querySelector<HTMLElement>('#stripeAccountId')?.focus());
      return;
    }
    setError(undefined);
    setBusy(true);
    const res = await callApi<SellerAccount>('PUT', '/api/sellers/me/account', { stripeAccountId: parsed.id });
    setBusy(false);
    if (res.ok) {
      setSaved(true);
      router.refresh();
      return;
    }
    if (isUnverified(res.status) && !pageNotice) return setUnverified(true);
    const onField = res.errors.find((x) => x.field === 'stripeAccountId');
    if (onField) setError(onField.message);
    setGeneral(res.errors.filter((x) => x.field !== 'stripeAccountId'));
  }

  return (
    <form ref={formRef} className="form" onSubmit={onSubmit} noValidate aria-label="Payout account" data-testid="payout-account-form">
      {unverified ? <VerifyEmailNotice /> : null}
      <Field
        id="stripeAccountId"
        label="Stripe account id"
        type="text"
        autoComplete="off"
        spellCheck={false}
        defaultValue={current ?? ''}
        placeholder="acct_…"
        required
        hint="The connected Stripe account your payouts are transferred to (starts with acct_)."
        error={error}
      />
      <FormErrors messages={general.map((g) => g.message)} />
      <div className="actions">
        <button type="submit" disabled={busy}>
          {busy ? 'Saving…' : current ? 'Change account' : 'Save account'}
        </button>
        {saved ? (
          <span className="success" role="status" data-testid="account-saved">
            Saved.
          </span>
        ) : null}
      </div>
    </form>
  );
}

/**
 * "Pay out available balance" (POST /api/payouts): the payments service transfers exactly what is
 * available, never more, and answers 409 when there is nothing to pay out or no account.
 */
export function PayoutButton({ available }: { available: number }) {
  const router = useRouter();
  const [busy, setBusy] = useState(false);
  const [errors, setErrors] = useState<ApiErrorItem[]>([]);
  const [unverified, setUnverified] = useState(false);
  const [done, setDone] = useState<Payout | null>(null);

  async function payOut() {
    setBusy(true);
    setErrors([]);
    setDone(null);
    const res = await callApi<Payout>('POST', '/api/payouts', {});
    setBusy(false);
    if (res.ok) setDone(res.data);
    else if (isUnverified(res.status)) setUnverified(true);
    else setErrors(res.errors);
    router.refresh();
  }

  return (
    <div className="payout-action">
      {unverified ? <VerifyEmailNotice /> : null}
      <div className="actions">
        <button type="button" onClick={() => void payOut()} disabled={busy || available <= 0}>
          {busy ? 'Paying out…' : 'Pay out available balance'}
        </button>
        {available <= 0 ? <span className="muted">Nothing is available to pay out yet.</span> : null}
      </div>
      {done ? (
        <p className="success" role="status" data-testid="payout-done">
          {formatMoney(done.amount)} is on its way to your Stripe account.
        </p>
      ) : null}
      <FormErrors messages={errors.map((e) => e.message)} />
    </div>
  );
}
