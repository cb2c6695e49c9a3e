import { commonErrors, errorResponse, json, ref, sessionSecurity } from '@jetmart/common';
import { REVIEW_LIMITS } from '@jetmart/common/contracts';

/**
 * The reviews part of the products API (issue 19): a product's reviews under
 * /api/products/{id}/reviews and one review's actions under /api/reviews (routed to products),
 * merged into productsApiDocument (openapi.ts) and checked by
 * __tests__/openapi-contract-reviews.test.ts. RatingSummary is openapi.ts's schema.
 */
const reviewIdParam = [{ name: 'reviewId', in: 'path', required: true, schema: { type: 'string' } }];
const productIdParam = [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }];
const paging = [
  { name: 'limit', in: 'query', required: false, schema: { type: 'integer', minimum: 1, maximum: 100, default: 20 } },
  { name: 'cursor', in: 'query', required: false, schema: { type: 'string' }, description: 'nextCursor of the previous page' },
];
const rating = { type: 'integer', minimum: REVIEW_LIMITS.minRating, maximum: REVIEW_LIMITS.maxRating };
const reviewText = { type: 'string', minLength: 1, maxLength: REVIEW_LIMITS.maxText, description: 'trimmed' };
const adminOnly = errorResponse('Signed in, but the email is not in ADMIN_EMAILS');
const reviewNotFound = errorResponse('No such review (a removed one is gone for everyone but its author)');

export const reviewsApiSchemas = {
  Review: {
    type: 'object',
    additionalProperties: false,
    required: ['id', 'productId', 'userId', 'rating', 'text', 'status', 'reportCount', 'reply', 'createdAt', 'updatedAt', 'version'],
    properties: {
      id: { type: 'string', minLength: 1 },
      productId: { type: 'string', minLength: 1 },
      userId: { type: ['string', 'null'], description: 'the author; null once their account is deleted (the review stays, anonymised)' },
      rating,
      text: { type: 'string', minLength: 1, maxLength: REVIEW_LIMITS.maxText },
      status: {
        type: 'string',
        enum: ['visible', 'hidden', 'removed'],
        description: `hidden after ${REVIEW_LIMITS.hideAfterReports} distinct reports until an admin restores or removes it; only visible reviews count in the rating`,
      },
      reportCount: { type: 'integer', minimum: 0, description: 'distinct reporters' },
      reply: {
        oneOf: [
          { type: 'null' },
          {
            type: 'object',
            additionalProperties: false,
            required: ['text', 'createdAt'],
            properties: { text: { type: 'string', minLength: 1 }, createdAt: { type: 'string', format: 'date-time' } },
          },
        ],
        description: "the product seller's one reply",
      },
      createdAt: { type: 'string', format: 'date-time' },
      updatedAt: { type: 'string', format: 'date-time' },
      version: { type: 'integer', minimum: 0 },
    },
  },
  ReviewList: {
    type: 'object',
    additionalProperties: false,
    required: ['items', 'nextCursor'],
    properties: { items: { type: 'array', items: ref('Review') }, nextCursor: { type: ['string', 'null'] } },
  },
  ReviewPage: {
    type: 'object',
    additionalProperties: false,
    required: ['items', 'nextCursor', 'rating'],
    properties: {
      items: { type: 'array', items: ref('Review'), description: 'visible reviews, newest first' },
      nextCursor: { type: ['string', 'null'] },
      rating: ref('RatingSummary'),
    },
  },
  MyReview: {
    type: 'object',
    additionalProperties: false,
    required: ['eligible', 'review'],
    properties: {
      eligible: { type: 'boolean', description: 'the caller has received this product (a delivered shipment): they may review it' },
      review: { oneOf: [{ type: 'null' }, ref('Review')] },
    },
  },
};

export const reviewsApiPaths = {
  '/api/products/{id}/reviews': {
    get: {
      summary: "A product's visible reviews, newest first, with its rating",
      tags: ['reviews'],
      parameters: [...productIdParam, ...paging],
      responses: {
        '200': { description: 'A page of reviews', content: json(ref('ReviewPage')) },
        '400': commonErrors.badRequest,
        '404': commonErrors.notFound,
      },
    },
    post: {
      summary: 'Review a product the caller received (one review per buyer and product; edit it afterwards)',
      tags: ['reviews'],
      security: sessionSecurity,
      parameters: productIdParam,
      requestBody: {
        required: true,
        content: json({ type: 'object', required: ['rating', 'text'], properties: { rating, text: reviewText } }),
      },
      responses: {
        '201': { description: 'Reviewed', content: json(ref('Review')) },
        '400': commonErrors.badRequest,
        '401': commonErrors.unauthorized,
        '403': errorResponse('only buyers who received this product can review it'),
        '404': commonErrors.notFound,
        '409': errorResponse('already reviewed: edit the review instead'),
      },
    },
  },
  '/api/products/{id}/reviews/mine': {
    get: {
      summary: 'Whether the caller may review the product, and their review of it',
      tags: ['reviews'],
      security: sessionSecurity,
      parameters: productIdParam,
      responses: {
        '200': { description: 'Eligibility and review', content: json(ref('MyReview')) },
        '401': commonErrors.unauthorized,
        '404': commonErrors.notFound,
      },
    },
  },
  '/api/reviews/mine': {
    get: {
      summary: "The caller's reviews, newest first (hidden and removed ones included)",
      tags: ['reviews'],
      security: sessionSecurity,
      parameters: paging,
      responses: {
        '200': { description: 'A page of reviews', content: json(ref('ReviewList')) },
        '400': commonErrors.badRequest,
        '401': commonErrors.unauthorized,
      },
    },
  },
  '/api/reviews/reported': {
    get: {
      summary: 'Reviews hidden by reports, waiting for a decision, newest first (admins: ADMIN_EMAILS)',
      tags: ['reviews'],
      security: sessionSecurity,
      parameters: paging,
      responses: {
        '200': { description: 'A page of hidden reviews', content: json(ref('ReviewList')) },
        '400': commonErrors.badRequest,
        '401': commonErrors.unauthorized,
        '403': adminOnly,
      },
    },
  },
  '/api/reviews/{reviewId}': {
    patch: {
      summary: 'The author changes their rating and/or text',
      tags: ['reviews'],
      security: sessionSecurity,
      parameters: reviewIdParam,
      requestBody: {
        required: true,
        content: json({ type: 'object', minProperties: 1, properties: { rating, text: reviewText } }),
      },
      responses: {
        '200': { description: 'Edited (unchanged when nothing differs)', content: json(ref('Review')) },
        '400': commonErrors.badRequest,
        '401': commonErrors.unauthorized,
        '403': errorResponse('Not the author'),
        '404': reviewNotFound,
        '409': errorResponse('Removed by a moderator'),
      },
    },
  },
  '/api/reviews/{reviewId}/reply': {
    post: {
      summary: "The product's seller replies, once",
      tags: ['reviews'],
      security: sessionSecurity,
      parameters: reviewIdParam,
      requestBody: {
        required: true,
        content: json({
          type: 'object',
          required: ['text'],
          properties: { text: { type: 'string', minLength: 1, maxLength: REVIEW_LIMITS.maxReply } },
        }),
      },
      responses: {
        '201': { description: 'Replied', content: json(ref('Review')) },
        '400': commonErrors.badRequest,
        '401': commonErrors.unauthorized,
        '403': errorResponse("Not the product's seller"),
        '404': reviewNotFound,
        '409': errorResponse('Replied already, or the review was removed'),
      },
    },
  },
  '/api/reviews/{reviewId}/report': {
    post: {
      summary: `Report a review (anyone signed in but its author; each reporter counts once; hidden at ${REVIEW_LIMITS.hideAfterReports})`,
      tags: ['reviews'],
      security: sessionSecurity,
      parameters: reviewIdParam,
      requestBody: {
        required: false,
        content: json({
          type: 'object',
          properties: { reason: { type: 'string', maxLength: REVIEW_LIMITS.maxReportReason } },
        }),
      },
      responses: {
        '202': {
          description: 'Reported (again: the same answer, counted once)',
          content: json({ type: 'object', additionalProperties: false, required: ['reported'], properties: { reported: { const: true } } }),
        },
        '400': commonErrors.badRequest,
        '401': commonErrors.unauthorized,
        '403': errorResponse('Your own review'),
        '404': reviewNotFound,
      },
    },
  },
  '/api/reviews/{reviewId}/moderate': {
    post: {
      summary: 'An admin restores a hidden review (its reports judged) or removes a review for good (admins: ADMIN_EMAILS)',
      tags: ['reviews'],
      security: sessionSecurity,
      parameters: reviewIdParam,
      requestBody: {
        required: true,
        content: json({
          type: 'object',
          required: ['decision'],
          properties: { decision: { type: 'string', enum: ['restore', 'remove'] } },
        }),
      },
      responses: {
        '200': { description: 'Decided', content: json(ref('Review')) },
        '400': commonErrors.badRequest,
        '401': commonErrors.unauthorized,
        '403': adminOnly,
        '404': reviewNotFound,
        '409': errorResponse('A removed review cannot be restored'),
      },
    },
  },
};
