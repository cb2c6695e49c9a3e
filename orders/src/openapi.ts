import { addressJsonSchema, commonErrors, errorResponse, json, openApiDocument, ref, sessionSecurity } from '@jetmart/common';
import { RETURN_LIMITS, RETURN_REASONS, SALE_STATUSES, SALES_LIMITS } from '@jetmart/common/contracts';

const id = { type: 'string', minLength: 1 };
const money = { type: 'number', minimum: 0, multipleOf: 0.01 };
const RETURN_STATUSES = ['requested', 'approved', 'rejected', 'cancelled', 'received', 'refunded'];
const pathId = (name = 'id') => ({ name, in: 'path', required: true, schema: { type: 'string' } });
/** The responses every return step shares (a repeat of the step taken answers 200 too). */
const stepResponses = (who: string, from: string) => ({
  '200': { description: 'The return after the step (also a repeat of the step already taken)', content: json(ref('Return')) },
  '401': commonErrors.unauthorized,
  '404': errorResponse(`No such return, or the caller is not its ${who}`),
  '409': errorResponse(`The return is not ${from}; the message names its state`),
});

/** An order as every route shows it. */
const orderSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'userId', 'status', 'items', 'total', 'expiresAt', 'createdAt', 'fulfillment', 'payment', 'refunded', 'version'],
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
        "derived from the order's shipments, one per seller: all or some parts delivered, else all or some shipped, else unfulfilled; cancelled for a cancelled order, or when every part was cancelled (cancelled parts are left out)",
    },
    payment: {
      type: 'string',
      enum: ['unpaid', 'paid', 'partially_refunded', 'refunded'],
      description:
        "derived from the status and the order's refunds: unpaid (created, or cancelled without a charge), paid, partially_refunded, refunded (refunds add up to the total; a cancelled order with a refund)",
    },
    refunded: { ...money, description: "the sum of the order's refunds so far (0 when none)" },
    version: { type: 'integer', minimum: 0 },
  },
};

/**
 * The answer to placing an order: the order and its ticket for payments (see docs/SPEC.md,
 * "Paying an order just placed"); only this answer carries one.
 */
const placedOrderSchema = {
  ...orderSchema,
  required: [...orderSchema.required, 'orderTicket'],
  properties: {
    ...orderSchema.properties,
    orderTicket: {
      type: 'string',
      minLength: 1,
      description:
        'signed by orders: send it as `orderTicket` with POST /api/payments so payments can take the order even before the ' +
        'order.created event reached it (valid until expiresAt; keep it in memory, it is of no use once the order is paid)',
    },
  },
};

/** The orders API as it answers (checked against real responses by openapi-contract.test.ts). */
export const ordersApiDocument = openApiDocument({
  title: 'jetmart orders',
  description:
    'Orders hold units of products until they are paid (complete) or cancelled, by the buyer or by expiry. ' +
    "A paid order's `fulfillment` is derived from its shipments (one per seller, see the shipping API). " +
    'Errors are `{"errors":[{"message","field"?}]}`.',
  schemas: {
    SaleLine: {
      type: 'object',
      additionalProperties: false,
      required: ['orderId', 'productId', 'title', 'quantity', 'price', 'total', 'status', 'shipmentStatus', 'buyerCity', 'soldAt'],
      properties: {
        orderId: id,
        productId: id,
        title: { type: 'string', description: 'as ordered' },
        quantity: { type: 'integer', minimum: 1 },
        price: { ...money, description: 'unit price as ordered' },
        total: { ...money, description: 'price × quantity as ordered' },
        status: {
          type: 'string',
          enum: [...SALE_STATUSES],
          description:
            'paid; cancelled (the part was cancelled before shipping, refunded); partially_returned / returned (units received back)',
        },
        shipmentStatus: { type: ['string', 'null'], enum: ['pending', 'shipped', 'delivered', 'cancelled', null] },
        buyerCity: {
          type: ['string', 'null'],
          description: "the only thing shown about the buyer; null once the buyer's account is deleted",
        },
        soldAt: { type: 'string', format: 'date-time', description: 'when the order was paid' },
      },
    },
    SalesDashboard: {
      type: 'object',
      additionalProperties: false,
      required: ['days', 'topProducts', 'averageOrderValue', 'returnRate', 'ordersCount', 'revenue'],
      properties: {
        days: {
          type: 'array',
          items: {
            type: 'object',
            additionalProperties: false,
            required: ['date', 'revenue', 'orders'],
            properties: {
              date: { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}$' },
              revenue: money,
              orders: { type: 'integer', minimum: 0 },
            },
          },
        },
        topProducts: {
          type: 'array',
          maxItems: SALES_LIMITS.topProducts,
          items: {
            type: 'object',
            additionalProperties: false,
            required: ['productId', 'title', 'units', 'revenue'],
            properties: { productId: id, title: { type: 'string' }, units: { type: 'integer', minimum: 0 }, revenue: money },
          },
        },
        averageOrderValue: money,
        returnRate: { type: 'number', minimum: 0, maximum: 1 },
        ordersCount: { type: 'integer', minimum: 0 },
        revenue: {
          ...money,
          description: 'what buyers finally paid: sold lines minus cancelled parts and returned units, at the ordered price',
        },
      },
    },
    Address: addressJsonSchema,
    Order: orderSchema,
    PlacedOrder: placedOrderSchema,
    Return: {
      type: 'object',
      additionalProperties: false,
      required: [
        'id',
        'orderId',
        'shipmentId',
        'sellerId',
        'buyerId',
        'status',
        'items',
        'amount',
        'reason',
        'createdAt',
        'updatedAt',
        'version',
      ],
      properties: {
        id,
        orderId: id,
        shipmentId: { ...id, description: "the seller's part (shipment) whose goods come back" },
        sellerId: id,
        buyerId: id,
        status: {
          type: 'string',
          enum: RETURN_STATUSES,
          description: 'requested → approved | rejected (seller) | cancelled (buyer); approved → received (seller) → refunded (payments)',
        },
        items: {
          type: 'array',
          minItems: 1,
          items: {
            type: 'object',
            additionalProperties: false,
            required: ['productId', 'title', 'price', 'quantity'],
            properties: {
              productId: id,
              title: { type: 'string', description: 'as it was when ordered' },
              price: { ...money, description: 'unit price when ordered' },
              quantity: { type: 'integer', minimum: 1 },
            },
          },
        },
        amount: { ...money, description: 'what the return refunds once received: the sum of its lines' },
        reason: { type: 'string', enum: [...RETURN_REASONS] },
        note: { type: 'string', maxLength: RETURN_LIMITS.maxNoteLength },
        message: { type: 'string', maxLength: RETURN_LIMITS.maxMessageLength, description: "the seller's message with a rejection" },
        restock: { type: 'boolean', description: 'set when received: whether the units went back on sale' },
        createdAt: { type: 'string', format: 'date-time' },
        updatedAt: { type: 'string', format: 'date-time' },
        version: { type: 'integer', minimum: 0 },
      },
    },
    NewReturn: {
      type: 'object',
      required: ['items', 'reason'],
      properties: {
        items: {
          type: 'array',
          minItems: 1,
          maxItems: RETURN_LIMITS.maxLines,
          description: 'lines of the order, all of one seller (one shipment), each productId at most once',
          items: {
            type: 'object',
            required: ['productId', 'quantity'],
            properties: { productId: id, quantity: { type: 'integer', minimum: 1, maximum: 100 } },
          },
        },
        reason: { type: 'string', enum: [...RETURN_REASONS] },
        note: { type: 'string', maxLength: RETURN_LIMITS.maxNoteLength },
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
          '201': { description: 'Placed, status created, with its ticket for payments', content: json(ref('PlacedOrder')) },
          '400': errorResponse(
            'Invalid items or shipping address (`field` names it, e.g. `shippingAddress.country`), or buying your own product',
          ),
          '401': commonErrors.unauthorized,
          '404': errorResponse('A product does not exist'),
          '409': errorResponse('Not enough units available for a line, or a product is no longer listed by its seller; nothing was held'),
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
    '/api/orders/me/export': {
      get: {
        summary: "The caller's part of their data export: their orders and returns as buyer",
        description:
          "Asked for by auth (`GET /api/users/me/export`) with the caller's session. Orders as `GET /api/orders` shows them " +
          "(with the address each was placed with), oldest first, and the returns the caller asked for. The caller's sales are " +
          "left out (they hold other people's addresses).",
        tags: ['orders'],
        security: sessionSecurity,
        responses: {
          '200': {
            description: "The caller's orders and returns",
            content: json({
              type: 'object',
              additionalProperties: false,
              required: ['orders', 'returns'],
              properties: { orders: { type: 'array', items: ref('Order') }, returns: { type: 'array', items: ref('Return') } },
            }),
          },
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
          '409': errorResponse(
            'The order is paid (complete): each part that has not shipped is cancelled with POST /api/shipments/{id}/cancel, delivered goods are returned',
          ),
        },
      },
    },
    '/api/orders/{id}/returns': {
      post: {
        summary: "Ask to return units of one seller's delivered part (the buyer)",
        tags: ['returns'],
        security: sessionSecurity,
        parameters: [pathId()],
        requestBody: { required: true, content: json(ref('NewReturn')) },
        responses: {
          '201': { description: 'Requested', content: json(ref('Return')) },
          '400': errorResponse('Invalid body (`field` names it), a product not on the order, or lines of several sellers'),
          '401': commonErrors.unauthorized,
          '404': errorResponse("No such order, or another user's"),
          '409': errorResponse(
            'Not delivered yet, the return window closed, or more units than bought minus those in live returns (requested, approved, received, refunded)',
          ),
        },
      },
      get: {
        summary: "The returns of one of the caller's orders, newest first",
        tags: ['returns'],
        security: sessionSecurity,
        parameters: [pathId()],
        responses: {
          '200': { description: 'Returns', content: json({ type: 'array', items: ref('Return') }) },
          '401': commonErrors.unauthorized,
          '404': errorResponse("No such order, or another user's"),
        },
      },
    },
    '/api/sales': {
      get: {
        summary: "The caller's sold lines (as a seller), newest first; CSV with format=csv (every page)",
        tags: ['sales'],
        security: sessionSecurity,
        parameters: [
          {
            name: 'from',
            in: 'query',
            required: false,
            schema: { type: 'string', format: 'date' },
            description: 'paid on or after this UTC day',
          },
          {
            name: 'to',
            in: 'query',
            required: false,
            schema: { type: 'string', format: 'date' },
            description: 'paid on or before this UTC day',
          },
          { name: 'status', in: 'query', required: false, schema: { type: 'string', enum: [...SALE_STATUSES] } },
          { name: 'cursor', in: 'query', required: false, schema: { type: 'string' }, description: 'nextCursor of the previous page' },
          {
            name: 'limit',
            in: 'query',
            required: false,
            schema: { type: 'integer', minimum: 1, maximum: SALES_LIMITS.maxPage, default: SALES_LIMITS.defaultPage },
          },
          { name: 'format', in: 'query', required: false, schema: { type: 'string', enum: ['json', 'csv'], default: 'json' } },
        ],
        responses: {
          '200': {
            description:
              "A page of sales; with format=csv, text/csv of every matching line (header row; text cells starting with = + - @ are prefixed with ')",
            content: {
              ...json({
                type: 'object',
                additionalProperties: false,
                required: ['sales', 'nextCursor'],
                properties: { sales: { type: 'array', items: ref('SaleLine') }, nextCursor: { type: ['string', 'null'] } },
              }),
              'text/csv': { schema: { type: 'string' } },
            },
          },
          '400': commonErrors.badRequest,
          '401': commonErrors.unauthorized,
        },
      },
    },
    '/api/sales/dashboard': {
      get: {
        summary: "The caller's sales figures over the last `days` UTC days (today included)",
        tags: ['sales'],
        security: sessionSecurity,
        parameters: [
          {
            name: 'days',
            in: 'query',
            required: false,
            schema: { type: 'integer', minimum: 1, maximum: SALES_LIMITS.maxDays, default: SALES_LIMITS.defaultDays },
          },
        ],
        responses: {
          '200': {
            description: 'Revenue and orders per day, top products, average order value, return rate',
            content: json(ref('SalesDashboard')),
          },
          '400': commonErrors.badRequest,
          '401': commonErrors.unauthorized,
        },
      },
    },
    '/api/returns': {
      get: {
        summary: "The caller's returns as buyer (default) or as seller, newest first",
        tags: ['returns'],
        security: sessionSecurity,
        parameters: [
          { name: 'role', in: 'query', required: false, schema: { type: 'string', enum: ['buyer', 'seller'], default: 'buyer' } },
          { name: 'status', in: 'query', required: false, schema: { type: 'string', enum: RETURN_STATUSES } },
        ],
        responses: {
          '200': { description: 'Returns', content: json({ type: 'array', items: ref('Return') }) },
          '400': errorResponse('Unknown role or status'),
          '401': commonErrors.unauthorized,
        },
      },
    },
    '/api/returns/{id}': {
      get: {
        summary: 'One return (its buyer or its seller)',
        tags: ['returns'],
        security: sessionSecurity,
        parameters: [pathId()],
        responses: {
          '200': { description: 'The return', content: json(ref('Return')) },
          '401': commonErrors.unauthorized,
          '404': errorResponse('No such return, or the caller is neither its buyer nor its seller'),
        },
      },
    },
    '/api/returns/{id}/approve': {
      post: {
        summary: 'Approve a requested return (the seller)',
        tags: ['returns'],
        security: sessionSecurity,
        parameters: [pathId()],
        responses: stepResponses('seller', 'requested'),
      },
    },
    '/api/returns/{id}/reject': {
      post: {
        summary: 'Reject a requested return with a message (the seller); its units become returnable again',
        tags: ['returns'],
        security: sessionSecurity,
        parameters: [pathId()],
        requestBody: {
          required: true,
          content: json({
            type: 'object',
            required: ['message'],
            properties: { message: { type: 'string', minLength: 1, maxLength: RETURN_LIMITS.maxMessageLength } },
          }),
        },
        responses: { ...stepResponses('seller', 'requested'), '400': errorResponse('Missing or invalid message') },
      },
    },
    '/api/returns/{id}/receive': {
      post: {
        summary: 'The goods of an approved return are back (the seller), put back on sale or not; payments then refunds it',
        tags: ['returns'],
        security: sessionSecurity,
        parameters: [pathId()],
        requestBody: {
          required: true,
          content: json({ type: 'object', required: ['restock'], properties: { restock: { type: 'boolean' } } }),
        },
        responses: { ...stepResponses('seller', 'approved'), '400': errorResponse('Missing or invalid restock') },
      },
    },
    '/api/returns/{id}/cancel': {
      post: {
        summary: 'Withdraw a requested return (the buyer); its units become returnable again',
        tags: ['returns'],
        security: sessionSecurity,
        parameters: [pathId()],
        responses: stepResponses('buyer', 'requested'),
      },
    },
  },
});
