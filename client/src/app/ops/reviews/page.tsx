import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import type { ReviewRecord } from '@jetmart/common/contracts';
import { LocalDateTime } from '@/components/LocalDateTime';
import { reportedReviews, refused } from '../lib/ops';
import { ModerateReview } from './ModerateReview';

export const metadata: Metadata = { title: 'Reported reviews' };
export const dynamic = 'force-dynamic';

const DECIDED: Record<string, string> = {
  restored: 'The review is visible again and counts in the rating.',
  removed: 'The review was removed.',
};

/** The author as the page names them: reviews of deleted accounts stay, anonymised. */
const authorOf = (r: ReviewRecord) => (r.userId ? `user …${r.userId.slice(-6)}` : 'a deleted account');

/**
 * Reviews hidden after enough reports (REVIEW_LIMITS.hideAfterReports), newest first, until an admin
 * restores or removes each. Admins only, like /ops: proxy.ts answers everyone else with a 404, and
 * should the products service refuse anyway (401/403) the page is not found either.
 */
export default async function ReportedReviewsPage({
  searchParams,
}: {
  searchParams: Promise<{ cursor?: string | string[]; decided?: string | string[] }>;
}) {
  const params = await searchParams;
  const cursor = typeof params.cursor === 'string' ? params.cursor : undefined;
  const reviews = await reportedReviews(cursor);
  if (refused(reviews)) notFound();
  const decided = typeof params.decided === 'string' ? DECIDED[params.decided] : undefined;

  return (
    <div data-testid="reported-reviews-page">
      <p>
        <Link href="/ops">← Operations</Link>
      </p>
      <h1>Reported reviews</h1>
      {decided ? (
        <p role="status" data-testid="review-decided">
          {decided}
        </p>
      ) : null}
      {!reviews.ok ? (
        <p className="notice" role="alert">
          Reported reviews unavailable: {reviews.errors.map((e) => e.message).join('; ')}
        </p>
      ) : reviews.data.items.length === 0 ? (
        <p data-testid="no-reported-reviews">No review is waiting for a decision.</p>
      ) : (
        <>
          <table className="lines" aria-label="Hidden reviews waiting for a decision">
            <thead>
              <tr>
                <th scope="col">Product</th>
                <th scope="col">Review</th>
                <th scope="col" className="num">
                  Reports
                </th>
                <th scope="col">Written</th>
                <th scope="col">Decision</th>
              </tr>
            </thead>
            <tbody>
              {reviews.data.items.map((r) => (
                <tr key={r.id} data-testid="reported-review" data-review={r.id}>
                  <td data-label="Product">
                    <Link href={`/products/${encodeURIComponent(r.productId)}`}>{r.productId}</Link>
                  </td>
                  <td data-label="Review">
                    {r.rating} of 5 by {authorOf(r)}: {r.text}
                  </td>
                  <td data-label="Reports" className="num">
                    {r.reportCount}
                  </td>
                  <td data-label="Written">
                    <LocalDateTime iso={r.createdAt} />
                  </td>
                  <td data-label="Decision">
                    <ModerateReview reviewId={r.id} author={authorOf(r)} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {reviews.data.nextCursor ? (
            <p>
              <Link href={`/ops/reviews?cursor=${encodeURIComponent(reviews.data.nextCursor)}`}>Older reported reviews</Link>
            </p>
          ) : null}
        </>
      )}
    </div>
  );
}
