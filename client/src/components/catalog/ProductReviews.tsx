import Link from 'next/link';
import { LocalDateTime } from '@/components/LocalDateTime';
import { signinUrl } from '@/lib/redirect';
import type { ApiResult } from '@/lib/errors';
import type { MyReview, RatingSummary, ReviewPage, User } from '@jetmart/common/contracts';
import { ReportReview, ReplyToReview } from './ReviewActions';
import { ReviewForm } from './ReviewForm';
import { Stars } from './Stars';

interface Props {
  productId: string;
  rating: RatingSummary;
  reviews: ApiResult<ReviewPage>;
  /** GET …/reviews/mine for a signed-in person who is not the seller; null otherwise. */
  mine: ApiResult<MyReview> | null;
  user: User | null;
  isSeller: boolean;
  /** The reviews page shown (`?reviews=<cursor>`), undefined for the first. */
  cursor?: string;
}

/**
 * The product's reviews: the summary, the review form for a buyer who received the product (or
 * their own review to edit), the visible reviews with the seller's replies, a report button for
 * everyone signed in but the author, and a reply form for the seller.
 */
export function ProductReviews({ productId, rating, reviews, mine, user, isSeller, cursor }: Props) {
  const here = `/products/${productId}`;
  return (
    <section className="panel reviews" aria-labelledby="reviews-title" data-testid="reviews">
      <h2 id="reviews-title">Reviews</h2>
      <p className="rating-summary">
        <Stars rating={rating} testId="rating-summary" />
      </p>

      {!user ? (
        <p className="muted">
          <Link href={signinUrl(here)}>Sign in</Link> to review a product you received.
        </p>
      ) : isSeller ? null : mine === null || !mine.ok ? (
        <p className="muted">Reviews cannot be written right now.</p>
      ) : mine.data.eligible || mine.data.review ? (
        <ReviewForm productId={productId} review={mine.data.review} />
      ) : (
        <p className="muted" data-testid="review-not-eligible">
          Only buyers who received this product can review it.
        </p>
      )}

      {!reviews.ok ? (
        <p className="muted">Reviews could not be loaded.</p>
      ) : reviews.data.items.length === 0 ? (
        <p className="muted" data-testid="no-reviews">
          {cursor ? 'No more reviews.' : 'No reviews yet.'}
        </p>
      ) : (
        <ol className="review-list" aria-label="Reviews of this product">
          {reviews.data.items.map((review) => {
            const own = user !== null && review.userId === user.id;
            return (
              <li key={review.id}>
                <article className="review" data-testid="review" data-review-id={review.id} data-rating={review.rating}>
                  <header>
                    <Stars rating={{ average: review.rating, count: 1 }} compact single />
                    <span className="review-meta">
                      {own ? 'Your review' : review.userId ? 'Verified buyer' : 'Former customer'} ·{' '}
                      <LocalDateTime iso={review.createdAt} />
                    </span>
                  </header>
                  <p className="review-text">{review.text}</p>
                  {review.reply ? (
                    <div className="review-reply" data-testid="review-reply">
                      <p className="review-meta">Reply from the seller</p>
                      <p>{review.reply.text}</p>
                    </div>
                  ) : null}
                  <div className="review-actions">
                    {user && !own ? <ReportReview reviewId={review.id} /> : null}
                    {isSeller && !review.reply ? <ReplyToReview reviewId={review.id} /> : null}
                  </div>
                </article>
              </li>
            );
          })}
        </ol>
      )}
      {reviews.ok && (cursor || reviews.data.nextCursor) ? (
        <nav className="pager" aria-label="Review pages">
          {cursor ? (
            <Link href={`${here}#reviews-title`} scroll={false}>
              ← Latest reviews
            </Link>
          ) : (
            <span />
          )}
          {reviews.data.nextCursor ? (
            <Link href={`${here}?${new URLSearchParams({ reviews: reviews.data.nextCursor })}#reviews-title`} rel="next">
              More reviews →
            </Link>
          ) : null}
        </nav>
      ) : null}
    </section>
  );
}
