import { addressJsonSchema, commonErrors, errorResponse, json, openApiDocument, ref, sessionSecurity } from '@jetmart/common';
import { SHIPMENT_LIMITS } from '@jetmart/common/contracts';

const id = { type: 'string', minLength: 1 };
const money = { type: 'number', minimum: 0, multipleOf: 0.01 };
const dateTime = { type: 'string', format: 'date-time' };
const idParameter = { name: 'id', in: 'path', required: true, schema: { type: 'string' } };
const seen = (who: string) => errorResponse(`No such shipment, or ${who}`);

/** The shipping API as it answers (checked against real responses by openapi-contract.test.ts). */
export const shippingApiDocument = openApiDocument({
  title: 'jetmart shipping',
  description:
    'One shipment per seller of each paid order: pending → shipped (carrier and tracking number, by the seller) → delivered ' +
    '(confirmed by the seller or the buyer, or automatically some days after shipping), returnable until `returnableUntil`; ' +
    'or pending → cancelled by its buyer (refunded). Errors are `{"errors":[{"message","field"?}]}`.',
  schemas: {
    Address: addressJsonSchema,
    Shipment: {
      type: 'object',
      additionalProperties: false,
      required: ['id', 'orderId', 'sellerId', 'buyerId', 'status', 'items', 'shippingAddress', 'createdAt', 'version'],
      properties: {
        id,
        orderId: id,
        sellerId: id,
        buyerId: id,
        status: { type: 'string', enum: ['pending', 'shipped', 'delivered', 'cancelled'] },
        items: {
          type: 'array',
          minItems: 1,
          description: "the seller's lines of the order",
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
        shippingAddress: ref('Address'),
        carrier: { type: 'string', minLength: 1, maxLength: SHIPMENT_LIMITS.maxCarrierLength, description: 'once shipped' },
        trackingNumber: { type: 'string', minLength: 1, maxLength: SHIPMENT_LIMITS.maxTrackingNumberLength, description: 'once shipped' },
        createdAt: { ...dateTime, description: 'when the order was paid and split' },
        shippedAt: dateTime,
        deliveredAt: dateTime,
        deliveredBy: {
          type: 'string',
          enum: ['seller', 'buyer', 'auto'],
          description: 'who confirmed the delivery (auto: nobody, in time)',
        },
        returnableUntil: { ...dateTime, description: 'once delivered: until when the buyer may ask to return the goods' },
        cancelledAt: { ...dateTime, description: 'when its buyer cancelled it (before it shipped)' },
        version: { type: 'integer', minimum: 0, description: '0 created, 1 shipped or cancelled, 2 delivered' },
      },
    },
    ShipRequest: {
      type: 'object',
      required: ['carrier', 'trackingNumber'],
      properties: {
        carrier: { type: 'string', minLength: 1, maxLength: SHIPMENT_LIMITS.maxCarrierLength },
        trackingNumber: { type: 'string', minLength: 1, maxLength: SHIPMENT_LIMITS.maxTrackingNumberLength },
      },
    },
  },
  paths: {
    '/api/shipments': {
      get: {
        summary: "The caller's shipments as seller, oldest first; with orderId, one order's shipments",
        description:
          'Without `orderId`: the shipments the caller sells (`status=pending` is the "to ship" list). With `orderId`: all of ' +
          "that order's shipments if the caller is its buyer, only the caller's part if a seller, else an empty list.",
        tags: ['shipments'],
        security: sessionSecurity,
        parameters: [
          {
            name: 'status',
            in: 'query',
            required: false,
            schema: { type: 'string', enum: ['pending', 'shipped', 'delivered', 'cancelled'] },
          },
          { name: 'orderId', in: 'query', required: false, schema: { type: 'string', pattern: '^[a-fA-F0-9]{24}$' } },
        ],
        responses: {
          '200': { description: 'Shipments, oldest first', content: json({ type: 'array', items: ref('Shipment') }) },
          '400': errorResponse('status or orderId is not valid'),
          '401': commonErrors.unauthorized,
        },
      },
    },
    '/api/shipments/me/export': {
      get: {
        summary: "The caller's part of their data export: the shipments sent to them (as buyer)",
        description:
          "Asked for by auth (`GET /api/users/me/export`) with the caller's session. The shipments the caller sells are left " +
          "out (they hold other people's addresses).",
        tags: ['shipments'],
        security: sessionSecurity,
        responses: {
          '200': {
            description: 'The shipments sent to the caller, oldest first',
            content: json({
              type: 'object',
              additionalProperties: false,
              required: ['shipments'],
              properties: { shipments: { type: 'array', items: ref('Shipment') } },
            }),
          },
          '401': commonErrors.unauthorized,
        },
      },
    },
    '/api/shipments/{id}': {
      get: {
        summary: 'One shipment, to its seller or buyer',
        tags: ['shipments'],
        security: sessionSecurity,
        parameters: [idParameter],
        responses: {
          '200': { description: 'The shipment', content: json(ref('Shipment')) },
          '401': commonErrors.unauthorized,
          '404': seen('the caller is neither its seller nor its buyer'),
        },
      },
    },
    '/api/shipments/{id}/ship': {
      post: {
        summary: 'Mark a shipment shipped (its seller only); the same carrier and tracking number again is a repeat',
        tags: ['shipments'],
        security: sessionSecurity,
        parameters: [idParameter],
        requestBody: { required: true, content: json(ref('ShipRequest')) },
        responses: {
          '200': { description: 'The shipment, shipped (or delivered since)', content: json(ref('Shipment')) },
          '400': errorResponse('carrier or trackingNumber missing, empty or too long'),
          '401': commonErrors.unauthorized,
          '404': seen('the caller is not its seller'),
          '409': errorResponse('Shipped already with another carrier or tracking number, or delivered'),
        },
      },
    },
    '/api/shipments/{id}/deliver': {
      post: {
        summary: 'Confirm delivery (its seller or buyer); again is a repeat',
        tags: ['shipments'],
        security: sessionSecurity,
        parameters: [idParameter],
        responses: {
          '200': { description: 'The shipment, delivered', content: json(ref('Shipment')) },
          '400': errorResponse('A malformed JSON body (none is needed)'),
          '401': commonErrors.unauthorized,
          '404': seen('the caller is neither its seller nor its buyer'),
          '409': errorResponse('Not shipped yet'),
        },
      },
    },
    '/api/shipments/{id}/cancel': {
      post: {
        summary: 'Cancel a part that has not shipped (its buyer only); again is a repeat',
        description:
          'The part is refunded (shipment.cancelled carries the amount to payments) and its units go back on sale. ' +
          'Once shipped it cannot be cancelled: it can be returned after delivery.',
        tags: ['shipments'],
        security: sessionSecurity,
        parameters: [idParameter],
        responses: {
          '200': { description: 'The shipment, cancelled', content: json(ref('Shipment')) },
          '400': errorResponse('A malformed JSON body (none is needed)'),
          '401': commonErrors.unauthorized,
          '404': seen('the caller is not its buyer'),
          '409': errorResponse('Shipped or delivered already: "This part has already shipped; it can be returned after delivery"'),
        },
      },
    },
  },
});
