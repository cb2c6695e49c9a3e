import { addressJsonSchema, commonErrors, errorResponse, json, openApiDocument, ref, sessionSecurity } from '@jetmart/common';

const id = { type: 'string', minLength: 1 };
const money = { type: 'number', minimum: 0, multipleOf: 0.01 };

/** The orders API as it answers (checked against real responses by openapi-contract.test.ts). */
export const ordersApiDocument = openApiDocument({
  title: 'jetmart orders',
  description:
    'Orders hold units of products until they are paid (complete) or cancelled, by the buyer or by expiry. ' +
    "A paid order's `fulfillment` is derived from its shipments (one per seller, see the shipping API). " +
    'Errors are `{"errors":[{"message","field"?}]}`.',
  schemas: {
    Address: addressJsonSchema,
    Order: {
      type: 'object',
      additionalProperties: false,
      required: ['id', 'userId', 'status', 'items', 'total', 'expiresAt', 'createdAt', 'fulfillment', 'version'],
      properties: {
        id,
        userId: id,
        status: { type: 'string', enum: ['created', 'complete', 'cancelled'] },
        items: {
          type: 'array',
          minItems: 1,
          items: {
            type: 'object',
            additionalProperties: false,
            required: ['productId', 'title', 'price', 'quantity'],
            properties: {
              productId: id,
              sellerId: { ...id, description: "the product's seller (absent on orders placed before fulfilment)" },
              title: { type: 'string', description: 'as it was when ordered' },
              price: { ...money, description: 'unit price when ordered' },
              quantity: { type: 'integer', minimum: 1, maximum: 100 },
            },
          },
        },
        total: money,
        expiresAt: { type: 'string', format: 'date-time', description: 'units are held until then unless paid' },
        createdAt: { type: 'string', format: 'date-time', description: 'when the order was placed' },
        cancelReason: {
          type: 'string',
          enum: ['buyer', 'expired', 'unavailable'],
          description: 'only on a cancelled order: cancelled by its buyer, not paid in time, or its units were withdrawn by the seller',
        },
        shippingAddress: {
          ...ref('Address'),
          description: 'the address the order was placed with, a snapshot (absent on orders placed before fulfilment)',
        },
        fulfillment: {
          type: 'string',
          enum: ['unfulfilled', 'partially_shipped', 'shipped', 'partially_delivered', 'delivered', 'cancelled'],
          description:
            "derived from the order's shipments, one per seller: all or some parts delivered, else all or some shipped, else unfulfilled; cancelled for a cancelled order",
        },
        version: { type: 'integer', minimum: 0 },
      },
    },
    NewOrder: {
      type: 'object',
      required: ['items', 'shippingAddress'],
      properties: {
        items: {
          type: 'array',
          minItems: 1,
          maxItems: 50,
          description: 'each productId at most once',
          items: {
            type: 'object',
            required: ['productId', 'quantity'],
            properties: { productId: id, quantity: { type: 'integer', minimum: 1, maximum: 100 } },
          },
        },
        shippingAddress: { ...ref('Address'), description: 'stored with the order as a snapshot' },
      },
    },
  },
  paths: {
    '/api/orders': {
      post: {
        summary: 'Place an order, holding its units until expiresAt',
        tags: ['orders'],
        security: sessionSecurity,
        requestBody: { required: true, content: json(ref('NewOrder')) },
        responses: {
          '201': { description: 'Placed, status created', content: json(ref('Order')) },
          '400': errorResponse(
            'Invalid items or shipping address (`field` names it, e.g. `shippingAddress.country`), or buying your own product',
          ),
          '401': commonErrors.unauthorized,
          '404': errorResponse('A product does not exist'),
          '409': errorResponse('Not enough units available for a line; nothing was held'),
        },
      },
      get: {
        summary: "The caller's orders, newest first",
        tags: ['orders'],
        security: sessionSecurity,
        responses: {
          '200': { description: 'Orders', content: json({ type: 'array', items: ref('Order') }) },
          '401': commonErrors.unauthorized,
        },
      },
    },
    '/api/orders/{id}': {
      get: {
        summary: "One of the caller's orders",
        tags: ['orders'],
        security: sessionSecurity,
        parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
        responses: {
          '200': { description: 'The order', content: json(ref('Order')) },
          '401': commonErrors.unauthorized,
          '404': errorResponse("No such order, or another user's"),
        },
      },
      delete: {
        summary: 'Cancel an order (idempotent), releasing its units',
        tags: ['orders'],
        security: sessionSecurity,
        parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
        responses: {
          '200': { description: 'The order, status cancelled', content: json(ref('Order')) },
          '401': commonErrors.unauthorized,
          '404': errorResponse("No such order, or another user's"),
          '409': errorResponse('The order is paid (complete)'),
        },
      },
    },
  },
});
