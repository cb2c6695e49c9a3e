import { headers } from 'next/headers';
import { apiGet } from './api-request';
import type { ApiResult } from './errors';
import { unreadFrom } from './notifications';
import type { NotificationFeed, User } from '@jetmart/common/contracts';

/**
 * Server-side (SSR) calls to the jetmart API.
 *
 * The API is reached at API_BASE_URL: the local platform's entry (http://localhost:8080) or, in
 * Kubernetes, the ingress controller's in-cluster address, with the user's Cookie and Host
 * forwarded (see api-request.ts).
 */
export async function serverApi<T>(path: string): Promise<ApiResult<T>> {
  return apiGet<T>(path, await headers());
}

/** The signed-in user, or null (also when auth cannot be reached: the page still renders). */
export async function getCurrentUser(): Promise<User | null> {
  const res = await serverApi<{ currentUser: User | null }>('/api/users/currentuser');
  return res.ok ? (res.data?.currentUser ?? null) : null;
}

/** How long every page waits for the bell's count before rendering without it. */
const UNREAD_TIMEOUT_MS = 2_000;

/**
 * The signed-in person's unread notifications for the header's bell, or null when they cannot be
 * known (signed out, or the notifications service down or slow): the page renders without a count.
 */
export async function getUnreadNotifications(): Promise<number | null> {
  const res = await apiGet<NotificationFeed>('/api/notifications', await headers(), { timeoutMs: UNREAD_TIMEOUT_MS });
  return res.ok ? unreadFrom(res.data) : null;
}
