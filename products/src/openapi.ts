import { commonErrors, errorResponse, json, openApiDocument, ref, sessionSecurity } from '@jetmart/common';
import { CATEGORIES, categoryWithDescendants } from '@jetmart/common/contracts';
import { imagesApiPaths } from './openapi-images';
import { reviewsApiPaths, reviewsApiSchemas } from './openapi-reviews';

const idParam = [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }];
const price = { type: 'number', exclusiveMinimum: 0, maximum: 1_000_000, multipleOf: 0.01 };
const fields = {
  title: { type: 'string', minLength: 1, maxLength: 200 },
  description: { type: 'string', maxLength: 5000 },
  price,
  quantity: { type: 'integer', minimum: 0, maximum: 1_000_000, description: 'units listed' },
  category: ref('Category'),
};
/** Every slug of common's category tree (api/catalog.ts), parents and children. */
const categorySlugs = CATEGORIES.flatMap((c) => categoryWithDescendants(c.slug));

/** The products API as it answers (checked against real responses by openapi-contract.test.ts). */
export const productsApiDocument = openApiDocument({
  title: 'jetmart products',
  description: 'Products listed by sellers, with the units a buyer can still order. Errors are `{"errors":[{"message","field"?}]}`.',
  schemas: {
    Category: {
      type: 'string',
      enum: categorySlugs,
      description: "a slug of the category tree (common's CATEGORIES); a product without one is in `other`",
    },
    ProductImage: {
      type: 'object',
      additionalProperties: false,
      required: ['id', 'width', 'height', 'urls'],
      properties: {
        id: { type: 'string', minLength: 1 },
        width: { type: 'integer', minimum: 1 },
        height: { type: 'integer', minimum: 1 },
        urls: {
          type: 'object',
          additionalProperties: false,
          required: ['thumb', 'medium', 'large'],
          properties: { thumb: { type: 'string' }, medium: { type: 'string' }, large: { type: 'string' } },
        },
      },
    },
    RatingSummary: {
      type: 'object',
      additionalProperties: false,
      required: ['average', 'count'],
      properties: {
        average: {
          type: ['number', 'null'],
          minimum: 1,
          maximum: 5,
          description: 'over the visible reviews, 2 decimals; null without any',
        },
        count: { type: 'integer', minimum: 0 },
      },
    },
    Product: {
      type: 'object',
      additionalProperties: false,
      required: [
        'id',
        'title',
        'description',
        'price',
        'quantity',
        'available',
        'userId',
        'listed',
        'category',
        'images',
        'rating',
        'version',
      ],
      properties: {
        id: { type: 'string', minLength: 1 },
        ...fields,
        available: { type: 'integer', minimum: 0, description: 'units a buyer can still order (eventually consistent)' },
        userId: { type: 'string', minLength: 1, description: 'the seller' },
        listed: {
          type: 'boolean',
          description: 'false while the product is off the catalog (unlisted by its seller, or its account deleted)',
        },
        images: { type: 'array', maxItems: 8, items: ref('ProductImage'), description: 'the cover first' },
        rating: ref('RatingSummary'),
        version: { type: 'integer', minimum: 0 },
      },
    },
    ProductPage: {
      type: 'object',
      additionalProperties: false,
      required: ['items', 'nextCursor'],
      properties: { items: { type: 'array', items: ref('Product') }, nextCursor: { type: ['string', 'null'] } },
    },
    NewProduct: { type: 'object', required: ['title', 'price', 'quantity'], properties: fields },
    ProductChanges: { type: 'object', properties: fields },
    ...reviewsApiSchemas,
  },
  paths: {
    '/api/products': {
      post: {
        summary: 'List a product for sale',
        tags: ['products'],
        security: sessionSecurity,
        requestBody: { required: true, content: json(ref('NewProduct')) },
        responses: {
          '201': { description: 'Listed', content: json(ref('Product')) },
          '400': commonErrors.badRequest,
          '401': commonErrors.unauthorized,
        },
      },
      get: {
        summary: 'The catalog: listed products, newest first, optionally of one seller or category and matching title words',
        tags: ['products'],
        parameters: [
          { name: 'q', in: 'query', required: false, schema: { type: 'string', maxLength: 200 } },
          {
            name: 'sellerId',
            in: 'query',
            required: false,
            schema: { type: 'string', pattern: '^[a-fA-F0-9]{24}$' },
            description: "only this seller's listed products",
          },
          {
            name: 'category',
            in: 'query',
            required: false,
            schema: ref('Category'),
            description: 'only products of this category or of a category under it',
          },
          { name: 'limit', in: 'query', required: false, schema: { type: 'integer', minimum: 1, maximum: 100, default: 20 } },
          { name: 'cursor', in: 'query', required: false, schema: { type: 'string' }, description: 'nextCursor of the previous page' },
        ],
        responses: {
          '200': { description: 'A page of products', content: json(ref('ProductPage')) },
          '400': commonErrors.badRequest,
        },
      },
    },
    '/api/products/mine': {
      get: {
        summary: "The signed-in seller's products, listed and unlisted, newest first",
        tags: ['products'],
        security: sessionSecurity,
        parameters: [
          { name: 'limit', in: 'query', required: false, schema: { type: 'integer', minimum: 1, maximum: 100, default: 20 } },
          { name: 'cursor', in: 'query', required: false, schema: { type: 'string' }, description: 'nextCursor of the previous page' },
          {
            name: 'lowStock',
            in: 'query',
            required: false,
            schema: { type: 'string', enum: ['true', 'false'] },
            description: 'true: only products with at most LOW_STOCK_THRESHOLD (default 3) available units',
          },
        ],
        responses: {
          '200': { description: 'A page of products', content: json(ref('ProductPage')) },
          '400': commonErrors.badRequest,
          '401': commonErrors.unauthorized,
        },
      },
    },
    '/api/products/{id}/unlist': {
      post: {
        summary: 'Take a product off the catalog (seller only); live orders are unaffected, new orders get 409',
        tags: ['products'],
        security: sessionSecurity,
        parameters: idParam,
        responses: {
          '200': { description: 'The product, unlisted (also when it already was)', content: json(ref('Product')) },
          '401': commonErrors.unauthorized,
          '403': errorResponse('Not the seller'),
          '404': commonErrors.notFound,
        },
      },
    },
    '/api/products/{id}/relist': {
      post: {
        summary: 'Put a product the seller unlisted back in the catalog (seller only)',
        tags: ['products'],
        security: sessionSecurity,
        parameters: idParam,
        responses: {
          '200': { description: 'The product, listed (also when it already was)', content: json(ref('Product')) },
          '401': commonErrors.unauthorized,
          '403': errorResponse('Not the seller'),
          '404': commonErrors.notFound,
          '409': errorResponse("The seller's account was deleted: its products stay off the catalog"),
        },
      },
    },
    '/api/products/me/export': {
      get: {
        summary: "The caller's part of their data export: every listing of theirs, on sale or not, their reviews and reports",
        description:
          "Asked for by auth (`GET /api/users/me/export`) with the caller's session; oldest first. Reviews: every review the caller " +
          'wrote, removed ones included. Review reports: every report the caller made on a review.',
        tags: ['products'],
        security: sessionSecurity,
        responses: {
          '200': {
            description: "The caller's products",
            content: json({
              type: 'object',
              additionalProperties: false,
              required: ['products', 'reviews', 'reviewReports'],
              properties: {
                products: { type: 'array', items: ref('Product') },
                reviews: { type: 'array', items: ref('Review') },
                reviewReports: {
                  type: 'array',
                  items: {
                    type: 'object',
                    additionalProperties: false,
                    required: ['reviewId', 'productId', 'reason', 'at'],
                    properties: {
                      reviewId: { type: 'string', minLength: 1 },
                      productId: { type: 'string', minLength: 1 },
                      reason: { type: 'string', description: 'what the caller wrote when reporting (may be empty)' },
                      at: { type: 'string', format: 'date-time' },
                    },
                  },
                },
              },
            }),
          },
          '401': commonErrors.unauthorized,
        },
      },
    },
    '/api/products/{id}': {
      get: {
        summary: 'One product',
        tags: ['products'],
        parameters: idParam,
        responses: { '200': { description: 'The product', content: json(ref('Product')) }, '404': commonErrors.notFound },
      },
      put: {
        summary: 'Change a product (seller only)',
        tags: ['products'],
        security: sessionSecurity,
        parameters: idParam,
        requestBody: { required: true, content: json(ref('ProductChanges')) },
        responses: {
          '200': { description: 'The changed product', content: json(ref('Product')) },
          '400': commonErrors.badRequest,
          '401': commonErrors.unauthorized,
          '403': errorResponse('Not the seller'),
          '404': commonErrors.notFound,
          '409': errorResponse('quantity below the units already held or sold'),
        },
      },
    },
    ...reviewsApiPaths,
    ...imagesApiPaths,
  },
});
