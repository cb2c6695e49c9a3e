import type { Request, RequestHandler } from 'express';
import { z } from 'zod';
import { RequestValidationError, type ErrorItem } from '../errors';

function toItems(error: z.ZodError): ErrorItem[] {
  return error.issues.map((issue) => {
    const field = issue.path.map(String).join('.');
    return field ? { message: issue.message, field } : { message: issue.message };
  });
}

/** Parses `input` with `schema` or throws a 400 naming each bad field. */
export function parseOrThrow<S extends z.ZodType>(schema: S, input: unknown): z.infer<S> {
  const result = schema.safeParse(input);
  if (!result.success) throw new RequestValidationError(toItems(result.error));
  return result.data;
}

/**
 * Path of the first string (key or value) in `value` that cannot be stored as text: one that is
 * not well-formed Unicode (a lone surrogate such as "\ud800", which JSON allows as an escape: the
 * driver would replace it with U+FFFD), or one holding the NUL character (U+0000), which
 * PostgreSQL's text and jsonb cannot hold (FerretDB's storage: the write fails). Refused with a
 * 400 instead of changed silently or failing as a 500.
 */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const wellFormed = (s: string) => !s.includes('\u0000') && !LONE_SURROGATE.test(s);

const TEXT_MESSAGE = 'Text must be valid Unicode without NUL characters';

export function malformedTextPath(value: unknown, path: string[] = [], depth = 0): string[] | undefined {
  if (typeof value === 'string') return wellFormed(value) ? undefined : path;
  if (value === null || typeof value !== 'object' || depth > 64) return undefined;
  for (const [k, v] of Object.entries(value)) {
    if (!wellFormed(k)) return [...path, k];
    const found = malformedTextPath(v, [...path, k], depth + 1);
    if (found) return found;
  }
  return undefined;
}

/**
 * Validates the JSON body and replaces it with the parsed value, so handlers only ever see
 * known fields of the right types (this is also what stops `{"$gt": ""}` reaching a query).
 */
export function validateBody(schema: z.ZodType): RequestHandler {
  return (req, _res, next) => {
    if (req.body === undefined || req.body === null || typeof req.body !== 'object' || Array.isArray(req.body)) {
      throw new RequestValidationError([{ message: 'Expected a JSON object body (Content-Type: application/json)' }]);
    }
    const bad = malformedTextPath(req.body);
    if (bad) {
      const field = bad.join('.');
      throw new RequestValidationError([field ? { message: TEXT_MESSAGE, field } : { message: TEXT_MESSAGE }]);
    }
    req.body = parseOrThrow(schema, req.body);
    next();
  };
}

/** Express 5's `req.query` is read-only: parse it where it is used. */
export function parseQuery<S extends z.ZodType>(schema: S, req: Request): z.infer<S> {
  const parsed = parseOrThrow(schema, req.query);
  // Only what the route reads: parameters it does not know are ignored, whatever they hold. The
  // field is the parameter's name (`?a[b]=x` is still `a` to a client).
  const bad = malformedTextPath(parsed);
  if (bad) throw new RequestValidationError([{ message: TEXT_MESSAGE, field: bad[0]! }]);
  return parsed;
}

/** Route parameter that must be a Mongo ObjectId; anything else is a plain 404 (ids are opaque). */
export const objectIdPattern = /^[a-f0-9]{24}$/i;
