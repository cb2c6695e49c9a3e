import { REVIEW_LIMITS, type ApiErrorItem } from '@jetmart/common/contracts';

/**
 * The review form: what the buyer chose and typed → the API's body, or messages on the fields.
 * The API checks the same rules again (REVIEW_LIMITS is shared).
 */
export interface ReviewBody {
  rating: number;
  text: string;
}

export type ParsedReview = { ok: true; body: ReviewBody } | { ok: false; errors: ApiErrorItem[] };

export function parseReviewForm(input: { rating: unknown; text: string }): ParsedReview {
  const errors: ApiErrorItem[] = [];
  const rating = Number(input.rating);
  if (input.rating === null || input.rating === undefined || input.rating === '') {
    errors.push({ field: 'rating', message: 'Choose a rating from 1 to 5 stars.' });
  } else if (!Number.isInteger(rating) || rating < REVIEW_LIMITS.minRating || rating > REVIEW_LIMITS.maxRating) {
    errors.push({ field: 'rating', message: `A rating is ${REVIEW_LIMITS.minRating} to ${REVIEW_LIMITS.maxRating} stars.` });
  }
  const text = input.text.trim();
  if (text === '') errors.push({ field: 'text', message: 'Write a few words about the product.' });
  else if (text.length > REVIEW_LIMITS.maxText) {
    errors.push({
      field: 'text',
      message: `A review can have at most ${REVIEW_LIMITS.maxText.toLocaleString('en-US')} characters (it has ${text.length.toLocaleString('en-US')}).`,
    });
  }
  if (errors.length > 0) return { ok: false, errors };
  return { ok: true, body: { rating, text } };
}
