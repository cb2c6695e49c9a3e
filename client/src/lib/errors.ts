import type { ApiErrorItem } from '@jetmart/common/contracts';

/** The outcome of an API call: the body on 2xx, else the status and the API's error list. */
export type ApiResult<T> = { ok: true; status: number; data: T } | { ok: false; status: number; errors: ApiErrorItem[] };

/** Turns any response body into the `{errors:[...]}` list, with a readable fallback. */
export function errorsFromBody(status: number, body: unknown): ApiErrorItem[] {
  const errors = (body as { errors?: unknown } | null)?.errors;
  if (Array.isArray(errors)) {
    const items = errors
      .filter((e): e is { message: unknown; field?: unknown } => typeof e === 'object' && e !== null && 'message' in e)
      .map((e) => ({ message: String(e.message), ...(typeof e.field === 'string' ? { field: e.field } : {}) }));
    if (items.length > 0) return items;
  }
  return [{ message: fallbackMessage(status) }];
}

export function fallbackMessage(status: number): string {
  if (status === 0) return 'Could not reach the shop. Check your connection and try again.';
  if (status === 401) return 'Please sign in first.';
  if (status === 403) return 'You are not allowed to do that.';
  if (status === 404) return 'Not found.';
  if (status === 429) return 'Too many requests. Please wait a moment and try again.';
  if (status >= 500) return 'The shop is having trouble right now. Please try again shortly.';
  return `Request failed (${status}).`;
}

/** The first message for a field, matching `field` exactly or as a prefix (`items.0` for `items.0.quantity`). */
export function messageFor(errors: ApiErrorItem[], field: string): string | undefined {
  return errors.find((e) => e.field === field || e.field?.startsWith(`${field}.`) || e.field?.startsWith(`${field}[`))?.message;
}

/** Messages that belong to none of the given fields: shown at the top of a form. */
export function generalMessages(errors: ApiErrorItem[], fields: string[]): string[] {
  return errors
    .filter((e) => !e.field || !fields.some((f) => e.field === f || e.field!.startsWith(`${f}.`) || e.field!.startsWith(`${f}[`)))
    .map((e) => e.message);
}
