import { commonErrors, errorResponse, json, openApiDocument, ref, sessionSecurity } from '@jetmart/common';

const idParam = [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }];
const price = { type: 'number', exclusiveMinimum: 0, maximum: 1_000_000, multipleOf: 0.01 };
const fields = {
  title: { type: 'string', minLength: 1, maxLength: 200 },
  description: { type: 'string', maxLength: 5000 },
  price,
  quantity: { type: 'integer', minimum: 0, maximum: 1_000_000, description: 'units listed' },
};

/** The products API as it answers (checked against real responses by openapi-contract.test.ts). */
export const productsApiDocument = openApiDocument({
  title: 'jetmart products',
  description: 'Products listed by sellers, with the units a buyer can still order. Errors are `{"errors":[{"message","field"?}]}`.',
  schemas: {
    Product: {
      type: 'object',
      additionalProperties: false,
      required: ['id', 'title', 'description', 'price', 'quantity', 'available', 'userId', 'version'],
      properties: {
        id: { type: 'string', minLength: 1 },
        ...fields,
        available: { type: 'integer', minimum: 0, description: 'units a buyer can still order (eventually consistent)' },
        userId: { type: 'string', minLength: 1, description: 'the seller' },
        version: { type: 'integer', minimum: 0 },
      },
    },
    NewProduct: { type: 'object', required: ['title', 'price', 'quantity'], properties: fields },
    ProductChanges: { type: 'object', properties: fields },
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
        summary: 'Products, newest first, optionally matching title words',
        tags: ['products'],
        parameters: [
          { name: 'q', in: 'query', required: false, schema: { type: 'string', maxLength: 200 } },
          { name: 'limit', in: 'query', required: false, schema: { type: 'integer', minimum: 1, maximum: 100, default: 20 } },
          { name: 'cursor', in: 'query', required: false, schema: { type: 'string' }, description: 'nextCursor of the previous page' },
        ],
        responses: {
          '200': {
            description: 'A page of products',
            content: json({
              type: 'object',
              additionalProperties: false,
              required: ['items', 'nextCursor'],
              properties: { items: { type: 'array', items: ref('Product') }, nextCursor: { type: ['string', 'null'] } },
            }),
          },
          '400': commonErrors.badRequest,
        },
      },
    },
    '/api/products/me/export': {
      get: {
        summary: "The caller's part of their data export: every listing of theirs, on sale or not",
        description: "Asked for by auth (`GET /api/users/me/export`) with the caller's session; oldest first.",
        tags: ['products'],
        security: sessionSecurity,
        responses: {
          '200': {
            description: "The caller's products",
            content: json({
              type: 'object',
              additionalProperties: false,
              required: ['products'],
              properties: { products: { type: 'array', items: ref('Product') } },
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
  },
});
