import type { OpsDeadLetterPage, OpsStatus, ReviewPage } from '@jetmart/common/contracts';
import { serverApi } from '@/lib/server-api';
import type { ApiResult } from '@/lib/errors';
import type { CommissionReport } from '@/lib/sellers';

/**
 * The operations page's reads: the ops service's API (/api/ops), called from the storefront's
 * server with the visitor's cookie. The ops service decides who is an admin and is the only part
 * of jetmart that reads NATS for people; the storefront never connects to it.
 */

/** How many dead letters the page shows (the oldest). */
export const DEAD_LETTERS_SHOWN = 100;

export const opsStatus = (): Promise<ApiResult<OpsStatus>> => serverApi<OpsStatus>('/api/ops/status');

export const deadLetters = (): Promise<ApiResult<OpsDeadLetterPage>> =>
  serverApi<OpsDeadLetterPage>(`/api/ops/deadletters?limit=${DEAD_LETTERS_SHOWN}`);

/** How many days of platform commission the page shows. */
export const COMMISSION_DAYS = 30;

/** The platform's commission per day, from the payments service's ledger (ADMIN_EMAILS only). */
export const commission = (): Promise<ApiResult<CommissionReport>> =>
  serverApi<CommissionReport>(`/api/payments/commission?days=${COMMISSION_DAYS}`);

/** Signed out or not an admin, as the ops service answered: the page does not exist for them. */
export const refused = (r: ApiResult<unknown>): boolean => !r.ok && (r.status === 401 || r.status === 403);

/** How many hidden reviews the moderation page shows at a time (one page of the API at a time). */
export const REPORTED_REVIEWS_SHOWN = 50;

export type ReportedReviews = Pick<ReviewPage, 'items' | 'nextCursor'>;

/** Reviews hidden by reports, waiting for an admin to restore or remove them (products service). */
export const reportedReviews = (cursor?: string): Promise<ApiResult<ReportedReviews>> =>
  serverApi<ReportedReviews>(
    `/api/reviews/reported?${new URLSearchParams({ limit: String(REPORTED_REVIEWS_SHOWN), ...(cursor ? { cursor } : {}) })}`,
  );
