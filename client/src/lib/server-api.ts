import { headers } from 'next/headers';
import { apiGet } from './api-request';
import type { ApiResult } from './errors';
import type { User } from '@jetmart/common/contracts';

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
