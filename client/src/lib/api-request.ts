import http from 'node:http';
import https from 'node:https';
import { errorsFromBody, type ApiResult } from './errors';

/**
 * One GET to the jetmart API at API_BASE_URL on behalf of an incoming request: its Cookie, the
 * Host it asked for (or API_HOST) and X-Forwarded-Proto are forwarded, so the ingress picks the
 * right virtual host (jetmart.dev) and the services see the user's session. node:http is used
 * rather than fetch because fetch does not let a caller set the Host header.
 *
 * Used by server components (server-api.ts, with `headers()`) and by proxy.ts (with the request's
 * headers), which runs before rendering and cannot call `headers()`.
 */
const apiBase = () => new URL(process.env.API_BASE_URL || 'http://localhost:8080');
const TIMEOUT_MS = 10_000;

/** The incoming request's headers, as `headers()` or `NextRequest.headers` give them. */
export interface IncomingHeaders {
  get(name: string): string | null;
}

export interface ApiGetOptions {
  /** Give up sooner than the default (status 0), for what a page can render without. */
  timeoutMs?: number;
}

export function apiGet<T>(path: string, incoming: IncomingHeaders, options: ApiGetOptions = {}): Promise<ApiResult<T>> {
  return apiRequest<T>('GET', path, incoming, undefined, options);
}

/** A request body: raw bytes (an uploaded file, sent as it came) or a value sent as JSON. */
export type ApiBody = { bytes: Uint8Array; contentType: string } | { json: unknown };

/**
 * One request with a body on behalf of an incoming request (same forwarding as apiGet): the
 * storefront's route handlers use it for what a plain HTML form sends, such as a seller's photo
 * upload, which must work without JavaScript.
 */
export function apiSend<T>(
  method: 'POST' | 'PUT' | 'PATCH' | 'DELETE',
  path: string,
  incoming: IncomingHeaders,
  body?: ApiBody,
): Promise<ApiResult<T>> {
  return apiRequest<T>(method, path, incoming, body);
}

function apiRequest<T>(
  method: string,
  path: string,
  incoming: IncomingHeaders,
  body: ApiBody | undefined,
  options: ApiGetOptions = {},
): Promise<ApiResult<T>> {
  const timeout = options.timeoutMs ?? TIMEOUT_MS;
  const forwarded: Record<string, string> = { accept: 'application/json' };
  const cookie = incoming.get('cookie');
  if (cookie) forwarded.cookie = cookie;
  const host = process.env.API_HOST || incoming.get('x-forwarded-host') || incoming.get('host');
  if (host) forwarded.host = host;
  const proto = incoming.get('x-forwarded-proto');
  if (proto) forwarded['x-forwarded-proto'] = proto;
  let payload: Buffer | undefined;
  if (body && 'bytes' in body) {
    payload = Buffer.from(body.bytes.buffer, body.bytes.byteOffset, body.bytes.byteLength);
    forwarded['content-type'] = body.contentType;
  } else if (body) {
    payload = Buffer.from(JSON.stringify(body.json));
    forwarded['content-type'] = 'application/json';
  }
  if (payload) forwarded['content-length'] = String(payload.length);

  const url = new URL(path, apiBase());
  const client = url.protocol === 'https:' ? https : http;
  return new Promise((resolve) => {
    const req = client.request(url, { method, headers: forwarded, timeout, servername: host?.split(':')[0] }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const status = res.statusCode ?? 0;
        let parsed: unknown = null;
        try {
          parsed = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        } catch {
          parsed = null;
        }
        if (status >= 200 && status < 300) resolve({ ok: true, status, data: parsed as T });
        else resolve({ ok: false, status, errors: errorsFromBody(status, parsed) });
      });
      res.on('error', () => resolve({ ok: false, status: 0, errors: errorsFromBody(0, null) }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', () => resolve({ ok: false, status: 0, errors: errorsFromBody(0, null) }));
    req.end(payload);
  });
}
