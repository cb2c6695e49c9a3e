/**
 * Hostile HTTP input (SPEC invariant 6): fast-check arbitraries for values no route should trust,
 * and the assertions every service's hostile-input test makes about the answers.
 *
 * Needs `fast-check` (an optional peer dependency of @jetmart/common: install it next to jest to
 * use `@jetmart/common/testing`).
 */
import fc from 'fast-check';

/** NoSQL query operator objects. */
export const hostileOperator = fc.constantFrom<unknown>(
  { $gt: '' },
  { $ne: null },
  { $where: 'sleep(1000)' },
  { $regex: '.*' },
  { $in: [] },
  { $exists: true },
);

/** Unicode edge cases (lone surrogates included), path and operator look-alikes, very long strings. */
export const weirdString = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 50 }),
  fc.string({ unit: 'binary', maxLength: 50 }), // any code point, lone surrogates included
  fc.constantFrom(
    '',
    ' ',
    '\u0000',
    '\u202e',
    '\ud800',
    '\udfff',
    '💥'.repeat(300),
    'a\u0301'.repeat(150),
    '$gt',
    '{"$gt":""}',
    '__proto__',
    '../../etc/passwd',
    '%00',
  ),
  fc.integer({ min: 199, max: 100_000 }).map((n) => 'x'.repeat(n)),
);

/** Values that are never valid for a typed field (string or number). */
export const wrongType = fc.oneof(
  hostileOperator,
  fc.constant(null),
  fc.boolean(),
  fc.array(fc.jsonValue(), { maxLength: 5 }),
  fc.dictionary(fc.string({ maxLength: 5 }), fc.jsonValue(), { maxKeys: 3 }).filter((d) => Object.keys(d).length > 0),
  fc.constantFrom<unknown>({ __proto__: { admin: true } }, JSON.parse('{"__proto__": {"polluted": 1}}'), {
    constructor: { prototype: { x: 1 } },
  }),
);

/** Numbers at the edges: huge, tiny, negative zero, beyond 2^53, fractional. */
export const weirdNumber = fc.oneof(
  fc.double({ noNaN: true }),
  fc.constantFrom(-0, 1e308, -1e308, 2 ** 53 + 1, 0.001, 1e-9, 1_000_000.001),
  fc.integer(),
);

/** Any of the above, or any JSON value. */
export const anyValue = fc.oneof(wrongType, weirdString, weirdNumber, fc.jsonValue());

/**
 * An address (shipping address, address book entry) with random fields and values: either a bag
 * of random keys (`extraKey`) and values, or `valid` with any of its seven fields replaced by a
 * hostile string. Each field is hostile or left valid: with all seven hostile at once nearly every
 * address is refused (text with NUL or a lone surrogate, over-long), and the accepted side of the
 * property goes untested.
 */
export function hostileAddress(valid: object, extraKey: fc.Arbitrary<string>): fc.Arbitrary<Record<string, unknown>> {
  return fc.oneof(
    fc.dictionary(extraKey, anyValue),
    fc
      .record(
        {
          name: weirdString,
          line1: weirdString,
          line2: weirdString,
          city: weirdString,
          postalCode: weirdString,
          phone: weirdString,
          country: fc.oneof(fc.constantFrom('GB', 'DE', 'JP'), weirdString),
        },
        { requiredKeys: [] },
      )
      .map((r) => ({ ...valid, ...r })),
  );
}

/** Ids for path segments: weird strings, and well-formed ids that exist nowhere (one with a trailing space). */
export const hostileId = fc.oneof(
  weirdString.filter((s) => s.length < 2000),
  fc.constantFrom('000000000000000000000000', 'ffffffffffffffffffffffff', '64b0000000000000000000aa '),
);

/** Raw request bodies: malformed and truncated JSON, non-objects, deep nesting. */
export const rawBody = fc.oneof(
  fc.string({ maxLength: 200 }),
  fc.constantFrom(
    '{',
    '{"title":',
    '[1,2',
    'null',
    'true',
    '"str"',
    '123',
    '{"a":1}}',
    '\u0000',
    '{"title":"x",}',
    "{'title':'x'}",
    '['.repeat(5000) + ']'.repeat(5000),
  ),
  fc.jsonValue().map((v) => JSON.stringify(v).slice(0, -1)), // truncated JSON
);

/** `Cookie` header values with a forged, garbled or oversized session. */
export const hostileCookie = fc.oneof(
  fc.string({ maxLength: 100 }).map((s) => `session=${encodeURIComponent(s)}`),
  fc.jsonValue().map((v) => `session=${Buffer.from(JSON.stringify(v) ?? '').toString('base64')}`),
  fc.string({ maxLength: 100 }).map((s) => `session=${Buffer.from(JSON.stringify({ jwt: s })).toString('base64')}`),
  fc.constantFrom('session=', 'session=%', 'session=e30', `session=${'A'.repeat(8000)}`),
);

/** Percent-encodes every UTF-8 byte (lone surrogates included, which encodeURIComponent refuses). */
export const percentEncode = (s: string): string => [...Buffer.from(s, 'utf8')].map((b) => `%${b.toString(16).padStart(2, '0')}`).join('');

/** Path segments that are not even valid percent-encoding or UTF-8. */
export const rawSegment = fc.constantFrom('%', '%zz', '%C0%AF', '%FF%FE', '%E2%82', '..%2F..%2F', '%00', '%2e%2e');

/** What the assertions need of an HTTP answer (a supertest `Response` fits). */
export interface HttpAnswer {
  status: number;
  body: any;
}

/** A 4xx in the documented error shape `{errors:[{message, field?}]}` and nothing else. */
export function expectErrorShape(res: HttpAnswer): void {
  expect(res.status).toBeGreaterThanOrEqual(400);
  expect(res.status).toBeLessThan(500);
  expect(Object.keys(res.body)).toEqual(['errors']);
  expect(res.body.errors.length).toBeGreaterThan(0);
  for (const e of res.body.errors) {
    expect(typeof e.message).toBe('string');
    expect(Object.keys(e).every((k) => k === 'message' || k === 'field')).toBe(true);
    if ('field' in e) expect(typeof e.field).toBe('string');
  }
}

/** Any answer: never a 5xx; an error answer in the documented shape. */
export function expectNever5xx(res: HttpAnswer): void {
  expect(res.status).toBeLessThan(500);
  if (res.status >= 400) expectErrorShape(res);
}

/** An authenticated GET of a route under test: `query` is '' or starts with '?'. */
export type GetAs = (cookie: string, query: string) => PromiseLike<HttpAnswer>;

/**
 * Query strings a route takes no parameters from (a person's export part) change nothing, whatever
 * they name: another person's id, operators in brackets, `__proto__`, broken percent-encoding. The
 * answer stays 200 and equal to the plain one (after `normalise`, for fields such as a timestamp).
 */
export async function expectQueryStringsChangeNothing(opts: {
  get: GetAs;
  cookie: string;
  keys: string[];
  otherId: string;
  seed: number;
  runs: number;
  normalise?: (body: any) => unknown;
}): Promise<void> {
  const normalise = opts.normalise ?? ((body: unknown) => body);
  const plain = normalise((await opts.get(opts.cookie, '')).body);
  const key = fc.constantFrom(...opts.keys);
  const value = fc.oneof(hostileId.map(percentEncode), rawSegment, fc.constant(opts.otherId));
  await fc.assert(
    fc.asyncProperty(fc.array(fc.tuple(key, value), { minLength: 1, maxLength: 4 }), async (pairs) => {
      const res = await opts.get(opts.cookie, `?${pairs.map(([k, v]) => `${percentEncode(k)}=${v}`).join('&')}`);
      expect(res.status).toBe(200);
      expect(normalise(res.body)).toEqual(plain);
    }),
    { numRuns: opts.runs, seed: opts.seed },
  );
}

/** A signed-in route refuses every hostile session cookie with 401 in the error shape. */
export async function expectHostileCookiesRefused(opts: { get: GetAs; seed: number; runs: number }): Promise<void> {
  await fc.assert(
    fc.asyncProperty(hostileCookie, async (cookie) => {
      const res = await opts.get(cookie, '');
      expect(res.status).toBe(401);
      expectErrorShape(res);
    }),
    { numRuns: opts.runs, seed: opts.seed },
  );
}
