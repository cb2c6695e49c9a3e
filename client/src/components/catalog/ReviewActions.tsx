'use client';

import { useRouter } from 'next/navigation';
import { useState, type FormEvent } from 'react';
import { REVIEW_LIMITS, type ApiErrorItem } from '@jetmart/common/contracts';
import { callApi } from '@/lib/client-api';
import { FormErrors, TextAreaField } from '../Field';

/**
 * Reporting a review (any signed-in person but its author): POST /api/reviews/:id/report. After
 * enough distinct reports the review is hidden until an admin decides; the reporter is told
 * their report is counted, nothing more.
 */
export function ReportReview({ reviewId }: { reviewId: string }) {
  const [errors, setErrors] = useState<ApiErrorItem[]>([]);
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState(false);

  async function onSubmit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const reason = String(new FormData(e.currentTarget).get('reason') ?? '').trim();
    setBusy(true);
    setErrors([]);
    const res = await callApi('POST', `/api/reviews/${encodeURIComponent(reviewId)}/report`, reason ? { reason } : {});
    setBusy(false);
    if (!res.ok) return setErrors(res.errors);
    setDone(true);
  }

  if (done) {
    return (
      <p role="status" className="muted" data-testid="review-reported">
        Thank you: the review is reported to our moderators.
      </p>
    );
  }
  const id = `report-${reviewId}`;
  return (
    <details className="review-action">
      <summary>Report</summary>
      <form onSubmit={onSubmit} noValidate aria-label="Report this review">
        <TextAreaField id={id} name="reason" label="Why? (optional)" rows={2} maxLength={REVIEW_LIMITS.maxReportReason} />
        <FormErrors messages={errors.map((e) => e.message)} />
        <button type="submit" className="button-secondary button-small" disabled={busy}>
          {busy ? 'Sending…' : 'Send report'}
        </button>
      </form>
    </details>
  );
}

/** The seller's one public reply to a review: POST /api/reviews/:id/reply. */
export function ReplyToReview({ reviewId }: { reviewId: string }) {
  const router = useRouter();
  const [errors, setErrors] = useState<ApiErrorItem[]>([]);
  const [busy, setBusy] = useState(false);

  async function onSubmit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const text = String(new FormData(e.currentTarget).get('reply') ?? '').trim();
    if (!text) return setErrors([{ field: 'reply', message: 'Write your reply first.' }]);
    if (text.length > REVIEW_LIMITS.maxReply) {
      return setErrors([
        { field: 'reply', message: `A reply can have at most ${REVIEW_LIMITS.maxReply} characters (it has ${text.length}).` },
      ]);
    }
    setBusy(true);
    setErrors([]);
    const res = await callApi('POST', `/api/reviews/${encodeURIComponent(reviewId)}/reply`, { text });
    setBusy(false);
    if (!res.ok) return setErrors(res.errors);
    router.refresh();
  }

  const id = `reply-${reviewId}`;
  const fieldError = errors.find((e) => e.field === 'reply' || e.field === 'text')?.message;
  return (
    <details className="review-action">
      <summary>Reply</summary>
      <form onSubmit={onSubmit} noValidate aria-label="Reply to this review">
        <TextAreaField
          id={id}
          name="reply"
          label="Your reply (shown under the review)"
          rows={3}
          maxLength={REVIEW_LIMITS.maxReply}
          error={fieldError}
        />
        <FormErrors messages={errors.filter((e) => e.message !== fieldError).map((e) => e.message)} />
        <button type="submit" className="button-small" disabled={busy}>
          {busy ? 'Sending…' : 'Post reply'}
        </button>
      </form>
    </details>
  );
}
