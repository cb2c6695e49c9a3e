import { ratingText, starGlyphs } from '@/lib/catalog';
import type { RatingSummary } from '@jetmart/common/contracts';

/**
 * A rating as five stars and a count. The glyphs are decoration (aria-hidden); the sentence
 * beside them ("Rated 4.5 out of 5 (12 reviews)") is what a screen reader announces.
 */
export function Stars({
  rating,
  testId,
  compact,
  single,
}: {
  rating: RatingSummary;
  testId?: string;
  compact?: boolean;
  single?: boolean;
}) {
  // `single`: one review's own rating, which has no count to show.
  const text = single && rating.average !== null ? `Rated ${rating.average} out of 5` : ratingText(rating);
  return (
    <span className="rating" data-testid={testId} data-average={rating.average ?? ''} data-count={rating.count}>
      <span className="stars" aria-hidden="true">
        {starGlyphs(rating.average)}
      </span>{' '}
      {compact ? (
        <>
          <span className="visually-hidden">{text}</span>
          {rating.count > 0 && !single ? (
            <span aria-hidden="true" className="rating-count">
              ({rating.count})
            </span>
          ) : null}
        </>
      ) : (
        <span className="rating-text">{text}</span>
      )}
    </span>
  );
}
