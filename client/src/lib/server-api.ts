import http from 'node:http';
import https from 'node:https';
import { headers } from 'next/headers';
import { errorsFromBody, type ApiResult } from './errors';
import type { User } from './types';

/**
 * Server-side (SSR) calls to the jetmart API.
 *
 * The API is reached at API_BASE_URL: the local platform's entry (http://localhost:8080) or, in
 * Kubernetes, the ingress controller's in-cluster address. The user's Cookie and the Host they
 * asked for are forwarded so the ingress picks the right virtual host (jetmart.dev) and the
 * services see the user's session. node:http is used rather than fetch because fetch does not
 * let a caller set the Host header.
 */
const apiBase = () => new URL(process.env.API_BASE_URL || 'http://localhost:8080');
const TIMEOUT_MS = 10_000;

export async function serverApi<T>(path: string): Promise<ApiResult<T>> {
  const incoming = await headers();
  const forwarded: Record<string, string> = { accept: 'application/json' };
  const cookie = incoming.get('cookie');
  if (cookie) forwarded.cookie = cookie;
  const host = process.env.API_HOST || incoming.get('x-forwarded-host') || incoming.get('host');
  if (host) forwarded.host = host;
  const proto = incoming.get('x-forwarded-proto');
  if (proto) forwarded['x-forwarded-proto'] = proto;

  const base = apiBase();
  const url = new URL(path, base);
  const client = url.protocol === 'https:' ? https : http;
  return new Promise((resolve) => {
    const req = client.request(url, { method: 'GET', headers: forwarded, timeout: TIMEOUT_MS, servername: host?.split(':')[0] }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const status = res.statusCode ?? 0;
        let body: unknown = null;
        try {
          body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        } catch {
          body = null;
        }
        if (status >= 200 && status < 300) resolve({ ok: true, status, data: body as T });
        else resolve({ ok: false, status, errors: errorsFromBody(status, body) });
      });
      res.on('error', () => resolve({ ok: false, status: 0, errors: errorsFromBody(0, null) }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', () => resolve({ ok: false, status: 0, errors: errorsFromBody(0, null) }));
    req.end();
  });
}

/** The signed-in user, or null (also when auth cannot be reached: the page still renders). */
export async function getCurrentUser(): Promise<User | null> {
  const res = await serverApi<{ currentUser: User | null }>('/api/users/currentuser');
  return res.ok ? (res.data?.currentUser ?? null) : null;
}
