import { commonErrors, errorResponse, json, openApiDocument, ref, sessionSecurity } from '@jetmart/common';
import { PRICE_BUCKETS, RATING_FACET_MINIMUMS, SEARCH_LIMITS, SEARCH_SORTS } from '@jetmart/common/contracts';

const count = { type: 'integer', minimum: 0 };
const query = (name: string, schema: Record<string, unknown>, description: string) => ({
  name,
  in: 'query',
  required: false,
  schema,
  description,
});

/** The search API as it answers (checked against real responses by openapi-contract.test.ts). */
export const searchApiDocument = openApiDocument({
  title: 'jetmart search',
  description:
    'Full-text product search with typo tolerance, filters, filter-adjusted facet counts, sorts and cursor paging, over ' +
    'a read model fed by the PRODUCTS stream. Errors are `{"errors":[{"message","field"?}]}`.',
  schemas: {
    RatingSummary: {
      type: 'object',
      additionalProperties: false,
      required: ['average', 'count'],
      properties: { average: { type: ['number', 'null'], minimum: 1, maximum: 5 }, count },
    },
    ProductImageRecord: {
      type: 'object',
      additionalProperties: false,
      required: ['id', 'width', 'height', 'urls'],
      properties: {
        id: { type: 'string', minLength: 1 },
        width: { type: 'integer', minimum: 0, description: '0 in search: events carry image ids only' },
        height: { type: 'integer', minimum: 0, description: '0 in search: events carry image ids only' },
        urls: {
          type: 'object',
          additionalProperties: false,
          required: ['thumb', 'medium', 'large'],
          properties: {
            thumb: { type: 'string', pattern: '^/' },
            medium: { type: 'string', pattern: '^/' },
            large: { type: 'string', pattern: '^/' },
          },
        },
      },
    },
    SearchHit: {
      type: 'object',
      additionalProperties: false,
      required: ['id', 'title', 'description', 'price', 'category', 'sellerId', 'inStock', 'rating', 'image', 'createdAt'],
      properties: {
        id: { type: 'string', minLength: 1 },
        title: { type: 'string', minLength: 1 },
        description: { type: 'string' },
        price: { type: 'number', exclusiveMinimum: 0, description: 'currency units' },
        category: { type: 'string', minLength: 1, description: 'a category slug' },
        sellerId: { type: 'string', minLength: 1 },
        inStock: { type: 'boolean' },
        rating: ref('RatingSummary'),
        image: { oneOf: [ref('ProductImageRecord'), { type: 'null' }], description: 'the cover (first image), or null' },
        createdAt: { type: 'string', format: 'date-time' },
      },
    },
    SearchResponse: {
      type: 'object',
      additionalProperties: false,
      required: ['hits', 'total', 'nextCursor', 'facets', 'didYouMean'],
      properties: {
        hits: { type: 'array', maxItems: SEARCH_LIMITS.maxLimit, items: ref('SearchHit') },
        total: { ...count, description: 'every matching product (all pages)' },
        nextCursor: {
          type: ['string', 'null'],
          description: 'pass as `cursor` (with the same query) for the next page; null on the last page',
        },
        facets: {
          type: 'object',
          additionalProperties: false,
          required: ['category', 'price', 'rating', 'inStock'],
          description: 'counts per value; each facet applies every filter except its own',
          properties: {
            category: {
              type: 'array',
              description: 'categories with matches; a product counts in its category and every ancestor',
              items: {
                type: 'object',
                additionalProperties: false,
                required: ['value', 'count'],
                properties: { value: { type: 'string' }, count },
              },
            },
            price: {
              type: 'array',
              minItems: PRICE_BUCKETS.length,
              maxItems: PRICE_BUCKETS.length,
              description: 'the price buckets [min, max) in currency units, max null for "and above"',
              items: {
                type: 'object',
                additionalProperties: false,
                required: ['min', 'max', 'count'],
                properties: { min: { type: 'number', minimum: 0 }, max: { type: ['number', 'null'] }, count },
              },
            },
            rating: {
              type: 'array',
              minItems: RATING_FACET_MINIMUMS.length,
              maxItems: RATING_FACET_MINIMUMS.length,
              description: '"min stars and up" (rated products only)',
              items: {
                type: 'object',
                additionalProperties: false,
                required: ['min', 'count'],
                properties: { min: { type: 'number' }, count },
              },
            },
            inStock: {
              type: 'array',
              minItems: 2,
              maxItems: 2,
              items: {
                type: 'object',
                additionalProperties: false,
                required: ['value', 'count'],
                properties: { value: { type: 'boolean' }, count },
              },
            },
          },
        },
        didYouMean: { type: ['string', 'null'], description: 'the query with corrected words, when a word matched only through typos' },
      },
    },
    RebuildOutcome: {
      type: 'object',
      additionalProperties: false,
      required: ['documents', 'tookMs', 'equalToLive', 'differences', 'skipped', 'unapplied'],
      properties: {
        documents: count,
        tookMs: count,
        equalToLive: { type: 'boolean' },
        differences: { ...count, description: 'products whose rebuilt document differs from the live one, or exists in one only' },
        skipped: { ...count, description: 'messages that are not valid events (the live listeners dead-lettered them)' },
        unapplied: { ...count, description: 'events still waiting for an earlier version at the end of the stream' },
      },
    },
  },
  paths: {
    '/api/search': {
      get: {
        summary: 'Search listed products',
        description:
          'Words are ANDed; each matches indexed words by the typo rule (under 5 letters exact, 5–8 one typo, 9+ two; a typo ' +
          'is an insertion, deletion, substitution or swap of adjacent letters); the last word also matches as a prefix ' +
          '(2+ letters). Without q every listed product matches.',
        tags: ['search'],
        parameters: [
          query('q', { type: 'string', maxLength: SEARCH_LIMITS.maxQuery }, 'the words to find'),
          query('category', { type: 'string' }, 'a category slug; a parent includes its children'),
          query('minPrice', { type: 'string', pattern: '^\\d{1,7}(\\.\\d{1,2})?$' }, 'currency units, inclusive'),
          query('maxPrice', { type: 'string', pattern: '^\\d{1,7}(\\.\\d{1,2})?$' }, 'currency units, inclusive'),
          query(
            'minRating',
            { type: 'string', pattern: '^\\d(\\.\\d{1,2})?$' },
            'average rating at least this (1–5); unrated products do not match',
          ),
          query('inStock', { type: 'string', enum: ['true', 'false'] }, 'only products in stock (true) or out of stock (false)'),
          query('sort', { type: 'string', enum: [...SEARCH_SORTS], default: 'relevance' }, 'relevance without q is newest first'),
          query('cursor', { type: 'string' }, 'nextCursor of the previous page (same query and sort)'),
          query(
            'limit',
            { type: 'string', pattern: '^\\d{1,3}$', default: String(SEARCH_LIMITS.defaultLimit) },
            `1–${SEARCH_LIMITS.maxLimit}`,
          ),
        ],
        responses: {
          '200': { description: 'One page of hits, the total and the facets', content: json(ref('SearchResponse')) },
          '400': commonErrors.badRequest,
        },
      },
    },
    '/api/search/rebuild': {
      post: {
        summary: 'Rebuild the read model from the PRODUCTS stream and compare it with the live one (admins)',
        description:
          'Replays the PRODUCTS stream from its first message into a fresh read model with the listeners’ own rules, compares ' +
          'it with the live read model and drops it. One rebuild at a time.',
        tags: ['search'],
        security: sessionSecurity,
        responses: {
          '200': { description: 'What the rebuild found', content: json(ref('RebuildOutcome')) },
          '401': commonErrors.unauthorized,
          '403': errorResponse('Not an admin'),
          '409': errorResponse('A rebuild is already running'),
        },
      },
    },
  },
});
