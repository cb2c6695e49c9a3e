'use client';

import { useRouter } from 'next/navigation';
import { useState, type FormEvent } from 'react';
import { REVIEW_LIMITS, type ApiErrorItem, type ReviewRecord } from '@jetmart/common/contracts';
import { callApi } from '@/lib/client-api';
import { generalMessages, messageFor } from '@/lib/errors';
import { parseReviewForm } from '@/lib/reviews';
import { FormErrors, TextAreaField } from '../Field';

/**
 * A buyer's review of a product they received: POST /api/products/:id/reviews, or, when they
 * already wrote one, PATCH /api/reviews/:id (one review per buyer and product, editable).
 */
export function ReviewForm({ productId, review }: { productId: string; review: ReviewRecord | null }) {
  const router = useRouter();
  const [errors, setErrors] = useState<ApiErrorItem[]>([]);
  const [busy, setBusy] = useState(false);
  // The message is chosen when saving: after the refresh the same form edits the review just posted.
  const [saved, setSaved] = useState<string | null>(null);
  const editing = review !== null;

  async function onSubmit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    const parsed = parseReviewForm({ rating: form.get('rating'), text: String(form.get('text') ?? '') });
    if (!parsed.ok) return setErrors(parsed.errors);
    setBusy(true);
    setErrors([]);
    setSaved(null);
    const res = editing
      ? await callApi<ReviewRecord>('PATCH', `/api/reviews/${encodeURIComponent(review.id)}`, parsed.body)
      : await callApi<ReviewRecord>('POST', `/api/products/${encodeURIComponent(productId)}/reviews`, parsed.body);
    setBusy(false);
    if (!res.ok) return setErrors(res.errors);
    setSaved(editing ? 'Your review is updated.' : 'Thank you: your review is posted.');
    router.refresh();
  }

  const ratingError = messageFor(errors, 'rating');
  return (
    <form className="form review-form" onSubmit={onSubmit} noValidate aria-labelledby="review-form-title" data-testid="review-form">
      <h3 id="review-form-title">{editing ? 'Edit your review' : 'Write a review'}</h3>
      <fieldset
        className={`field rating-input${ratingError ? ' field-invalid' : ''}`}
        aria-describedby={ratingError ? 'rating-error' : undefined}
      >
        <legend>Your rating</legend>
        {[5, 4, 3, 2, 1].map((n) => (
          <label key={n} className="rating-option">
            <input type="radio" name="rating" value={n} defaultChecked={review?.rating === n} />
            <span aria-hidden="true">{'★'.repeat(n)}</span> {n} star{n === 1 ? '' : 's'}
          </label>
        ))}
        {ratingError ? (
          <p id="rating-error" className="field-error" role="alert">
            {ratingError}
          </p>
        ) : null}
      </fieldset>
      <TextAreaField
        id="text"
        label="Your review"
        defaultValue={review?.text}
        maxLength={REVIEW_LIMITS.maxText}
        hint={`What did you like or not? Up to ${REVIEW_LIMITS.maxText.toLocaleString('en-US')} characters.`}
        error={messageFor(errors, 'text')}
      />
      <FormErrors messages={generalMessages(errors, ['rating', 'text'])} />
      <div className="actions" style={{ marginTop: 0 }}>
        <button type="submit" disabled={busy}>
          {busy ? 'Saving…' : editing ? 'Save review' : 'Post review'}
        </button>
        {saved ? (
          <p role="status" className="notice" data-testid="review-saved">
            {saved}
          </p>
        ) : null}
      </div>
    </form>
  );
}
