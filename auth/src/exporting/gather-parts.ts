/**
 * The other services' parts of a person's data export (SPEC invariant 13, issue 17). Each service
 * that holds personal data answers `GET /api/<resource>/me/export` for the signed-in caller; auth
 * asks every configured source with the caller's own session cookie, so each service decides for
 * itself whose data it returns (the same session check as its other routes) and auth never needs
 * a privileged channel into another service's data.
 *
 * All or nothing: a source that does not answer 200 with a JSON object in time fails the whole
 * export. A silently partial export would tell a person "this is everything we hold" when it is not.
 */

/** Keys auth writes itself: a part may not replace them. */
const OWN_KEYS = new Set(['exportedAt', 'user', 'addresses']);

export type GatherOutcome =
  | { kind: 'gathered'; parts: Record<string, unknown> }
  /** `source`: the URL that failed; `reason`: why (for the log; the person only learns that it failed). */
  | { kind: 'source-failed'; source: string; reason: string };

export interface GatherOptions {
  /** The parts' URLs (EXPORT_SOURCES), asked in parallel; their keys are merged in this order. */
  sources: readonly string[];
  /** The caller's Cookie header, forwarded as is. */
  cookie: string;
  timeoutMs: number;
  /** The request id, forwarded so the parts' logs join this request's. */
  requestId?: string;
}

async function askOne(
  url: string,
  opts: GatherOptions,
): Promise<{ ok: true; part: Record<string, unknown> } | { ok: false; reason: string }> {
  let res: Response;
  try {
    res = await fetch(url, {
      headers: { cookie: opts.cookie, accept: 'application/json', ...(opts.requestId ? { 'x-request-id': opts.requestId } : {}) },
      signal: AbortSignal.timeout(opts.timeoutMs),
      redirect: 'error',
    });
  } catch (err) {
    return { ok: false, reason: `unreachable: ${(err as Error).message}` };
  }
  if (res.status !== 200) {
    await res.body?.cancel();
    return { ok: false, reason: `answered ${res.status}` };
  }
  let body: unknown;
  try {
    body = await res.json();
  } catch {
    return { ok: false, reason: 'answered something that is not JSON' };
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return { ok: false, reason: 'answered JSON that is not an object' };
  return { ok: true, part: body as Record<string, unknown> };
}

export async function gatherExportParts(opts: GatherOptions): Promise<GatherOutcome> {
  const answers = await Promise.all(opts.sources.map((url) => askOne(url, opts)));
  const parts: Record<string, unknown> = {};
  for (const [i, answer] of answers.entries()) {
    const source = opts.sources[i];
    if (!answer.ok) return { kind: 'source-failed', source, reason: answer.reason };
    for (const [key, value] of Object.entries(answer.part)) {
      // Two sources (or a source and auth) claiming one section is a configuration mistake; merging
      // would silently drop one of them.
      if (OWN_KEYS.has(key) || Object.hasOwn(parts, key)) return { kind: 'source-failed', source, reason: `section "${key}" given twice` };
      parts[key] = value;
    }
  }
  return { kind: 'gathered', parts };
}
